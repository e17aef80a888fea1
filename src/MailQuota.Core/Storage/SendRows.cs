using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Linq;
using MailQuota.Core.Monitoring;
using MailQuota.Core.Smtp;

namespace MailQuota.Core.Storage
{
    /// <summary>The sends table read the same way by every engine: log entries, patterns, hard bounces.</summary>
    internal static class SendRows
    {
        /// <summary>The status of an account's anchor row: what is left of its cleared history (see SqliteSendLog.ClearSendLog). No send: the log never shows it.</summary>
        public const string Cleared = "Cleared";

        /// <summary>The columns <see cref="ReadEntry"/> reads, in order.</summary>
        public const string EntryColumns = "id, account, campaign, recipient, recipients, reserved_at, completed_at, status, message_id, reply, attempts";

        /// <summary>How many columns <see cref="EntryColumns"/> names: a column selected after them is read at this index.</summary>
        public static readonly int EntryColumnCount = EntryColumns.Split(',').Length;

        public static SendLogEntry ReadEntry(DbDataReader r)
        {
            var reserved = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5));
            DateTimeOffset? completed = r.IsDBNull(6) ? (DateTimeOffset?)null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6));
            return new SendLogEntry
            {
                Id = r.GetInt64(0),
                Account = r.GetString(1),
                Campaign = r.IsDBNull(2) ? null : r.GetString(2),
                Recipient = r.GetString(3),
                Recipients = r.GetInt32(4),
                ReservedAt = reserved,
                CompletedAt = completed,
                Time = completed ?? reserved,
                Status = r.GetString(7),
                MessageId = r.IsDBNull(8) ? null : r.GetString(8),
                Reply = r.IsDBNull(9) ? null : r.GetString(9),
                Attempts = r.GetInt32(10),
            };
        }

        /// <summary>The entry matches every pattern list of the query (the literal ones were already matched by the database).</summary>
        public static bool Matches(SendLogQuery query, SendLogEntry entry) =>
            Matches(query.Accounts, entry.Account) && Matches(query.Campaigns, entry.Campaign) && Matches(query.Recipients, entry.Recipient);

        static bool Matches(IReadOnlyList<TextPattern>? patterns, string? value) =>
            patterns == null || patterns.Count == 0 || patterns.Any(p => p.IsMatch(value));

        /// <summary>Of each recipient's latest failures (recipient, reply), those that say the mailbox does not exist, once per recipient.</summary>
        public static List<string> HardBounced(IEnumerable<(string Recipient, string Reply)> latestFailures)
        {
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var bounced = new List<string>();
            foreach (var (recipient, reply) in latestFailures)
                if (HardBounce.IsHardBounce(reply) && seen.Add(recipient)) bounced.Add(recipient);
            return bounced;
        }
    }
}
