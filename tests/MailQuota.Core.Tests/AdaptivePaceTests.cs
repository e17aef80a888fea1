using System;
using System.Linq;
using MailQuota.Core.Quota;

namespace MailQuota.Core.Tests
{
    public sealed class AdaptivePaceTests
    {
        static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

        [Fact]
        public void The_policy_pace_is_its_interval_or_its_minute_limit_spread_over_the_minute()
        {
            Assert.Equal(TimeSpan.FromSeconds(2), AdaptivePace.PolicyInterval(new QuotaPolicy { MessagesPerMinute = 30 }));
            Assert.Equal(TimeSpan.FromSeconds(5), AdaptivePace.PolicyInterval(new QuotaPolicy { MessagesPerMinute = 30, MinInterval = TimeSpan.FromSeconds(5) }));
            Assert.Equal(AdaptivePace.Unlimited, AdaptivePace.PolicyInterval(new QuotaPolicy { MessagesPerDay = 1000 }));
        }

        [Fact]
        public void A_throttle_halves_the_pace_the_account_was_sending_at_within_floor_and_ceiling()
        {
            var policy = new QuotaPolicy { MessagesPerMinute = 30 };
            var sends = Enumerable.Range(0, 11).Select(i => new ReservationPoint(T0.AddSeconds(3 * i), 1)).ToList();
            var current = AdaptivePace.Current(null, sends, policy);
            Assert.Equal(TimeSpan.FromSeconds(3), current);
            Assert.Equal(TimeSpan.FromSeconds(6), AdaptivePace.Slowed(current));
            Assert.Equal(TimeSpan.FromSeconds(12), AdaptivePace.Slowed(AdaptivePace.Current(new PacingState { Interval = TimeSpan.FromSeconds(6) }, sends, policy)));
            Assert.Equal(AdaptivePace.Floor, AdaptivePace.Slowed(TimeSpan.FromMilliseconds(5)));
            Assert.Equal(AdaptivePace.Ceiling, AdaptivePace.Slowed(TimeSpan.FromMinutes(8)));
        }

        [Fact]
        public void Successes_raise_the_pace_step_by_step_until_the_policy_pace_then_pacing_ends()
        {
            var policy = new QuotaPolicy { MessagesPerMinute = 30 }; // 2 s
            TimeSpan? interval = TimeSpan.FromSeconds(4);
            var steps = 0;
            var previous = interval.Value;
            while (interval is TimeSpan current)
            {
                Assert.True(current > TimeSpan.FromSeconds(2), "never faster than the policy");
                Assert.True(current <= previous);
                previous = current;
                interval = AdaptivePace.Recovered(current, policy);
                steps++;
            }
            // From half the policy's rate, a sixteenth of it per success: eight successes.
            Assert.Equal(8, steps);
        }

        [Fact]
        public void Retry_delays_grow_exponentially_with_jitter_and_are_capped()
        {
            var retry = new RetryPolicy { BaseDelay = TimeSpan.FromSeconds(2), MaxDelay = TimeSpan.FromSeconds(20) };
            var random = new Random(7);
            for (var attempt = 1; attempt <= 8; attempt++)
            {
                var full = TimeSpan.FromSeconds(Math.Min(20, 2 * Math.Pow(2, attempt - 1)));
                var delays = Enumerable.Range(0, 50).Select(_ => retry.Delay(attempt, random)).ToList();
                Assert.All(delays, d => Assert.InRange(d, full / 2, full));
                Assert.True(delays.Distinct().Count() > 1, "jittered");
            }
        }
    
        [Fact]
        public void Pacing_is_described_by_what_holds_the_account_back_now()
        {
            var now = new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);
            Assert.Null(new PacingState().Describe(now));
            Assert.Equal("1 msg per 4 s", new PacingState { Interval = TimeSpan.FromSeconds(4) }.Describe(now));
            Assert.StartsWith("cooling to ", new PacingState { Interval = TimeSpan.FromSeconds(4), CooldownUntil = now.AddSeconds(30) }.Describe(now));
            var suspended = new PacingState { Interval = TimeSpan.FromSeconds(4), SuspendedUntil = now.AddHours(20) };
            Assert.StartsWith("suspended to ", suspended.Describe(now));
            Assert.Equal("1 msg per 4 s", suspended.Describe(now.AddHours(21)));        // the suspension has ended
        }
    }
}
