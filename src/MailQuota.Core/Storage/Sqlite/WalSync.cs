using System;
using System.IO;
using System.Threading;

namespace MailQuota.Core.Storage.Sqlite
{
    /// <summary>
    /// The reservations a connection committed without waiting for the disk (synchronous=NORMAL: in
    /// the WAL, safe from the process dying, not yet from a power cut), and the sync of the WAL file
    /// that makes them durable before any of their messages goes out. One sync serves every
    /// reservation committed before it: with several messages reserved ahead, one serves several.
    /// Safe from any thread: the connections' threads sync while the run's thread commits.
    /// </summary>
    internal sealed class WalSync : IDisposable
    {
        readonly string _ledgerPath;
        readonly string _walPath;
        readonly object _turn = new object();
        long _committed;
        long _synced;
        FileStream? _wal;

        public WalSync(string ledgerPath)
        {
            _ledgerPath = ledgerPath;
            _walPath = ledgerPath + "-wal";
        }

        /// <summary>The syncs made so far.</summary>
        public long Syncs { get; private set; }

        /// <summary>A reservation was committed without a sync (on the run's thread).</summary>
        public void Committed() => Interlocked.Increment(ref _committed);

        /// <summary>Makes every reservation committed so far durable: one fsync of the WAL, unless an earlier one already covered them.</summary>
        public void Sync()
        {
            var target = Interlocked.Read(ref _committed);
            lock (_turn)
            {
                if (_synced >= target) return;
                try
                {
                    // The WAL is there once a commit wrote it, and stays while this connection is open.
                    _wal ??= new FileStream(_walPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
                    _wal.Flush(flushToDisk: true);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    throw LedgerUnavailableException.Unreadable(_ledgerPath, "its log cannot be written to disk: " + e.Message.TrimEnd('.'), e);
                }
                _synced = target;
                Syncs++;
            }
        }

        public void Dispose()
        {
            lock (_turn) _wal?.Dispose();
        }
    }
}
