using System;
using System.Collections.Generic;
using MailQuota.Core.Import;

namespace MailQuota.Core.Storage.Sqlite
{
    /// <summary>The recipients whose mailbox does not exist, learnt from the replies kept with the sends.</summary>
    internal sealed class SqliteBounces : IBounceSource
    {
        readonly SqliteDatabase _db;

        public SqliteBounces(SqliteDatabase db) => _db = db;

        public IEnumerable<string> HardBouncedRecipients()
        {
            // The latest failure of each recipient, unless a later send to it was delivered.
            using var cmd = _db.Command(@"
SELECT f.recipient, f.reply FROM sends f
WHERE f.status = 'Failed' AND f.reply IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM sends s WHERE s.recipient = f.recipient COLLATE NOCASE
                  AND s.status IN ('Sent', 'Failed') AND s.reserved_at > f.reserved_at)");
            using var reader = cmd.ExecuteReader();
            var failures = new List<(string, string)>();
            while (reader.Read()) failures.Add((reader.GetString(0), reader.GetString(1)));
            return SendRows.HardBounced(failures);
        }
    }
}
