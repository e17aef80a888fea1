using System;
using MailQuota.Core.Sending;
using MailQuota.Core.Time;

namespace MailQuota.Core.Storage.Sqlite
{
    /// <summary>
    /// The embedded ledger: one SQLite file per host, shared by every process of the user. Opens the
    /// file (bringing its schema up to date, or refusing a newer one with <see cref="LedgerTooNewException"/>)
    /// and offers each policy its store, all over one connection; it holds the rules that cross stores.
    /// </summary>
    public sealed class SqliteLedger : StoreLedger
    {
        readonly SqliteDatabase _db;
        readonly GoAheadJournal _goAheads;
        readonly WalSync _walSync;
        readonly SqliteReservations _sends;
        readonly TimeSpan? _busyTimeout;

        /// <param name="busyTimeout">How long to wait for another process's lock before the ledger is busy (LedgerBusy); 30 s when omitted.</param>
        public SqliteLedger(string path, TimeSpan? busyTimeout = null) : this(Open(path, busyTimeout))
        {
            _busyTimeout = busyTimeout;
        }

        SqliteLedger(SqliteDatabase db) : this(db, new GoAheadJournal(db), new WalSync(db.Path)) { }

        SqliteLedger(SqliteDatabase db, GoAheadJournal goAheads, WalSync walSync) : this(db, goAheads, walSync, new SqliteReservations(db, goAheads, walSync)) { }

        SqliteLedger(SqliteDatabase db, GoAheadJournal goAheads, WalSync walSync, SqliteReservations sends)
            : base(sends, new SqliteAccounts(db), new SqlitePacing(db), new SqliteCampaigns(db), new SqliteFingerprints(db),
                new SqliteAlerts(db), new SqliteVolumeHistory(db, sends), new SqliteSendLog(db), new SqliteBounces(db))
        {
            _db = db;
            _goAheads = goAheads;
            _walSync = walSync;
            _sends = sends;
        }

        static SqliteDatabase Open(string path, TimeSpan? busyTimeout)
        {
            var db = new SqliteDatabase(path, busyTimeout ?? SqliteDatabase.DefaultBusyTimeout);
            try
            {
                SqliteSchema.Upgrade(db);
                GoAheadJournal.FoldEnded(db);
            }
            catch (Microsoft.Data.Sqlite.SqliteException e)
            {
                db.Dispose();
                throw db.Unavailable(e);
            }
            catch
            {
                db.Dispose();
                throw;
            }
            return db;
        }

        public string Path => _db.Path;

        /// <summary>The syncs <see cref="StoreLedger.MakeReservationDurable"/> has made on this connection.</summary>
        internal long ReservationSyncs => _walSync.Syncs;

        /// <summary>The connection, for a copy of the whole ledger (LedgerCopy).</summary>
        internal SqliteDatabase Database => _db;

        public override string Location => _db.Path;

        /// <summary>One host, one clock: the host's.</summary>
        public override IClock ClockFor(IClock hostClock) => hostClock;

        /// <summary>The schema version this module reads and writes (PRAGMA user_version).</summary>
        public static int SchemaVersion => SqliteSchema.Current;

        public override IRunLedger OpenAnother() => new SqliteLedger(_db.Path, _busyTimeout);

        /// <summary>
        /// Writes the outcomes held back, folds the connection's go-ahead journal into the ledger
        /// (<see cref="GoAheadJournal"/>) and closes it: the journal is folded even when the write fails.
        /// </summary>
        public override void Dispose()
        {
            try { _sends.WriteHeldOutcomes(); }
            finally
            {
                try { _goAheads.Dispose(); }
                finally
                {
                    _walSync.Dispose();
                    _db.Dispose();
                }
            }
        }
    }
}
