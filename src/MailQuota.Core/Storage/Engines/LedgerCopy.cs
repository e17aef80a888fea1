using System;
using System.Collections.Generic;
using System.Linq;
using MailQuota.Core.Storage.Postgres;
using MailQuota.Core.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using static MailQuota.Core.Storage.Postgres.PostgresDatabase;

namespace MailQuota.Core.Storage.Engines
{
    /// <summary>What one copy added (rows already copied by an earlier run are not counted again).</summary>
    public sealed class LedgerCopyResult
    {
        public string From { get; internal set; } = "";
        public string To { get; internal set; } = "";
        public int Sends { get; internal set; }
        public int CampaignRows { get; internal set; }
        public int Fingerprints { get; internal set; }
        public int Alerts { get; internal set; }
        public int Accounts { get; internal set; }
        public int Pacing { get; internal set; }
    }

    /// <summary>
    /// Copies a SQLite ledger into a PostgreSQL one, so a team moving to the fleet ledger keeps the
    /// windows already used: sends (with their outcomes, so bounces too), campaign rows, content
    /// fingerprints, alerts, pacing and the accounts' policies. One transaction, holding each copied
    /// account's lock, so hosts already on the database see all of it or none. Each send and alert
    /// remembers where it came from (file and row), so a second copy adds nothing. Each account's
    /// running totals are then counted again in time order, so windows that mix copied and new sends
    /// stay exact.
    /// </summary>
    public static class LedgerCopy
    {
        public static LedgerCopyResult Copy(SqliteLedger from, PostgresLedger to)
        {
            var source = from.Database;
            var target = to.Database;
            var origin = from.Path + "#";
            var result = new LedgerCopyResult { From = from.Location, To = to.Location };
            var sends = ReadSends(source);
            var accounts = sends.Select(s => s.Account).Concat(Strings(source, "SELECT account FROM accounts")).Concat(Strings(source, "SELECT account FROM pacing"))
                .Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal).ToList();
            target.BeginLocked(LockSpace, "copy");
            try
            {
                foreach (var account in accounts) target.Execute("SELECT pg_advisory_xact_lock(@space, hashtext(@key))", P("space", PostgresReservations.AccountLock), P("key", account));
                result.Sends = CopySends(target, sends, origin);
                var ids = SendIds(target, origin);
                if (result.Sends > 0)
                    foreach (var account in sends.Select(s => s.Account).Distinct()) Recount(target, account);
                result.CampaignRows = CopyCampaignRows(source, target, ids);
                result.Fingerprints = CopyFingerprints(source, target, ids);
                result.Alerts = CopyAlerts(source, target, origin);
                result.Accounts = CopyPolicies(source, target);
                result.Pacing = CopyPacing(source, target);
                target.Commit();
            }
            catch
            {
                target.Rollback();
                throw;
            }
            return result;
        }

        sealed class SendRow
        {
            public long Id; public string Account = ""; public string? Campaign; public string Recipient = ""; public int Recipients;
            public long ReservedAt; public long CumMessages; public long CumRecipients; public long? CompletedAt; public string Status = "";
            public string? MessageId; public string? Reply; public int Attempts; public string? Owner;
        }

        static List<SendRow> ReadSends(SqliteDatabase source)
        {
            using var cmd = source.Command(@"SELECT id, account, campaign, recipient, recipients, reserved_at, cum_messages, cum_recipients,
completed_at, status, message_id, reply, attempts, owner FROM sends ORDER BY id");
            using var r = cmd.ExecuteReader();
            var list = new List<SendRow>();
            while (r.Read())
            {
                list.Add(new SendRow
                {
                    Id = r.GetInt64(0), Account = r.GetString(1), Campaign = Text(r, 2), Recipient = r.GetString(3), Recipients = r.GetInt32(4),
                    ReservedAt = r.GetInt64(5), CumMessages = r.GetInt64(6), CumRecipients = r.GetInt64(7),
                    CompletedAt = r.IsDBNull(8) ? (long?)null : r.GetInt64(8), Status = r.GetString(9), MessageId = Text(r, 10), Reply = Text(r, 11),
                    Attempts = r.GetInt32(12), Owner = Text(r, 13),
                });
            }
            return list;
        }

        static int CopySends(PostgresDatabase target, List<SendRow> sends, string origin)
        {
            var added = 0;
            for (var start = 0; start < sends.Count; start += 5000)
            {
                var batch = sends.Skip(start).Take(5000).ToList();
                added += target.Execute(@"
INSERT INTO sends(account, campaign, recipient, recipients, reserved_at, cum_messages, cum_recipients, completed_at, status, message_id, reply, attempts, owner, copied_from)
SELECT * FROM unnest(@account, @campaign, @recipient, @recipients, @reserved, @cm, @cr, @completed, @status, @message, @reply, @attempts, @owner, @origin)
ON CONFLICT (copied_from) WHERE copied_from IS NOT NULL DO NOTHING",
                    P("account", batch.Select(s => s.Account).ToArray()), P("campaign", batch.Select(s => s.Campaign).ToArray()),
                    P("recipient", batch.Select(s => s.Recipient).ToArray()), P("recipients", batch.Select(s => s.Recipients).ToArray()),
                    P("reserved", batch.Select(s => s.ReservedAt).ToArray()), P("cm", batch.Select(s => s.CumMessages).ToArray()),
                    P("cr", batch.Select(s => s.CumRecipients).ToArray()), P("completed", batch.Select(s => s.CompletedAt).ToArray()),
                    P("status", batch.Select(s => s.Status).ToArray()), P("message", batch.Select(s => s.MessageId).ToArray()),
                    P("reply", batch.Select(s => s.Reply).ToArray()), P("attempts", batch.Select(s => s.Attempts).ToArray()),
                    P("owner", batch.Select(s => s.Owner).ToArray()), P("origin", batch.Select(s => origin + s.Id).ToArray()));
            }
            return added;
        }

        /// <summary>Source send id to target send id, for every send of this source in the target.</summary>
        static Dictionary<long, long> SendIds(PostgresDatabase target, string origin) =>
            target.Query("SELECT copied_from, id FROM sends WHERE starts_with(copied_from, @origin)",
                    r => (Source: long.Parse(r.GetString(0).Substring(origin.Length), System.Globalization.CultureInfo.InvariantCulture), Target: r.GetInt64(1)),
                    P("origin", origin))
                .ToDictionary(p => p.Source, p => p.Target);

        /// <summary>
        /// The account's running totals counted again in time order (anchors of a cleared history first,
        /// carrying their totals), so the latest row is the one with the largest totals, as the window
        /// queries expect, however copied and new sends interleave.
        /// </summary>
        static void Recount(PostgresDatabase target, string account) => target.Execute(@"
UPDATE sends s SET cum_messages = t.cm, cum_recipients = t.cr
FROM (SELECT id,
        SUM(CASE WHEN status = '" + SendRows.Cleared + @"' THEN cum_messages ELSE 1 END) OVER w AS cm,
        SUM(CASE WHEN status = '" + SendRows.Cleared + @"' THEN cum_recipients ELSE recipients END) OVER w AS cr
      FROM sends WHERE account = @a
      WINDOW w AS (ORDER BY reserved_at, id ROWS UNBOUNDED PRECEDING)) t
WHERE s.id = t.id AND (s.cum_messages <> t.cm OR s.cum_recipients <> t.cr)", P("a", account));

        static int CopyCampaignRows(SqliteDatabase source, PostgresDatabase target, Dictionary<long, long> ids)
        {
            var rows = Read(source, "SELECT campaign, row_key, send_id, rejected FROM campaign_rows",
                r => (Campaign: r.GetString(0), Key: r.GetString(1), SendId: r.GetInt64(2), Rejected: Text(r, 3))).Where(c => ids.ContainsKey(c.SendId)).ToList();
            return rows.Count == 0 ? 0 : target.Execute(@"INSERT INTO campaign_rows(campaign, row_key, send_id, rejected)
SELECT * FROM unnest(@c, @k, @s, @r) ON CONFLICT (campaign, row_key) DO NOTHING",
                P("c", rows.Select(c => c.Campaign).ToArray()), P("k", rows.Select(c => c.Key).ToArray()),
                P("s", rows.Select(c => ids[c.SendId]).ToArray()), P("r", rows.Select(c => c.Rejected).ToArray()));
        }

        static int CopyFingerprints(SqliteDatabase source, PostgresDatabase target, Dictionary<long, long> ids)
        {
            var done = new HashSet<long>(target.Query("SELECT send_id FROM content_fingerprints WHERE send_id = ANY(@ids)", r => r.GetInt64(0), P("ids", ids.Values.ToArray())));
            var bands = Read(source, "SELECT send_id, band FROM content_bands", r => (SendId: r.GetInt64(0), Band: r.GetInt64(1)))
                .ToLookup(b => b.SendId, b => b.Band);
            var fingerprints = new PostgresFingerprints(target);
            var added = 0;
            foreach (var f in Read(source, "SELECT send_id, account, at, message_id, digest, simhash, minhash FROM content_fingerprints",
                r => (SendId: r.GetInt64(0), Account: r.GetString(1), At: r.GetInt64(2), MessageId: Text(r, 3), Digest: r.GetInt64(4), SimHash: r.GetInt64(5), MinHash: (byte[])r.GetValue(6))))
            {
                if (!ids.TryGetValue(f.SendId, out var id) || done.Contains(id)) continue;
                fingerprints.Write(id, f.Account, f.At, f.MessageId, f.Digest, f.SimHash, f.MinHash, bands[f.SendId].ToArray());
                added++;
            }
            return added;
        }

        static int CopyAlerts(SqliteDatabase source, PostgresDatabase target, string origin)
        {
            var alerts = Read(source, "SELECT id, account, kind, scope, raised_at, open_until, observed, threshold, message FROM alerts",
                r => (Id: r.GetInt64(0), Account: r.GetString(1), Kind: r.GetString(2), Scope: r.GetString(3), Raised: r.GetInt64(4), Until: r.GetInt64(5),
                    Observed: r.GetDouble(6), Threshold: r.GetDouble(7), Message: r.GetString(8)));
            return alerts.Count == 0 ? 0 : target.Execute(@"INSERT INTO alerts(account, kind, scope, raised_at, open_until, observed, threshold, message, copied_from)
SELECT * FROM unnest(@a, @k, @s, @r, @u, @o, @t, @m, @origin) ON CONFLICT (copied_from) WHERE copied_from IS NOT NULL DO NOTHING",
                P("a", alerts.Select(a => a.Account).ToArray()), P("k", alerts.Select(a => a.Kind).ToArray()), P("s", alerts.Select(a => a.Scope).ToArray()),
                P("r", alerts.Select(a => a.Raised).ToArray()), P("u", alerts.Select(a => a.Until).ToArray()), P("o", alerts.Select(a => a.Observed).ToArray()),
                P("t", alerts.Select(a => a.Threshold).ToArray()), P("m", alerts.Select(a => a.Message).ToArray()),
                P("origin", alerts.Select(a => origin + "alert" + a.Id).ToArray()));
        }

        /// <summary>Each account's policy, unless the database holds a newer one.</summary>
        static int CopyPolicies(SqliteDatabase source, PostgresDatabase target)
        {
            var rows = Read(source, "SELECT account, policy, updated_at FROM accounts", r => (Account: r.GetString(0), Policy: r.GetString(1), At: r.GetInt64(2)));
            return rows.Count == 0 ? 0 : target.Execute(@"INSERT INTO accounts(account, policy, updated_at) SELECT * FROM unnest(@a, @p, @t)
ON CONFLICT (account) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at WHERE accounts.updated_at < excluded.updated_at",
                P("a", rows.Select(a => a.Account).ToArray()), P("p", rows.Select(a => a.Policy).ToArray()), P("t", rows.Select(a => a.At).ToArray()));
        }

        /// <summary>Each account's pace and suspension, unless the database holds a newer one.</summary>
        static int CopyPacing(SqliteDatabase source, PostgresDatabase target)
        {
            var rows = Read(source, "SELECT account, interval_ms, cooldown_until, suspended_until, reason, updated_at FROM pacing",
                r => (Account: r.GetString(0), Interval: Long(r, 1), Cooldown: Long(r, 2), Suspended: Long(r, 3), Reason: Text(r, 4), At: r.GetInt64(5)));
            return rows.Count == 0 ? 0 : target.Execute(@"INSERT INTO pacing(account, interval_ms, cooldown_until, suspended_until, reason, updated_at)
SELECT * FROM unnest(@a, @i, @c, @s, @r, @t)
ON CONFLICT (account) DO UPDATE SET interval_ms = excluded.interval_ms, cooldown_until = excluded.cooldown_until,
  suspended_until = excluded.suspended_until, reason = excluded.reason, updated_at = excluded.updated_at WHERE pacing.updated_at < excluded.updated_at",
                P("a", rows.Select(p => p.Account).ToArray()), P("i", rows.Select(p => p.Interval).ToArray()), P("c", rows.Select(p => p.Cooldown).ToArray()),
                P("s", rows.Select(p => p.Suspended).ToArray()), P("r", rows.Select(p => p.Reason).ToArray()), P("t", rows.Select(p => p.At).ToArray()));
        }

        static List<T> Read<T>(SqliteDatabase source, string sql, Func<SqliteDataReader, T> row)
        {
            using var cmd = source.Command(sql);
            using var r = cmd.ExecuteReader();
            var list = new List<T>();
            while (r.Read()) list.Add(row(r));
            return list;
        }

        static List<string> Strings(SqliteDatabase source, string sql) => Read(source, sql, r => r.GetString(0));

        static string? Text(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

        static long? Long(SqliteDataReader r, int i) => r.IsDBNull(i) ? (long?)null : r.GetInt64(i);
    }
}
