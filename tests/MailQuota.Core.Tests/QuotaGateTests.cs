using System;
using System.Linq;
using MailQuota.Core.Quota;
using MailQuota.Core.Storage;
using MailQuota.Core.Tests.Postgres;

namespace MailQuota.Core.Tests
{
    public abstract class QuotaGateTests : IDisposable
    {
        readonly LedgerEngine _engine;
        readonly ILedgerStores _ledger;
        readonly FakeClock _clock = new FakeClock();
        readonly QuotaGate _gate;

        protected QuotaGateTests(LedgerEngine engine)
        {
            _engine = engine;
            _ledger = _engine.Open();
            _gate = new QuotaGate(_ledger, _clock);
        }

        public void Dispose() { _ledger.Dispose(); _engine.Dispose(); }

        ReserveDecision Reserve(QuotaPolicy policy, int recipients = 1, string account = "a@example.test") =>
            _gate.TryReserve(policy, new ReservationRequest(account, "r@example.test", recipients));

        [SkippableFact]
        public void Grants_up_to_the_per_minute_limit_then_waits_exactly_until_the_oldest_leaves()
        {
            var policy = new QuotaPolicy { MessagesPerMinute = 3 };
            var start = _clock.UtcNow;
            for (var i = 0; i < 3; i++) { Assert.True(Reserve(policy).Granted); _clock.Advance(TimeSpan.FromSeconds(10)); }
            var refused = Reserve(policy);
            Assert.False(refused.Granted);
            Assert.False(refused.Impossible);
            Assert.Equal(start + TimeSpan.FromMinutes(1), refused.RetryAt);
            Assert.Contains("3 messages per minute", refused.Reason);
        }

        [SkippableFact]
        public void A_reservation_leaves_the_window_exactly_at_its_length_not_a_millisecond_earlier()
        {
            var policy = new QuotaPolicy { MessagesPerMinute = 1 };
            Assert.True(Reserve(policy).Granted);
            _clock.Advance(TimeSpan.FromMinutes(1) - TimeSpan.FromMilliseconds(1));
            Assert.False(Reserve(policy).Granted);
            _clock.Advance(TimeSpan.FromMilliseconds(1));
            Assert.True(Reserve(policy).Granted);
        }

        [SkippableFact]
        public void The_longest_blocking_window_decides_the_wait()
        {
            var policy = new QuotaPolicy { MessagesPerMinute = 10, MessagesPerHour = 2 };
            var start = _clock.UtcNow;
            Assert.True(Reserve(policy).Granted);
            _clock.Advance(TimeSpan.FromMinutes(5));
            Assert.True(Reserve(policy).Granted);
            var refused = Reserve(policy);
            Assert.Equal(start + TimeSpan.FromHours(1), refused.RetryAt);
            Assert.Contains("per hour", refused.Reason);
        }

        [SkippableFact]
        public void Recipient_limits_count_recipients_and_wait_until_enough_of_them_leave()
        {
            var policy = new QuotaPolicy { RecipientsPerHour = 10 };
            var start = _clock.UtcNow;
            Assert.True(Reserve(policy, 4).Granted);           // t0: 4
            _clock.Advance(TimeSpan.FromMinutes(10));
            Assert.True(Reserve(policy, 4).Granted);           // t10: 8
            _clock.Advance(TimeSpan.FromMinutes(10));
            var refused = Reserve(policy, 7);                   // needs 8+7-10 = 5 freed: both rows
            Assert.Equal(start + TimeSpan.FromMinutes(70), refused.RetryAt);
            var fits = Reserve(policy, 2);                      // 8+2 = 10 fits
            Assert.True(fits.Granted);
        }

        [SkippableFact]
        public void A_message_larger_than_a_limit_can_never_be_sent()
        {
            var policy = new QuotaPolicy { MaxRecipientsPerMessage = 5, RecipientsPerDay = 100 };
            var tooMany = Reserve(policy, 6);
            Assert.True(tooMany.Impossible);
            Assert.Contains("maximum of 5", tooMany.Reason);
            var overDay = Reserve(new QuotaPolicy { RecipientsPerDay = 3 }, 4);
            Assert.True(overDay.Impossible);
        }

        [SkippableFact]
        public void Minimum_interval_is_measured_from_the_last_reservation()
        {
            var policy = new QuotaPolicy { MinInterval = TimeSpan.FromSeconds(2) };
            var first = Reserve(policy);
            Assert.True(first.Granted);
            _clock.Advance(TimeSpan.FromMilliseconds(500));
            var refused = Reserve(policy);
            Assert.Equal(first.At + TimeSpan.FromSeconds(2), refused.RetryAt);
            Assert.Contains("minimum interval", refused.Reason);
            _clock.Advance(TimeSpan.FromMilliseconds(1500));
            Assert.True(Reserve(policy).Granted);
        }

        [SkippableFact]
        public void Accounts_do_not_share_windows()
        {
            var policy = new QuotaPolicy { MessagesPerDay = 1 };
            Assert.True(Reserve(policy, account: "one@example.test").Granted);
            Assert.True(Reserve(policy, account: "two@example.test").Granted);
            Assert.False(Reserve(policy, account: "one@example.test").Granted);
        }

        [SkippableFact]
        public void Released_reservations_give_their_quota_back()
        {
            var policy = new QuotaPolicy { MessagesPerHour = 1 };
            var first = Reserve(policy);
            _ledger.Complete(first.ReservationId!.Value, SendStatus.Released, _clock.UtcNow, null, 0);
            Assert.True(Reserve(policy).Granted);
        }

        [SkippableFact]
        public void Window_counts_stay_exact_with_released_rows_between_and_a_clock_that_steps_back()
        {
            var policy = new QuotaPolicy { MessagesPerHour = 3, RecipientsPerHour = 10 };
            Assert.True(Reserve(policy, 2).Granted);
            var released = Reserve(policy, 5);
            _ledger.Complete(released.ReservationId!.Value, SendStatus.Released, _clock.UtcNow, null, 0);
            _clock.Advance(TimeSpan.FromMinutes(10));
            Assert.True(Reserve(policy, 3).Granted);
            _clock.Advance(TimeSpan.FromMinutes(-5));                 // NTP steps the clock back
            var use = _ledger.UseSince("a@example.test", _clock.UtcNow - TimeSpan.FromHours(1));
            Assert.Equal(2, use.Messages);
            Assert.Equal(5, use.Recipients);
            Assert.True(Reserve(policy, 5).Granted);                  // 10 recipients: exactly full
            Assert.False(Reserve(policy, 1).Granted);
            _clock.Advance(TimeSpan.FromMinutes(64));                 // the first row has left; the two at T+10 min remain
            Assert.Equal(2, _ledger.UseSince("a@example.test", _clock.UtcNow - TimeSpan.FromHours(1)).Messages);
        }

        [SkippableFact]
        public void Failed_and_in_flight_sends_still_count()
        {
            var policy = new QuotaPolicy { MessagesPerHour = 2 };
            var first = Reserve(policy);
            _ledger.Complete(first.ReservationId!.Value, SendStatus.Failed, _clock.UtcNow, "550 no", 1);
            Assert.True(Reserve(policy).Granted); // left in flight
            Assert.False(Reserve(policy).Granted);
        }

        [SkippableFact]
        public void Usage_reports_used_remaining_and_when_the_window_frees()
        {
            var policy = new QuotaPolicy { MessagesPerHour = 5, RecipientsPerDay = 100 };
            var start = _clock.UtcNow;
            Reserve(policy, 3);
            _clock.Advance(TimeSpan.FromMinutes(1));
            Reserve(policy, 2);
            var usage = _gate.Usage("a@example.test", policy);
            var hour = usage.Single(u => u.Window == "Hour");
            Assert.Equal(2, hour.Used);
            Assert.Equal(3, hour.Remaining);
            Assert.Equal(start + TimeSpan.FromHours(1), hour.ResetsAt);
            var day = usage.Single(u => u.Window == "Day");
            Assert.Equal(QuotaUnit.Recipients, day.Unit);
            Assert.Equal(5, day.Used);
            Assert.Equal(95, day.Remaining);
            var idle = _gate.Usage("nobody@example.test", policy);
            Assert.All(idle, u => { Assert.Equal(0, u.Used); Assert.Null(u.ResetsAt); });
        }

        [SkippableFact]
        public void A_full_simulated_day_never_exceeds_any_window()
        {
            var policy = new QuotaPolicy { MessagesPerMinute = 5, MessagesPerHour = 100, MessagesPerDay = 500 };
            var sent = new System.Collections.Generic.List<DateTimeOffset>();
            var end = _clock.UtcNow + TimeSpan.FromDays(1);
            while (_clock.UtcNow < end)
            {
                var d = Reserve(policy);
                if (d.Granted) sent.Add(d.At);
                else _clock.Sleep(d.RetryAt!.Value - _clock.UtcNow, default);
            }
            Assert.Equal(500, sent.Count);
            foreach (var t in sent)
            {
                Assert.True(sent.Count(s => s > t - TimeSpan.FromMinutes(1) && s <= t) <= 5);
                Assert.True(sent.Count(s => s > t - TimeSpan.FromHours(1) && s <= t) <= 100);
            }
        }

        [SkippableFact]
        public void A_reservation_stamped_by_a_clock_that_ran_ahead_warns_and_does_not_hold_the_account()
        {
            using var ledger = _engine.Open();
            var clock = new FakeClock(new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero));
            var gate = new QuotaGate(ledger, clock);
            var policy = new QuotaPolicy { MessagesPerMinute = 10, MinInterval = TimeSpan.FromSeconds(2) };
            Assert.True(gate.TryReserve(policy, new ReservationRequest("a", "x1@example.test")).Granted);
            clock.Advance(TimeSpan.FromDays(1));                                   // the clock jumps a day ahead
            Assert.True(gate.TryReserve(policy, new ReservationRequest("a", "x2@example.test")).Granted);
            clock.Advance(TimeSpan.FromDays(-1) + TimeSpan.FromMinutes(1));        // and is put right

            var after = gate.TryReserve(policy, new ReservationRequest("a", "x3@example.test"));
            Assert.True(after.Granted);                                            // not held until the future stamp + 2 s
            Assert.Contains("ran ahead", after.Warning);
            clock.Advance(TimeSpan.FromSeconds(1));
            var tooSoon = gate.TryReserve(policy, new ReservationRequest("a", "x4@example.test"));
            Assert.False(tooSoon.Granted);                                         // the minimum interval counts from x3 again
            Assert.Equal(clock.UtcNow + TimeSpan.FromSeconds(1), tooSoon.RetryAt);
            // x3 was stamped at the real time, not at the future one, and the minute counts x3 and the stray x2.
            Assert.Equal(clock.UtcNow - TimeSpan.FromSeconds(1), ledger.ReservationsSince("a", clock.UtcNow - TimeSpan.FromSeconds(30), 10)[0].At);
            Assert.Equal(2, ledger.UseSince("a", clock.UtcNow - TimeSpan.FromMinutes(1)).Messages);
        }
    }

    public sealed class SqliteQuotaGateTests : QuotaGateTests { public SqliteQuotaGateTests() : base(new SqliteEngine()) { } }

    [Collection(PostgresCluster.Collection)]
    public sealed class PostgresQuotaGateTests : QuotaGateTests { public PostgresQuotaGateTests(PostgresCluster cluster) : base(new PostgresEngine(cluster)) { } }
}
