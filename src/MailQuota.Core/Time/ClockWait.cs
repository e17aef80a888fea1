using System;
using System.Threading;

namespace MailQuota.Core.Time
{
    /// <summary>Waits on the clock in steps of at most a second, telling the caller the time left at each.</summary>
    public static class ClockWait
    {
        /// <summary>The longest single sleep, so the caller can show the time left as it runs down.</summary>
        public static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

        /// <summary>One step of a wait: tells the caller, then sleeps at most <see cref="Tick"/>.</summary>
        public static void Step(this IClock clock, DateTimeOffset until, int row, string recipient, string reason, Action<WaitNotice>? onWait, CancellationToken cancellationToken)
        {
            var remaining = until - clock.UtcNow;
            onWait?.Invoke(new WaitNotice(row, recipient, until, remaining, reason));
            clock.Sleep(remaining < Tick ? remaining : Tick, cancellationToken);
        }

        public static void WaitUntil(this IClock clock, DateTimeOffset until, int row, string recipient, string reason, Action<WaitNotice>? onWait, CancellationToken cancellationToken)
        {
            while (clock.UtcNow < until) clock.Step(until, row, recipient, reason, onWait, cancellationToken);
        }
    }
}
