using System;
using System.Collections.Generic;
using System.Linq;
using MailQuota.Core.Quota;
using static MailQuota.Core.Storage.Postgres.PostgresDatabase;

namespace MailQuota.Core.Storage.Postgres
{
    /// <summary>
    /// The sends as the quota sees them: each reservation is decided in one transaction under an
    /// advisory lock keyed by the account, so hosts decide one after the other. The server's clock is
    /// read as the lock is taken and handed to the run's clock (<see cref="ServerTimeSeen"/>), which
    /// the gate then judges the windows and stamps the reservation by: one clock for the fleet.
    /// Every row carries its account's running totals.
    /// </summary>
    internal sealed class PostgresReservations : IReservationRows
    {
        readonly PostgresDatabase _db;

        public PostgresReservations(PostgresDatabase db) => _db = db;

        /// <summary>The lock space of reservations (and of everything decided per account: pacing, alerts).</summary>
        public const int AccountLock = LockSpace + 1;

        /// <summary>Called with the server's time of every reservation, so the run's clock follows the server's.</summary>
        public Action<DateTimeOffset>? ServerTimeSeen { get; set; }

        /// <summary>The account's last reservation, read with the lock that keeps it the last until the transaction ends.</summary>
        DateTimeOffset? _lastAt;

        const string LastAt = "(SELECT reserved_at FROM sends WHERE account=@key AND status<>'Released' ORDER BY cum_messages DESC LIMIT 1)";

        /// <summary>
        /// Takes the account's lock, and in the same round trip reads the server's clock and the account's
        /// last reservation. Every commit on the server is durable: <paramref name="durableAtCommit"/> changes nothing.
        /// </summary>
        public void Begin(string account, bool durableAtCommit)
        {
            var (now, lastAt) = _db.BeginLocked(AccountLock, account, LastAt);
            _lastAt = lastAt is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
            ServerTimeSeen?.Invoke(now);
        }

        public void Commit() => _db.Commit();

        /// <summary>Committed on the server, it is durable already.</summary>
        public void MakeDurable(long reservationId) { }

        public void Rollback() => _db.Rollback();

        public void Complete(long reservationId, SendStatus status, DateTimeOffset at, string? reply, int attempts) =>
            Update(reservationId, status, at, reply, attempts);

        /// <summary>
        /// Durable, as every commit here, and it must be: a crash of the server does not restart the
        /// sender's host, so a go-ahead lost with it would leave a row InFlight that a rerun takes for
        /// never handed over, and sends again.
        /// </summary>
        public void HandOver(long reservationId, DateTimeOffset at, int attempts) =>
            Update(reservationId, SendStatus.Unknown, at, StoreLedger.HandedOverReply, attempts);

        /// <summary>Every outcome is written at once here (<see cref="CompleteSent"/>): nothing to keep beside it.</summary>
        public void Delivered(long reservationId, DateTimeOffset at, int attempts, string reply) { }

        /// <summary>At once: a commit on the server costs a round trip, whichever transaction it is in.</summary>
        public void CompleteSent(long reservationId, DateTimeOffset at, string reply, int attempts) =>
            Update(reservationId, SendStatus.Sent, at, reply, attempts);

        public void WriteHeldOutcomes() { }

        void Update(long reservationId, SendStatus status, DateTimeOffset at, string? reply, int attempts) =>
            _db.Execute("UPDATE sends SET status=@s, completed_at=@t, reply=@r, attempts=@n WHERE id=@id",
                P("s", status.ToString()), P("t", at.ToUnixTimeMilliseconds()), P("r", reply), P("n", attempts), P("id", reservationId));

        /// <summary>
        /// Use of a window in a few index seeks: the latest totals minus the totals of the last row at
        /// or before <paramref name="since"/>, less the (rare) released rows in between.
        /// </summary>
        public WindowUse UseSince(string account, DateTimeOffset since) => UseSince(account, new[] { since })[0];

        /// <summary>Several windows in one statement (one round trip): the latest totals once, then per window its start's totals and released rows.</summary>
        public IReadOnlyList<WindowUse> UseSince(string account, IReadOnlyList<DateTimeOffset> sinces) => _db.Query(@"
WITH latest AS (SELECT cum_messages, cum_recipients FROM sends WHERE account=@a ORDER BY cum_messages DESC LIMIT 1)
SELECT
  (COALESCE((SELECT cum_messages FROM latest), 0)
    - COALESCE((SELECT cum_messages FROM sends WHERE account=@a AND reserved_at<=w.since ORDER BY reserved_at DESC, cum_messages DESC LIMIT 1), 0)
    - (SELECT COUNT(*) FROM sends WHERE account=@a AND status='Released' AND reserved_at>w.since))::int,
  (COALESCE((SELECT cum_recipients FROM latest), 0)
    - COALESCE((SELECT cum_recipients FROM sends WHERE account=@a AND reserved_at<=w.since ORDER BY reserved_at DESC, cum_messages DESC LIMIT 1), 0)
    - COALESCE((SELECT SUM(recipients) FROM sends WHERE account=@a AND status='Released' AND reserved_at>w.since), 0))::int
FROM unnest(@sinces) WITH ORDINALITY AS w(since, n) ORDER BY w.n",
            r => new WindowUse(r.GetInt32(0), r.GetInt32(1)), P("a", account), P("sinces", sinces.Select(s => s.ToUnixTimeMilliseconds()).ToArray()));

        public IReadOnlyList<ReservationPoint> ReservationsSince(string account, DateTimeOffset since, int max) => _db.Query(
            "SELECT reserved_at, recipients FROM sends WHERE account=@a AND reserved_at>@since AND status<>'Released' ORDER BY reserved_at LIMIT @max",
            r => new ReservationPoint(DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)), r.GetInt32(1)),
            P("a", account), P("since", since.ToUnixTimeMilliseconds()), P("max", max));

        /// <summary>Only inside the reservation's transaction (the gate asks there): read when its lock was taken.</summary>
        public DateTimeOffset? LastReservationAt(string account) => _lastAt;

        public long Insert(ReservationRequest r, DateTimeOffset at) => (long)_db.Scalar(@"
WITH last AS (SELECT reserved_at, cum_messages, cum_recipients FROM sends WHERE account=@a ORDER BY cum_messages DESC LIMIT 1)
INSERT INTO sends(account, campaign, recipient, recipients, reserved_at, cum_messages, cum_recipients, status, message_id, owner)
SELECT @a, @c, @r, @n,
  CASE WHEN COALESCE(l.reserved_at, 0) > @t + @ahead THEN @t ELSE GREATEST(@t, COALESCE(l.reserved_at, 0)) END,
  COALESCE(l.cum_messages, 0) + 1, COALESCE(l.cum_recipients, 0) + @n, 'InFlight', @m, @o
FROM (SELECT 1) AS one LEFT JOIN last l ON true
RETURNING id",
            P("a", r.Account), P("c", r.Campaign), P("r", r.Recipient), P("n", r.Recipients), P("t", at.ToUnixTimeMilliseconds()),
            P("ahead", (long)QuotaGate.ImplausibleAhead.TotalMilliseconds), P("m", r.MessageId), P("o", ProcessIdentity.Current))!;
    }
}
