using System;
using System.Collections.Generic;
using MailQuota.Core.Monitoring;
using static MailQuota.Core.Storage.Postgres.PostgresDatabase;

namespace MailQuota.Core.Storage.Postgres
{
    /// <summary>The volume alerts: one open alert per account, kind and scope, across hosts.</summary>
    internal sealed class PostgresAlerts : IAlertStore
    {
        readonly PostgresDatabase _db;

        public PostgresAlerts(PostgresDatabase db) => _db = db;

        /// <summary>The lock space of raising alerts, one lock per account.</summary>
        const int AlertLock = LockSpace + 3;

        public bool TryRaise(SendAlert alert, out DateTimeOffset openUntil)
        {
            var open = _db.Locked(AlertLock, alert.Account, () =>
            {
                if (_db.Scalar("SELECT MAX(open_until) FROM alerts WHERE account=@a AND kind=@k AND scope=@s AND open_until>@t",
                        P("a", alert.Account), P("k", alert.Kind.ToString()), P("s", alert.Scope), P("t", alert.RaisedAt.ToUnixTimeMilliseconds())) is long until)
                    return DateTimeOffset.FromUnixTimeMilliseconds(until);
                alert.Id = (long)_db.Scalar(@"INSERT INTO alerts(account, kind, scope, raised_at, open_until, observed, threshold, message)
VALUES(@a, @k, @s, @r, @u, @o, @th, @m) RETURNING id",
                    P("a", alert.Account), P("k", alert.Kind.ToString()), P("s", alert.Scope), P("r", alert.RaisedAt.ToUnixTimeMilliseconds()),
                    P("u", alert.OpenUntil.ToUnixTimeMilliseconds()), P("o", alert.Observed), P("th", alert.Threshold), P("m", alert.Message))!;
                return (DateTimeOffset?)null;
            });
            openUntil = open ?? alert.OpenUntil;
            return open == null;
        }

        public IReadOnlyList<SendAlert> OpenAlerts(string? account, DateTimeOffset now)
        {
            var rows = _db.Query("SELECT id, account, kind, scope, raised_at, open_until, observed, threshold, message FROM alerts WHERE open_until>@t"
                + (account == null ? "" : " AND account=@a") + " ORDER BY raised_at, id",
                r => Enum.TryParse<AlertKind>(r.GetString(2), out var kind)
                    ? new SendAlert(r.GetString(1), kind, r.GetString(3),
                        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)),
                        r.GetDouble(6), r.GetDouble(7), r.GetString(8)) { Id = r.GetInt64(0) }
                    : null, // a kind this version does not know
                P("t", now.ToUnixTimeMilliseconds()), P("a", account));
            return rows.FindAll(a => a != null)!;
        }

        public int ClearAlerts(DateTimeOffset before) =>
            _db.Execute("DELETE FROM alerts WHERE open_until < @before", P("before", before.ToUnixTimeMilliseconds()));
    }
}
