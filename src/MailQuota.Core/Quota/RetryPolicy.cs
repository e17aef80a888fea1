using System;

namespace MailQuota.Core.Quota
{
    /// <summary>
    /// How often and how late a refused message is tried again: capped exponential backoff with
    /// "equal jitter" (half the delay fixed, half random), so several senders throttled together do
    /// not come back together.
    /// </summary>
    public sealed class RetryPolicy
    {
        /// <summary>SMTP transactions per message at most (the first one included).</summary>
        public int MaxAttempts { get; set; } = 5;
        /// <summary>
        /// How long a throttled message keeps being tried after its first attempt, whatever
        /// <see cref="MaxAttempts"/> says: a throttle asks for time, not for giving up (Postfix's anvil
        /// refuses until its rate window ends, which five quick attempts may not reach).
        /// </summary>
        public TimeSpan ThrottleBudget { get; set; } = TimeSpan.FromMinutes(15);

        public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(2);
        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>The wait after the given failed attempt (1-based), between half and all of min(MaxDelay, BaseDelay × 2^(attempt-1)).</summary>
        public TimeSpan Delay(int attempt, Random random)
        {
            var exponent = Math.Min(Math.Max(attempt - 1, 0), 30);
            var capped = Math.Min(MaxDelay.Ticks, BaseDelay.Ticks * (double)(1L << exponent));
            return TimeSpan.FromTicks((long)(capped / 2 + random.NextDouble() * capped / 2));
        }
    }
}
