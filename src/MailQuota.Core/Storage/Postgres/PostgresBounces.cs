using System;
using System.Collections.Generic;
using MailQuota.Core.Import;

namespace MailQuota.Core.Storage.Postgres
{
    /// <summary>The recipients whose mailbox does not exist, learnt from the replies kept with the sends.</summary>
    internal sealed class PostgresBounces : IBounceSource
    {
        readonly PostgresDatabase _db;

        public PostgresBounces(PostgresDatabase db) => _db = db;

        public IEnumerable<string> HardBouncedRecipients()
        {
            // The latest failure of each recipient, unless a later send to it was delivered.
            var failures = _db.Query(@"
SELECT f.recipient, f.reply FROM sends f
WHERE f.status = 'Failed' AND f.reply IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM sends s WHERE lower(s.recipient) = lower(f.recipient)
                  AND s.status IN ('Sent', 'Failed') AND s.reserved_at > f.reserved_at)", r => (Recipient: r.GetString(0), Reply: r.GetString(1)));
            return SendRows.HardBounced(failures);
        }
    }
}
