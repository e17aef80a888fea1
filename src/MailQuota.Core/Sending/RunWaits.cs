using System;
using System.Threading;
using MailQuota.Core.Time;

namespace MailQuota.Core.Sending
{
    /// <summary>
    /// The run's waits. Nothing stays on its way while the run waits: the messages out on the
    /// connections are answered and recorded first (their rows written), then the clock waits.
    /// </summary>
    internal sealed class RunWaits
    {
        readonly IClock _clock;
        readonly Action<CancellationToken, Action<WaitNotice>?> _drain;

        /// <param name="drain">Takes in every message still on a connection.</param>
        public RunWaits(IClock clock, Action<CancellationToken, Action<WaitNotice>?> drain)
        {
            _clock = clock; _drain = drain;
        }

        /// <summary>Waits until then (in steps the clock chooses, with notices).</summary>
        public void WaitUntil(DateTimeOffset until, string reason, PendingRow row, CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            DrainBefore(until, cancellationToken, onWait);
            _clock.WaitUntil(until, row.Row.Number, row.To.Address, reason, onWait, cancellationToken);
        }

        /// <summary>Waits one step towards then, so the caller can look again (a quota may free earlier).</summary>
        public void Tick(DateTimeOffset until, string reason, PendingRow row, CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            DrainBefore(until, cancellationToken, onWait);
            _clock.Step(until, row.Row.Number, row.To.Address, reason, onWait, cancellationToken);
        }

        /// <summary>A wait that lasts first takes in the messages out (a wait that is already over does not).</summary>
        void DrainBefore(DateTimeOffset until, CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            if (until > _clock.UtcNow) _drain(cancellationToken, onWait);
        }
    }
}
