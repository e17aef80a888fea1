using System;
using System.Collections.Generic;
using System.Linq;
using MailQuota.Core.Quota;

namespace MailQuota.Core.Storage.Sqlite
{
    /// <summary>
    /// The sends as the quota sees them: reservations made under an exclusive transaction, their
    /// outcome, and the use of a window. Every row carries its account's running totals.
    /// </summary>
    internal sealed class SqliteReservations : IReservationRows
    {
        readonly SqliteDatabase _db;
        readonly GoAheadJournal _goAheads;
        readonly WalSync _walSync;
        readonly List<HeldOutcome> _held = new List<HeldOutcome>();
        bool _syncLater;
        long _inserted;
        int _heldInTransaction;

        public SqliteReservations(SqliteDatabase db, GoAheadJournal goAheads, WalSync walSync)
        {
            _db = db;
            _goAheads = goAheads;
            _walSync = walSync;
        }

        /// <summary>
        /// BEGIN IMMEDIATE: the whole file is the lock, so processes decide one after the other. A
        /// reservation made durable later (<see cref="WalSync"/>) commits with synchronous=NORMAL, which
        /// can only be set outside a transaction.
        /// </summary>
        public void Begin(string account, bool durableAtCommit)
        {
            _syncLater = !durableAtCommit;
            if (_syncLater) _db.Execute("PRAGMA synchronous=NORMAL;");
            try { _db.BeginImmediate(); }
            catch
            {
                FullSyncAgain();
                throw;
            }
            try
            {
                _heldInTransaction = WriteHeld();
            }
            catch
            {
                Rollback();
                throw;
            }
        }

        /// <summary>A COMMIT that fails leaves the transaction open, for the rollback (which restores the sync).</summary>
        public void Commit()
        {
            _db.Execute("COMMIT;");
            _held.RemoveRange(0, _heldInTransaction);
            _heldInTransaction = 0;
            if (_syncLater) _walSync.Committed(_inserted);
            FullSyncAgain();
        }

        /// <summary>The outcomes held back stay held: the rollback took them out of the transaction too.</summary>
        public void Rollback()
        {
            _heldInTransaction = 0;
            try { _db.Execute("ROLLBACK;"); }
            finally { FullSyncAgain(); }
        }

        /// <summary>Every commit after a reservation to be synced later (see <see cref="Begin"/>) syncs at once again.</summary>
        void FullSyncAgain()
        {
            if (!_syncLater) return;
            _syncLater = false;
            _db.Execute("PRAGMA synchronous=FULL;");
        }

        /// <summary>The reservation committed without a sync becomes durable (any thread).</summary>
        public void MakeDurable(long reservationId) => _walSync.Sync(reservationId);

        /// <summary>
        /// Records the outcome. Only the reservation needs a full sync: this update is committed with
        /// synchronous=NORMAL (durable against a process crash, not a power cut), halving the syncs
        /// per message. Should a power cut lose it, the row stays InFlight, which still counts against
        /// the quota and, after the host restarted, is reported Unknown, never resent: the safe side.
        /// </summary>
        public void Complete(long reservationId, SendStatus status, DateTimeOffset at, string? reply, int attempts) =>
            _db.WithoutFullSync(() => Update(reservationId, status, at, reply, attempts));

        /// <summary>
        /// Held back and written in the next reservation's transaction (<see cref="Begin"/>), which commits
        /// anyway: an outcome of its own cost a second commit a message, with its locks and the pages of
        /// the row and its indexes written twice (in a run on loopback: 18 lock calls and 28 WAL writes a
        /// message, now 12 and 22). Until then the row reads InFlight; should the process die first, the
        /// delivery the handover connection recorded (<see cref="Delivered"/>) makes it Sent.
        /// </summary>
        public void CompleteSent(long reservationId, DateTimeOffset at, string reply, int attempts)
        {
            _held.Add(new HeldOutcome(reservationId, at, reply, attempts));
            if (_held.Count >= MaxHeld) WriteHeldOutcomes();
        }

        /// <summary>Outcomes held back at most: more are written in a transaction of their own.</summary>
        const int MaxHeld = 64;

        public void WriteHeldOutcomes()
        {
            if (_held.Count == 0) return;
            _db.WithoutFullSync(() => _db.Exclusive(WriteHeld));
            _held.Clear();
        }

        /// <summary>The held Sent outcomes, in the transaction open; returns how many.</summary>
        int WriteHeld()
        {
            foreach (var outcome in _held) Update(outcome.Id, SendStatus.Sent, outcome.At, outcome.Reply, outcome.Attempts);
            return _held.Count;
        }

        void Update(long reservationId, SendStatus status, DateTimeOffset at, string? reply, int attempts)
        {
            var cmd = _db.Prepared("UPDATE sends SET status=$s, completed_at=$t, reply=$r, attempts=$n WHERE id=$id");
            cmd.Parameters.AddWithValue("$s", status.ToString());
            cmd.Parameters.AddWithValue("$t", at.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$r", (object?)reply ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$n", attempts);
            cmd.Parameters.AddWithValue("$id", reservationId);
            cmd.ExecuteNonQuery();
        }

        readonly struct HeldOutcome
        {
            public HeldOutcome(long id, DateTimeOffset at, string reply, int attempts) { Id = id; At = at; Reply = reply; Attempts = attempts; }
            public long Id { get; }
            public DateTimeOffset At { get; }
            public string Reply { get; }
            public int Attempts { get; }
        }

        /// <summary>
        /// Appended to the connection's go-ahead journal, not written into the ledger, so the data follows
        /// it at once (<see cref="GoAheadJournal"/>); the row reads Unknown from now on.
        /// </summary>
        public void HandOver(long reservationId, DateTimeOffset at, int attempts) => _goAheads.Add(reservationId, at, attempts);

        /// <summary>Appended to the same journal: a row it holds as taken folds into Sent, not Unknown.</summary>
        public void Delivered(long reservationId, DateTimeOffset at, int attempts, string reply) => _goAheads.Taken(reservationId, at, attempts, reply);

        /// <summary>
        /// Use of a window in a few index seeks, however full it is: the use after <paramref name="since"/>
        /// is the latest totals minus the totals of the last row at or before it, less the (rare)
        /// released rows in between.
        /// </summary>
        public WindowUse UseSince(string account, DateTimeOffset since)
        {
            var cmd = _db.Prepared(@"
SELECT
  COALESCE((SELECT cum_messages FROM sends WHERE account=$a ORDER BY cum_messages DESC LIMIT 1), 0)
    - COALESCE((SELECT cum_messages FROM sends WHERE account=$a AND reserved_at<=$since ORDER BY reserved_at DESC, cum_messages DESC LIMIT 1), 0)
    - (SELECT COUNT(*) FROM sends WHERE account=$a AND status='Released' AND reserved_at>$since),
  COALESCE((SELECT cum_recipients FROM sends WHERE account=$a ORDER BY cum_messages DESC LIMIT 1), 0)
    - COALESCE((SELECT cum_recipients FROM sends WHERE account=$a AND reserved_at<=$since ORDER BY reserved_at DESC, cum_messages DESC LIMIT 1), 0)
    - (SELECT TOTAL(recipients) FROM sends WHERE account=$a AND status='Released' AND reserved_at>$since)");
            cmd.Parameters.AddWithValue("$a", account);
            cmd.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
            using var reader = cmd.ExecuteReader();
            reader.Read();
            return new WindowUse(reader.GetInt32(0), (int)reader.GetDouble(1));
        }

        /// <summary>Each window in turn: reads of a file cost no round trip.</summary>
        public IReadOnlyList<WindowUse> UseSince(string account, IReadOnlyList<DateTimeOffset> sinces) =>
            sinces.Select(since => UseSince(account, since)).ToList();

        public IReadOnlyList<ReservationPoint> ReservationsSince(string account, DateTimeOffset since, int max)
        {
            using var cmd = _db.Command(
                "SELECT reserved_at, recipients FROM sends WHERE account=$a AND reserved_at>$since AND status<>'Released' ORDER BY reserved_at LIMIT $max");
            cmd.Parameters.AddWithValue("$a", account);
            cmd.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$max", max);
            using var reader = cmd.ExecuteReader();
            var list = new List<ReservationPoint>();
            while (reader.Read())
                list.Add(new ReservationPoint(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), reader.GetInt32(1)));
            return list;
        }

        public DateTimeOffset? LastReservationAt(string account)
        {
            // The last one made (insertion order): after a clock that ran ahead, the next reservation is the last again.
            var cmd = _db.Prepared("SELECT reserved_at FROM sends WHERE account=$a AND status<>'Released' ORDER BY cum_messages DESC LIMIT 1");
            cmd.Parameters.AddWithValue("$a", account);
            return cmd.ExecuteScalar() is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
        }

        public long Insert(ReservationRequest r, DateTimeOffset at)
        {
            // The running totals follow the order of insertion (the latest row is the one with the
            // largest totals). The time is clamped to the account's latest, so totals also follow time
            // order when the wall clock steps back a little; a latest time implausibly far ahead (a
            // clock that ran ahead) is not followed, or every later send would carry its stamp.
            var cmd = _db.Prepared(@"
WITH last AS (SELECT reserved_at, cum_messages, cum_recipients FROM sends WHERE account=$a ORDER BY cum_messages DESC LIMIT 1)
INSERT INTO sends(account, campaign, recipient, recipients, reserved_at, cum_messages, cum_recipients, status, message_id, owner)
VALUES($a, $c, $r, $n,
  CASE WHEN COALESCE((SELECT reserved_at FROM last), 0) > $t + $ahead THEN $t ELSE MAX($t, COALESCE((SELECT reserved_at FROM last), 0)) END,
  COALESCE((SELECT cum_messages FROM last), 0) + 1,
  COALESCE((SELECT cum_recipients FROM last), 0) + $n,
  'InFlight', $m, $o);
SELECT last_insert_rowid();");
            cmd.Parameters.AddWithValue("$a", r.Account);
            cmd.Parameters.AddWithValue("$c", (object?)r.Campaign ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$r", r.Recipient);
            cmd.Parameters.AddWithValue("$n", r.Recipients);
            cmd.Parameters.AddWithValue("$t", at.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$ahead", (long)QuotaGate.ImplausibleAhead.TotalMilliseconds);
            cmd.Parameters.AddWithValue("$m", (object?)r.MessageId ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$o", ProcessIdentity.Current);
            return _inserted = (long)cmd.ExecuteScalar()!;
        }
    }
}
