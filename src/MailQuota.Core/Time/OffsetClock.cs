using System;
using System.Threading;

namespace MailQuota.Core.Time
{
    /// <summary>Another clock moved by a fixed or measured difference (e.g. to the database server's clock).</summary>
    public sealed class OffsetClock : IClock
    {
        readonly IClock _inner;

        public OffsetClock(IClock inner, TimeSpan offset)
        {
            _inner = inner;
            Offset = offset;
        }

        /// <summary>How far this clock is ahead of the inner one (negative: behind).</summary>
        public TimeSpan Offset { get; set; }

        public DateTimeOffset UtcNow => _inner.UtcNow + Offset;

        public void Sleep(TimeSpan duration, CancellationToken cancellationToken) => _inner.Sleep(duration, cancellationToken);
    }
}
