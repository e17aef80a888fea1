using System;
using MailQuota.Core.Quota;

namespace MailQuota.Core.Storage.Sqlite
{
    /// <summary>The pace of each account, as the server pushed it back (a row per account that was ever held back).</summary>
    internal sealed class SqlitePacing : IPacingStore
    {
        readonly SqliteDatabase _db;

        public SqlitePacing(SqliteDatabase db) => _db = db;

        public PacingState? GetPacing(string account)
        {
            var cmd = _db.Prepared("SELECT interval_ms, cooldown_until, suspended_until, reason, updated_at FROM pacing WHERE account=$a");
            cmd.Parameters.AddWithValue("$a", account);
            using var r = cmd.ExecuteReader();
            if (!r.Read()) return null;
            return new PacingState
            {
                Interval = r.IsDBNull(0) ? (TimeSpan?)null : TimeSpan.FromMilliseconds(r.GetInt64(0)),
                CooldownUntil = r.IsDBNull(1) ? (DateTimeOffset?)null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)),
                SuspendedUntil = r.IsDBNull(2) ? (DateTimeOffset?)null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)),
                Reason = r.IsDBNull(3) ? null : r.GetString(3),
                UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)),
            };
        }

        public void ChangePacing(string account, Func<PacingState, bool> change) => _db.Exclusive(() =>
        {
            var state = GetPacing(account) ?? new PacingState();
            if (change(state)) Save(account, state);
            return 0;
        });

        void Save(string account, PacingState state)
        {
            var cmd = _db.Prepared(@"INSERT INTO pacing(account, interval_ms, cooldown_until, suspended_until, reason, updated_at)
VALUES($a, $i, $c, $s, $r, $t)
ON CONFLICT(account) DO UPDATE SET interval_ms=excluded.interval_ms, cooldown_until=excluded.cooldown_until,
  suspended_until=excluded.suspended_until, reason=excluded.reason, updated_at=excluded.updated_at");
            cmd.Parameters.AddWithValue("$a", account);
            cmd.Parameters.AddWithValue("$i", state.Interval is TimeSpan i ? (object)(long)Math.Ceiling(i.TotalMilliseconds) : DBNull.Value);
            cmd.Parameters.AddWithValue("$c", state.CooldownUntil is DateTimeOffset c ? (object)c.ToUnixTimeMilliseconds() : DBNull.Value);
            cmd.Parameters.AddWithValue("$s", state.SuspendedUntil is DateTimeOffset s ? (object)s.ToUnixTimeMilliseconds() : DBNull.Value);
            cmd.Parameters.AddWithValue("$r", (object?)state.Reason ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$t", state.UpdatedAt.ToUnixTimeMilliseconds());
            cmd.ExecuteNonQuery();
        }
    }
}
