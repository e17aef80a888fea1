using System;
using System.Collections.Generic;
using MailQuota.Core.Import;
using MailQuota.Core.Smtp;

namespace MailQuota.Core.Storage.Sqlite
{
    public sealed partial class SqliteLedger : IBounceSource
    {
        /// <summary>Finds a recipient's sends without scanning the table (case ignored, as addresses are).</summary>
        const string BouncesSchema = @"
CREATE INDEX IF NOT EXISTS sends_recipient ON sends(recipient COLLATE NOCASE, status, reserved_at);";

        public IEnumerable<string> HardBouncedRecipients()
        {
            // The latest failure of each recipient, unless a later send to it was delivered.
            using var cmd = Command(@"
SELECT f.recipient, f.reply FROM sends f
WHERE f.status = 'Failed' AND f.reply IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM sends s WHERE s.recipient = f.recipient COLLATE NOCASE
                  AND s.status IN ('Sent', 'Failed') AND s.reserved_at > f.reserved_at)");
            using var reader = cmd.ExecuteReader();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var bounced = new List<string>();
            while (reader.Read())
            {
                var recipient = reader.GetString(0);
                if (HardBounce.IsHardBounce(reader.GetString(1)) && seen.Add(recipient)) bounced.Add(recipient);
            }
            return bounced;
        }
    }
}
