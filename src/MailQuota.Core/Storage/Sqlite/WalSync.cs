using System;
using System.Collections.Generic;
using System.IO;

namespace MailQuota.Core.Storage.Sqlite
{
    /// <summary>
    /// The reservations a connection committed without waiting for the disk (synchronous=NORMAL: in
    /// the WAL, safe from the process dying, not yet from a power cut), and the sync of the WAL file
    /// that makes one durable before its message goes out. A sync serves every reservation committed
    /// before it: with messages queued on a connection, the first one's sync serves those behind it.
    /// Safe from any thread: the connections' threads sync while the run's thread commits.
    /// </summary>
    internal sealed class WalSync : IDisposable
    {
        readonly string _ledgerPath;
        readonly string _walPath;
        readonly object _turn = new object();
        readonly HashSet<long> _unsynced = new HashSet<long>();
        FileStream? _wal;

        public WalSync(string ledgerPath)
        {
            _ledgerPath = ledgerPath;
            _walPath = ledgerPath + "-wal";
        }

        /// <summary>The syncs made so far.</summary>
        public long Syncs { get; private set; }

        /// <summary>The reservation was committed without a sync (on the run's thread).</summary>
        public void Committed(long reservationId)
        {
            lock (_unsynced) _unsynced.Add(reservationId);
        }

        /// <summary>Makes the reservation durable: one fsync of the WAL for it and every other committed before, unless an earlier one covered it.</summary>
        public void Sync(long reservationId)
        {
            lock (_turn)
            {
                long[] covered;
                lock (_unsynced)
                {
                    if (!_unsynced.Contains(reservationId)) return;
                    covered = new long[_unsynced.Count];
                    _unsynced.CopyTo(covered);
                }
                try
                {
                    // The WAL is there once a commit wrote it, and stays while this connection is open; a file
                    // whose system refused WAL (a rollback journal) took the commit itself.
                    _wal ??= new FileStream(File.Exists(_walPath) ? _walPath : _ledgerPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
                    _wal.Flush(flushToDisk: true);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    throw LedgerUnavailableException.Unreadable(_ledgerPath, "its log cannot be written to disk: " + e.Message.TrimEnd('.'), e);
                }
                Syncs++;
                lock (_unsynced) _unsynced.ExceptWith(covered);
            }
        }

        public void Dispose()
        {
            lock (_turn) _wal?.Dispose();
        }
    }
}
