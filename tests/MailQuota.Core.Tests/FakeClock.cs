using System;
using System.Threading;
using MailQuota.Core.Time;

namespace MailQuota.Core.Tests
{
    /// <summary>
    /// A clock that only moves when told to; Sleep advances it instead of waiting. Safe to read from a
    /// connection's thread while the run's thread moves it.
    /// </summary>
    public sealed class FakeClock : IClock
    {
        readonly object _lock = new object();
        DateTimeOffset _now;
        TimeSpan _slept;

        public FakeClock(DateTimeOffset start) => _now = start;

        public FakeClock() : this(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero)) { }

        public DateTimeOffset UtcNow { get { lock (_lock) return _now; } }

        public TimeSpan Slept { get { lock (_lock) return _slept; } }

        public void Advance(TimeSpan by) { lock (_lock) _now += by; }

        public void Sleep(TimeSpan duration, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (duration <= TimeSpan.Zero) return;
            lock (_lock)
            {
                _now += duration;
                _slept += duration;
            }
        }
    }

    /// <summary>A ledger file in a fresh temporary folder, removed afterwards.</summary>
    public sealed class TempLedger : IDisposable
    {
        public TempLedger()
        {
            Folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mqps-" + Guid.NewGuid().ToString("N"));
            System.IO.Directory.CreateDirectory(Folder);
            Path = System.IO.Path.Combine(Folder, "ledger.db");
        }

        public string Folder { get; }
        public string Path { get; }

        public void Dispose()
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { System.IO.Directory.Delete(Folder, true); } catch (System.IO.IOException) { }
        }
    }
}
