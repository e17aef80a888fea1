using System;
using System.Collections.Generic;
using System.Linq;
using MailQuota.Core.Monitoring;
using MailQuota.Core.Quota;
using Microsoft.Data.Sqlite;

namespace MailQuota.Core.Storage.Sqlite
{
    /// <summary>The sends read as an audit log, and trimmed for retention.</summary>
    internal sealed class SqliteSendLog : ISendLog
    {
        readonly SqliteDatabase _db;

        public SqliteSendLog(SqliteDatabase db) => _db = db;

        public IEnumerable<SendLogEntry> ReadSendLog(SendLogQuery query)
        {
            using var cmd = _db.Command("");
            var where = new List<string>();
            if (query.After is DateTimeOffset after) { where.Add("reserved_at > $after"); cmd.Parameters.AddWithValue("$after", after.ToUnixTimeMilliseconds()); }
            if (query.Before is DateTimeOffset before) { where.Add("reserved_at < $before"); cmd.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds()); }
            // A Sent its run still holds back reads InFlight in the table (see Resolve): asked for Sent,
            // the InFlight rows are read too, and the statuses are matched once resolved.
            var statuses = query.Statuses is { Count: > 0 } asked ? asked.Select(s => s.ToString()).ToList() : null;
            if (statuses != null)
                where.Add(In(cmd, "status", "st", statuses.Contains(nameof(SendStatus.Sent)) ? statuses.Append(nameof(SendStatus.InFlight)) : statuses, noCase: false));
            foreach (var (column, patterns) in new[] { ("account", query.Accounts), ("campaign", query.Campaigns), ("recipient", query.Recipients) })
            {
                // Literal ASCII values go to SQLite (its NOCASE folds ASCII only); wildcards are matched below.
                if (patterns is { Count: > 0 } && patterns.All(p => p.IsAsciiLiteral))
                    where.Add(In(cmd, column, column.Substring(0, 2), patterns.Select(p => p.Literal!), noCase: true));
            }
            where.Add("status <> '" + Cleared + "'");
            // Pages of rows, each read in a statement of its own: no read transaction stays open while
            // the caller works through the log (it would hold back the WAL checkpoint of every sender).
            where.Add("(reserved_at > $lastAt OR (reserved_at = $lastAt AND id > $lastId))");
            var lastAt = cmd.Parameters.AddWithValue("$lastAt", long.MinValue);
            var lastId = cmd.Parameters.AddWithValue("$lastId", long.MinValue);
            cmd.CommandText = "SELECT " + SendRows.EntryColumns + ", owner FROM sends"
                + " WHERE " + string.Join(" AND ", where) + " ORDER BY reserved_at, id LIMIT " + PageSize;
            while (true)
            {
                var page = new List<SendLogEntry>(PageSize);
                var owners = new Dictionary<long, string>();
                using (var reader = cmd.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        var entry = SendRows.ReadEntry(reader);
                        page.Add(entry);
                        if (entry.Status == nameof(SendStatus.InFlight) && !reader.IsDBNull(SendRows.EntryColumnCount))
                            owners[entry.Id] = reader.GetString(SendRows.EntryColumnCount);
                    }
                }
                Resolve(page, owners);
                foreach (var entry in page)
                {
                    if (SendRows.Matches(query, entry) && (statuses == null || statuses.Contains(entry.Status))) yield return entry;
                }
                if (page.Count < PageSize) yield break;
                lastAt.Value = page[page.Count - 1].ReservedAt.ToUnixTimeMilliseconds();
                lastId.Value = page[page.Count - 1].Id;
            }
        }

        const int PageSize = 1000;

        /// <summary>
        /// A run writes a Sent with its next reservation (SqliteReservations.CompleteSent), so while it waits
        /// for its next row, the messages it sent last read InFlight in the table; its go-ahead journal holds
        /// the server's acceptance (<see cref="GoAheadJournal"/>). Those entries read Sent, with that reply.
        /// Each owner's journals are read once a page.
        /// </summary>
        void Resolve(List<SendLogEntry> page, Dictionary<long, string> owners)
        {
            if (owners.Count == 0) return;
            var journals = owners.Values.Distinct().ToDictionary(owner => owner, owner => GoAheadJournal.Read(_db.Path, owner));
            foreach (var entry in page)
            {
                if (!owners.TryGetValue(entry.Id, out var owner) || !journals[owner].TryGetValue(entry.Id, out var held) || !(held.TakenReply is string reply)) continue;
                entry.Status = nameof(SendStatus.Sent);
                entry.Reply = reply;
                entry.CompletedAt = entry.Time = DateTimeOffset.FromUnixTimeMilliseconds(held.At);
            }
        }

        /// <summary>
        /// An account's anchor row carries the running totals of its last cleared send at time 0, so the
        /// window queries, which subtract the totals of the last row before a window, stay exact; and it
        /// keeps the row ids growing (SQLite reuses the largest id of an emptied table).
        /// </summary>
        const string Cleared = SendRows.Cleared;

        /// <summary>The sends to clear: before the time, anchors aside.</summary>
        const string Doomed = "SELECT id FROM sends WHERE reserved_at < $before AND status <> '" + Cleared + "'";

        public int CountSendLogBefore(DateTimeOffset before)
        {
            using var cmd = _db.Command("SELECT COUNT(*) FROM (" + Doomed + ")");
            cmd.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
            return Convert.ToInt32(cmd.ExecuteScalar());
        }

        /// <summary>
        /// Deletes the sends before the time with what hangs on them (campaign rows, content
        /// fingerprints), in one transaction, leaving per account one anchor with the totals of its
        /// last cleared send, so every window's use and the quota stay exact.
        /// </summary>
        public int ClearSendLog(DateTimeOffset before) => _db.Exclusive(() =>
        {
            var count = CountSendLogBefore(before);
            if (count == 0) return 0;
            using var cmd = _db.Command(@"
INSERT INTO sends(account, campaign, recipient, recipients, reserved_at, cum_messages, cum_recipients, status, attempts)
SELECT s.account, NULL, '', 0, 0, s.cum_messages, s.cum_recipients, '" + Cleared + @"', 0
FROM sends s
WHERE s.reserved_at < $before AND s.status <> '" + Cleared + @"'
  AND NOT EXISTS (SELECT 1 FROM sends n WHERE n.account = s.account AND n.reserved_at < $before AND n.status <> '" + Cleared + @"'
                  AND (n.reserved_at > s.reserved_at OR (n.reserved_at = s.reserved_at AND n.cum_messages > s.cum_messages)));
DELETE FROM sends WHERE status = '" + Cleared + "' AND id NOT IN (SELECT MAX(id) FROM sends WHERE status = '" + Cleared + @"' GROUP BY account);
DELETE FROM content_bands WHERE send_id IN (" + Doomed + @");
DELETE FROM content_fingerprints WHERE send_id IN (" + Doomed + @");
DELETE FROM campaign_rows WHERE send_id IN (" + Doomed + @");
DELETE FROM sends WHERE id IN (" + Doomed + ");");
            cmd.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
            cmd.ExecuteNonQuery();
            return count;
        });

        static string In(SqliteCommand cmd, string column, string prefix, IEnumerable<string> values, bool noCase)
        {
            var names = new List<string>();
            foreach (var value in values)
            {
                var name = $"${prefix}{names.Count}";
                cmd.Parameters.AddWithValue(name, value);
                names.Add(name);
            }
            return $"{column}{(noCase ? " COLLATE NOCASE" : "")} IN ({string.Join(", ", names)})";
        }
    }
}
