using System;
using System.Collections.Generic;

namespace MailQuota.Core.Quota
{
    /// <summary>
    /// Additive-increase, multiplicative-decrease pacing of one account. A throttle reply halves the
    /// rate (doubles the interval between messages, at least <see cref="Floor"/>); every accepted
    /// message then adds a sixteenth of the policy's rate back, and once the pace reaches the
    /// policy's own the pacing is dropped: the policy's windows always apply as well, so the pace
    /// never goes above the policy.
    /// </summary>
    public static class AdaptivePace
    {
        /// <summary>After a throttle reply, never faster than this until the pace has recovered.</summary>
        public static readonly TimeSpan Floor = TimeSpan.FromSeconds(1);

        /// <summary>The slowest pace: however often the server throttles, one message per this.</summary>
        public static readonly TimeSpan Ceiling = TimeSpan.FromMinutes(10);

        /// <summary>The pace an account recovers to when its policy sets no per-minute limit or interval.</summary>
        public static readonly TimeSpan Unlimited = TimeSpan.FromMilliseconds(100);

        const int RecoverySteps = 16;

        /// <summary>The policy's steadiest pace: its minimum interval, or its per-minute limit spread over the minute.</summary>
        public static TimeSpan PolicyInterval(QuotaPolicy policy)
        {
            var interval = policy.MinInterval ?? TimeSpan.Zero;
            if (policy.MessagesPerMinute is int perMinute && perMinute > 0)
            {
                var spread = TimeSpan.FromTicks(TimeSpan.FromMinutes(1).Ticks / perMinute);
                if (spread > interval) interval = spread;
            }
            return interval > TimeSpan.Zero ? interval : Unlimited;
        }

        /// <summary>
        /// The interval the account was sending at: its pacing, else the mean gap between its
        /// reservations of the last minute (oldest first), else the policy's pace.
        /// </summary>
        public static TimeSpan Current(PacingState? pacing, IReadOnlyList<ReservationPoint> lastMinute, QuotaPolicy policy)
        {
            if (pacing?.Interval is TimeSpan interval) return interval;
            if (lastMinute.Count >= 2)
                return TimeSpan.FromTicks((lastMinute[lastMinute.Count - 1].At - lastMinute[0].At).Ticks / (lastMinute.Count - 1));
            return PolicyInterval(policy);
        }

        /// <summary>The interval after a throttle reply: twice the current one, within <see cref="Floor"/> and <see cref="Ceiling"/>.</summary>
        public static TimeSpan Slowed(TimeSpan current)
        {
            var doubled = TimeSpan.FromTicks(Math.Min(current.Ticks * 2, Ceiling.Ticks));
            return doubled < Floor ? Floor : doubled;
        }

        /// <summary>The interval after an accepted message; null once the pace is back at the policy's.</summary>
        public static TimeSpan? Recovered(TimeSpan interval, QuotaPolicy policy)
        {
            var target = PolicyInterval(policy);
            var rate = 1 / interval.TotalSeconds + 1 / target.TotalSeconds / RecoverySteps;
            var next = TimeSpan.FromSeconds(1 / rate);
            return next <= target ? (TimeSpan?)null : next;
        }
    }
}
