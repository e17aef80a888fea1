using System;
using MailQuota.Core.Quota;
using static MailQuota.Core.Storage.Postgres.PostgresDatabase;

namespace MailQuota.Core.Storage.Postgres
{
    /// <summary>The pace of each account, as the server pushed it back (a row per account that was ever held back).</summary>
    internal sealed class PostgresPacing : IPacingStore
    {
        readonly PostgresDatabase _db;

        public PostgresPacing(PostgresDatabase db) => _db = db;

        /// <summary>The lock space of pacing changes, one lock per account.</summary>
        const int PacingLock = LockSpace + 2;

        public PacingState? GetPacing(string account)
        {
            var rows = _db.Query("SELECT interval_ms, cooldown_until, suspended_until, reason, updated_at FROM pacing WHERE account=@a", r => new PacingState
            {
                Interval = r.IsDBNull(0) ? (TimeSpan?)null : TimeSpan.FromMilliseconds(r.GetInt64(0)),
                CooldownUntil = r.IsDBNull(1) ? (DateTimeOffset?)null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)),
                SuspendedUntil = r.IsDBNull(2) ? (DateTimeOffset?)null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)),
                Reason = r.IsDBNull(3) ? null : r.GetString(3),
                UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)),
            }, P("a", account));
            return rows.Count == 0 ? null : rows[0];
        }

        public void ChangePacing(string account, Func<PacingState, bool> change) => _db.Locked(PacingLock, account, () =>
        {
            var state = GetPacing(account) ?? new PacingState();
            if (change(state)) Save(account, state);
            return 0;
        });

        internal void Save(string account, PacingState state) => _db.Execute(@"INSERT INTO pacing(account, interval_ms, cooldown_until, suspended_until, reason, updated_at)
VALUES(@a, @i, @c, @s, @r, @t)
ON CONFLICT(account) DO UPDATE SET interval_ms=excluded.interval_ms, cooldown_until=excluded.cooldown_until,
  suspended_until=excluded.suspended_until, reason=excluded.reason, updated_at=excluded.updated_at",
            P("a", account),
            P("i", state.Interval is TimeSpan i ? (object)(long)Math.Ceiling(i.TotalMilliseconds) : null),
            P("c", state.CooldownUntil?.ToUnixTimeMilliseconds()),
            P("s", state.SuspendedUntil?.ToUnixTimeMilliseconds()),
            P("r", state.Reason),
            P("t", state.UpdatedAt.ToUnixTimeMilliseconds()));
    }
}
