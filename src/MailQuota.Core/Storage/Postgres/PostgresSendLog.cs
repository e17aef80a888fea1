using System;
using System.Collections.Generic;
using System.Linq;
using MailQuota.Core.Monitoring;
using Npgsql;
using static MailQuota.Core.Storage.Postgres.PostgresDatabase;

namespace MailQuota.Core.Storage.Postgres
{
    /// <summary>The sends read as an audit log, and trimmed for retention.</summary>
    internal sealed class PostgresSendLog : ISendLog
    {
        readonly PostgresDatabase _db;

        public PostgresSendLog(PostgresDatabase db) => _db = db;

        const string Cleared = SendRows.Cleared;

        const int PageSize = 1000;

        public IEnumerable<SendLogEntry> ReadSendLog(SendLogQuery query)
        {
            var where = new List<string>();
            var parameters = new List<NpgsqlParameter>();
            if (query.After is DateTimeOffset after) { where.Add("reserved_at > @after"); parameters.Add(P("after", after.ToUnixTimeMilliseconds())); }
            if (query.Before is DateTimeOffset before) { where.Add("reserved_at < @before"); parameters.Add(P("before", before.ToUnixTimeMilliseconds())); }
            if (query.Statuses is { Count: > 0 } statuses)
            {
                where.Add("status = ANY(@statuses)");
                parameters.Add(P("statuses", statuses.Select(s => s.ToString()).ToArray()));
            }
            foreach (var (column, patterns) in new[] { ("account", query.Accounts), ("campaign", query.Campaigns), ("recipient", query.Recipients) })
            {
                // Literal ASCII values go to the server (lower-cased, as SQLite's NOCASE folds ASCII); wildcards are matched below.
                if (patterns is { Count: > 0 } && patterns.All(p => p.IsAsciiLiteral))
                {
                    where.Add($"lower({column}) = ANY(@{column})");
                    parameters.Add(P(column, patterns.Select(p => p.Literal!.ToLowerInvariant()).ToArray()));
                }
            }
            where.Add("status <> '" + Cleared + "'");
            // Pages of rows, each read in a statement of its own: no transaction stays open while the caller works through the log.
            where.Add("(reserved_at > @lastAt OR (reserved_at = @lastAt AND id > @lastId))");
            var sql = "SELECT " + SendRows.EntryColumns + " FROM sends"
                + " WHERE " + string.Join(" AND ", where) + " ORDER BY reserved_at, id LIMIT " + PageSize;
            long lastAt = long.MinValue, lastId = long.MinValue;
            while (true)
            {
                var page = _db.Query(sql, SendRows.ReadEntry, parameters.Select(p => p.Clone()).Concat(new[] { P("lastAt", lastAt), P("lastId", lastId) }).ToArray());
                foreach (var entry in page)
                {
                    if (SendRows.Matches(query, entry)) yield return entry;
                }
                if (page.Count < PageSize) yield break;
                lastAt = page[page.Count - 1].ReservedAt.ToUnixTimeMilliseconds();
                lastId = page[page.Count - 1].Id;
            }
        }

        /// <summary>The sends to clear: before the time, anchors aside.</summary>
        const string Doomed = "SELECT id FROM sends WHERE reserved_at < @before AND status <> '" + Cleared + "'";

        public int CountSendLogBefore(DateTimeOffset before) =>
            Convert.ToInt32(_db.Scalar("SELECT COUNT(*) FROM (" + Doomed + ") doomed", P("before", before.ToUnixTimeMilliseconds())));

        /// <summary>The lock space of clearing the log (one lock for the whole ledger).</summary>
        const int ClearLock = LockSpace + 4;

        /// <summary>
        /// Deletes the sends before the time with what hangs on them, in one transaction, leaving per
        /// account one anchor with the totals of its last cleared send, so every window stays exact.
        /// </summary>
        public int ClearSendLog(DateTimeOffset before) => _db.Locked(ClearLock, "", () =>
        {
            var count = CountSendLogBefore(before);
            if (count == 0) return 0;
            _db.Execute(@"
INSERT INTO sends(account, campaign, recipient, recipients, reserved_at, cum_messages, cum_recipients, status, attempts)
SELECT DISTINCT ON (s.account) s.account, NULL, '', 0, 0, s.cum_messages, s.cum_recipients, '" + Cleared + @"', 0
FROM sends s
WHERE s.reserved_at < @before AND s.status <> '" + Cleared + @"'
ORDER BY s.account, s.reserved_at DESC, s.cum_messages DESC;
DELETE FROM sends WHERE status = '" + Cleared + "' AND id NOT IN (SELECT MAX(id) FROM sends WHERE status = '" + Cleared + @"' GROUP BY account);
DELETE FROM content_bands WHERE send_id IN (" + Doomed + @");
DELETE FROM content_fingerprints WHERE send_id IN (" + Doomed + @");
DELETE FROM campaign_rows WHERE send_id IN (" + Doomed + @");
DELETE FROM sends WHERE id IN (" + Doomed + ");", P("before", before.ToUnixTimeMilliseconds()));
            return count;
        });
    }
}
