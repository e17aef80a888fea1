using System;
using System.Threading;
using System.Threading.Tasks;

namespace MailQuota.Core.Time
{
    /// <summary>Time source for every quota decision; tests inject a fake one.</summary>
    public interface IClock
    {
        DateTimeOffset UtcNow { get; }

        /// <summary>Waits for the given time (cancellable). A fake clock advances instead.</summary>
        void Sleep(TimeSpan duration, CancellationToken cancellationToken);
    }

    public sealed class SystemClock : IClock
    {
        public static readonly SystemClock Instance = new SystemClock();

        public DateTimeOffset UtcNow => DateTimeOffset.UtcNow;

        public void Sleep(TimeSpan duration, CancellationToken cancellationToken)
        {
            if (duration <= TimeSpan.Zero) { cancellationToken.ThrowIfCancellationRequested(); return; }
            Task.Delay(duration, cancellationToken).GetAwaiter().GetResult();
        }
    }
}
