using System;
using System.Threading;
using MailQuota.Core.Time;

namespace MailQuota.Core.Tests
{
    /// <summary>A clock that only moves when told to; Sleep advances it instead of waiting.</summary>
    public sealed class FakeClock : IClock
    {
        public FakeClock(DateTimeOffset start) => UtcNow = start;

        public FakeClock() : this(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero)) { }

        public DateTimeOffset UtcNow { get; private set; }

        public TimeSpan Slept { get; private set; }

        public void Advance(TimeSpan by) => UtcNow += by;

        public void Sleep(TimeSpan duration, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (duration <= TimeSpan.Zero) return;
            UtcNow += duration;
            Slept += duration;
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
