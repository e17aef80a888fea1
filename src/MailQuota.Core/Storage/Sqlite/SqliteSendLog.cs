using System;
using System.Collections.Generic;
using System.Linq;
using MailQuota.Core.Monitoring;
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
            if (query.Statuses is { Count: > 0 } statuses)
                where.Add(In(cmd, "status", "st", statuses.Select(s => s.ToString()), noCase: false));
            foreach (var (column, patterns) in new[] { ("account", query.Accounts), ("campaign", query.Campaigns), ("recipient", query.Recipients) })
            {
                // Literal ASCII values go to SQLite (its NOCASE folds ASCII only); wildcards are matched below.
                if (patterns is { Count: > 0 } && patterns.All(p => p.IsAsciiLiteral))
                    where.Add(In(cmd, column, column.Substring(0, 2), patterns.Select(p => p.Literal!), noCase: true));
            }
            cmd.CommandText = "SELECT id, account, campaign, recipient, recipients, reserved_at, completed_at, status, message_id, reply, attempts FROM sends"
                + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY reserved_at, id";
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                var entry = ReadEntry(reader);
                if (Matches(query.Accounts, entry.Account) && Matches(query.Campaigns, entry.Campaign) && Matches(query.Recipients, entry.Recipient))
                    yield return entry;
            }
        }

        public int CountSendLogBefore(DateTimeOffset before)
        {
            using var cmd = _db.Command("SELECT COUNT(*) FROM sends WHERE reserved_at < $before");
            cmd.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
            return Convert.ToInt32(cmd.ExecuteScalar());
        }

        public int ClearSendLog(DateTimeOffset before)
        {
            using var cmd = _db.Command("DELETE FROM sends WHERE reserved_at < $before");
            cmd.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
            return cmd.ExecuteNonQuery();
        }

        static SendLogEntry ReadEntry(SqliteDataReader r)
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

        static bool Matches(IReadOnlyList<TextPattern>? patterns, string? value) =>
            patterns == null || patterns.Count == 0 || patterns.Any(p => p.IsMatch(value));

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
