using System;
using System.Threading;
using MailQuota.Core.Sending;
using MailQuota.Core.Time;

namespace MailQuota.Core.Storage.Postgres
{
    /// <summary>
    /// The fleet ledger: one PostgreSQL database shared by several hosts. Opens the connection
    /// (bringing the schema up to date, or refusing a newer one with <see cref="LedgerTooNewException"/>)
    /// and offers each policy its store, all over one connection. One clock for the fleet:
    /// <see cref="ClockFor"/> gives the run the server's clock, set again from the server's
    /// clock_timestamp() each time an account's lock is taken, so every reservation is judged and
    /// stamped by the server's time and hosts with skewed clocks share the windows exactly.
    /// </summary>
    public sealed class PostgresLedger : StoreLedger
    {
        readonly PostgresDatabase _db;
        readonly PostgresReservations _sends;
        readonly Func<PostgresLedger>? _reopen;

        /// <param name="lockTimeout">How long to wait for another host's lock on an account before the ledger is busy (LedgerBusy); 30 s when omitted.</param>
        /// <param name="cancel">Cancels a wait for a lock (Ctrl+C).</param>
        public PostgresLedger(PostgresTarget target, TimeSpan? lockTimeout = null, CancellationToken cancel = default)
            : this(Open(target, lockTimeout, cancel))
        {
            _reopen = () => new PostgresLedger(target, lockTimeout, cancel);
        }

        PostgresLedger(PostgresDatabase db) : this(db, new PostgresReservations(db)) { }

        PostgresLedger(PostgresDatabase db, PostgresReservations sends)
            : base(sends, new PostgresAccounts(db), new PostgresPacing(db), new PostgresCampaigns(db), new PostgresFingerprints(db),
                new PostgresAlerts(db), new PostgresVolumeHistory(db, sends), new PostgresSendLog(db), new PostgresBounces(db))
        {
            _db = db;
            _sends = sends;
        }

        static PostgresDatabase Open(PostgresTarget target, TimeSpan? lockTimeout, CancellationToken cancel)
        {
            var db = new PostgresDatabase(target, lockTimeout ?? PostgresDatabase.DefaultLockTimeout, cancel);
            try { PostgresSchema.Upgrade(db); }
            catch
            {
                db.Dispose();
                throw;
            }
            return db;
        }

        public override string Location => _db.Location;

        /// <summary>The connection, for a copy of a whole ledger into this one (LedgerCopy).</summary>
        internal PostgresDatabase Database => _db;

        /// <summary>The schema version this module reads and writes.</summary>
        public static int SchemaVersion => PostgresSchema.Current;

        /// <summary>
        /// The server's clock as this host sees it: the host clock plus the difference measured now,
        /// measured again each time an account's lock is taken (the server's time then, against the
        /// host's on the answer), so the gate's "now" in a reservation is the server's.
        /// </summary>
        public override IClock ClockFor(IClock hostClock)
        {
            var clock = new OffsetClock(hostClock, _db.ServerNow() - hostClock.UtcNow);
            _sends.ServerTimeSeen = serverNow => clock.Offset = serverNow - hostClock.UtcNow;
            return clock;
        }

        public override IRunLedger OpenAnother() => _reopen!();

        public override void Dispose() => _db.Dispose();
    }
}
