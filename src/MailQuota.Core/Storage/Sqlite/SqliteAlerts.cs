using System;
using System.Collections.Generic;
using MailQuota.Core.Monitoring;
using Microsoft.Data.Sqlite;

namespace MailQuota.Core.Storage.Sqlite
{
    /// <summary>The volume alerts: one open alert per account, kind and scope, across processes.</summary>
    internal sealed class SqliteAlerts : IAlertStore
    {
        readonly SqliteDatabase _db;

        public SqliteAlerts(SqliteDatabase db) => _db = db;

        public bool TryRaise(SendAlert alert, out DateTimeOffset openUntil)
        {
            var open = _db.Exclusive(() =>
            {
                using (var cmd = _db.Command("SELECT MAX(open_until) FROM alerts WHERE account=$a AND kind=$k AND scope=$s AND open_until>$t"))
                {
                    cmd.Parameters.AddWithValue("$a", alert.Account);
                    cmd.Parameters.AddWithValue("$k", alert.Kind.ToString());
                    cmd.Parameters.AddWithValue("$s", alert.Scope);
                    cmd.Parameters.AddWithValue("$t", alert.RaisedAt.ToUnixTimeMilliseconds());
                    if (cmd.ExecuteScalar() is long until) return DateTimeOffset.FromUnixTimeMilliseconds(until);
                }
                using (var insert = _db.Command(@"INSERT INTO alerts(account, kind, scope, raised_at, open_until, observed, threshold, message)
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
                return (DateTimeOffset?)null;
            });
            openUntil = open ?? alert.OpenUntil;
            return open == null;
        }

        public IReadOnlyList<SendAlert> OpenAlerts(string? account, DateTimeOffset now)
        {
            using var cmd = _db.Command("SELECT id, account, kind, scope, raised_at, open_until, observed, threshold, message FROM alerts WHERE open_until>$t"
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
            using var cmd = _db.Command("DELETE FROM alerts WHERE open_until < $before");
            cmd.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
            return cmd.ExecuteNonQuery();
        }
    }
}
