using System;
using System.Collections.Generic;
using MailQuota.Core.Monitoring;
using Microsoft.Data.Sqlite;

namespace MailQuota.Core.Storage.Sqlite
{
    public sealed partial class SqliteLedger : IAlertStore, IVolumeHistory
    {
        const string AlertsSchema = @"
CREATE TABLE IF NOT EXISTS alerts (
  id          INTEGER PRIMARY KEY,
  account     TEXT    NOT NULL,
  kind        TEXT    NOT NULL,
  scope       TEXT    NOT NULL,
  raised_at   INTEGER NOT NULL,   -- Unix milliseconds, UTC
  open_until  INTEGER NOT NULL,
  observed    REAL    NOT NULL,
  threshold   REAL    NOT NULL,
  message     TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_open ON alerts(account, kind, scope, open_until);
CREATE INDEX IF NOT EXISTS sends_refused ON sends(account, reserved_at) WHERE status NOT IN ('Sent', 'InFlight', 'Released');
CREATE INDEX IF NOT EXISTS sends_in_flight ON sends(account, reserved_at) WHERE status='InFlight';";

        public bool TryRaise(SendAlert alert, out DateTimeOffset openUntil)
        {
            Execute("BEGIN IMMEDIATE;");
            try
            {
                using (var open = Command("SELECT MAX(open_until) FROM alerts WHERE account=$a AND kind=$k AND scope=$s AND open_until>$t"))
                {
                    open.Parameters.AddWithValue("$a", alert.Account);
                    open.Parameters.AddWithValue("$k", alert.Kind.ToString());
                    open.Parameters.AddWithValue("$s", alert.Scope);
                    open.Parameters.AddWithValue("$t", alert.RaisedAt.ToUnixTimeMilliseconds());
                    if (open.ExecuteScalar() is long until)
                    {
                        Execute("ROLLBACK;");
                        openUntil = DateTimeOffset.FromUnixTimeMilliseconds(until);
                        return false;
                    }
                }
                using (var insert = Command(@"INSERT INTO alerts(account, kind, scope, raised_at, open_until, observed, threshold, message)
VALUES($a, $k, $s, $r, $u, $o, $th, $m); SELECT last_insert_rowid();"))
                {
                    insert.Parameters.AddWithValue("$a", alert.Account);
                    insert.Parameters.AddWithValue("$k", alert.Kind.ToString());
                    insert.Parameters.AddWithValue("$s", alert.Scope);
                    insert.Parameters.AddWithValue("$r", alert.RaisedAt.ToUnixTimeMilliseconds());
                    insert.Parameters.AddWithValue("$u", alert.OpenUntil.ToUnixTimeMilliseconds());
                    insert.Parameters.AddWithValue("$o", alert.Observed);
                    insert.Parameters.AddWithValue("$th", alert.Threshold);
                    insert.Parameters.AddWithValue("$m", alert.Message);
                    alert.Id = (long)insert.ExecuteScalar()!;
                }
                Execute("COMMIT;");
                openUntil = alert.OpenUntil;
                return true;
            }
            catch
            {
                Execute("ROLLBACK;");
                throw;
            }
        }

        public IReadOnlyList<SendAlert> OpenAlerts(string? account, DateTimeOffset now)
        {
            using var cmd = Command("SELECT id, account, kind, scope, raised_at, open_until, observed, threshold, message FROM alerts WHERE open_until>$t"
                + (account == null ? "" : " AND account=$a") + " ORDER BY raised_at, id");
            cmd.Parameters.AddWithValue("$t", now.ToUnixTimeMilliseconds());
            if (account != null) cmd.Parameters.AddWithValue("$a", account);
            using var r = cmd.ExecuteReader();
            var list = new List<SendAlert>();
            while (r.Read())
            {
                if (!Enum.TryParse<AlertKind>(r.GetString(2), out var kind)) continue; // a kind this version does not know
                list.Add(new SendAlert(r.GetString(1), kind, r.GetString(3),
                    DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)),
                    r.GetDouble(6), r.GetDouble(7), r.GetString(8)) { Id = r.GetInt64(0) });
            }
            return list;
        }

        public int ClearAlerts(DateTimeOffset before)
        {
            using var cmd = Command("DELETE FROM alerts WHERE open_until < $before");
            cmd.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
            return cmd.ExecuteNonQuery();
        }

        public IReadOnlyList<int> HourlyRecipients(string account, DateTimeOffset from, int hours)
        {
            const long HourMs = 3_600_000;
            var start = from.ToUnixTimeMilliseconds();
            using var cmd = Command(@"SELECT (reserved_at - $from) / 3600000, TOTAL(recipients) FROM sends
WHERE account=$a AND reserved_at >= $from AND reserved_at < $to AND status<>'Released' GROUP BY 1");
            cmd.Parameters.AddWithValue("$a", account);
            cmd.Parameters.AddWithValue("$from", start);
            cmd.Parameters.AddWithValue("$to", start + hours * HourMs);
            using var r = cmd.ExecuteReader();
            var buckets = new int[hours];
            while (r.Read()) buckets[r.GetInt64(0)] = (int)r.GetDouble(1);
            return buckets;
        }

        /// <summary>
        /// Checked after every send, so it reads only the (few) refused and in-flight rows through
        /// partial indexes; the finished count comes from the window's running totals.
        /// </summary>
        public ReplyTally RepliesSince(string account, DateTimeOffset since)
        {
            var refusals = new List<string>();
            var cmd = Prepared("SELECT reply FROM sends WHERE account=$a AND reserved_at>$since AND status NOT IN ('Sent', 'InFlight', 'Released') AND reply IS NOT NULL ORDER BY reserved_at");
            cmd.Parameters.AddWithValue("$a", account);
            cmd.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
            using (var r = cmd.ExecuteReader())
                while (r.Read()) refusals.Add(r.GetString(0));
            var inFlight = Prepared("SELECT COUNT(*) FROM sends WHERE account=$a AND reserved_at>$since AND status='InFlight'");
            inFlight.Parameters.AddWithValue("$a", account);
            inFlight.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
            var finished = QueryUse(account, since).Messages - Convert.ToInt32(inFlight.ExecuteScalar());
            return new ReplyTally(finished, refusals);
        }
    }
}
