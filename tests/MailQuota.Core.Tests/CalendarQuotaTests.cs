using System;
using System.Linq;
using MailQuota.Core.Quota;
using MailQuota.Core.Storage;
using MailQuota.Core.Tests.Postgres;

namespace MailQuota.Core.Tests
{
    public abstract class CalendarQuotaTests : IDisposable
    {
        // Midnight in Beijing (UTC+8, no daylight saving) is 16:00 UTC the day before.
        static readonly DateTimeOffset BeijingMidnight = new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);
        static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

        readonly LedgerEngine _engine;
        readonly ILedgerStores _ledger;
        readonly FakeClock _clock = new FakeClock(BeijingMidnight - TimeSpan.FromHours(1));
        readonly QuotaGate _gate;

        protected CalendarQuotaTests(LedgerEngine engine)
        {
            _engine = engine;
            _ledger = _engine.Open();
            _gate = new QuotaGate(_ledger, _clock);
        }

        public void Dispose() { _ledger.Dispose(); _engine.Dispose(); }

        static QuotaPolicy BeijingDay(int perDay, string zone = "Asia/Shanghai") =>
            new QuotaPolicy { RecipientsPerDay = perDay, WindowKind = QuotaWindowKind.Calendar, ResetTimeZone = zone };

        ReserveDecision Reserve(QuotaPolicy policy) => _gate.TryReserve(policy, new ReservationRequest("dm@example.test", "r@example.test"));

        [SkippableFact]
        public void A_full_calendar_day_waits_until_midnight_in_the_providers_zone_not_24_hours()
        {
            var policy = BeijingDay(2);
            Assert.True(Reserve(policy).Granted);                     // 23:00 Beijing
            _clock.Advance(TimeSpan.FromMinutes(30));
            Assert.True(Reserve(policy).Granted);                     // 23:30
            var refused = Reserve(policy);
            Assert.False(refused.Granted);
            Assert.Equal(BeijingMidnight, refused.RetryAt);           // not 23:00 tomorrow, as a rolling day would say
            Assert.Contains("per calendar day", refused.Reason);
            _clock.Advance(BeijingMidnight - Ms - _clock.UtcNow);     // 23:59:59.999
            Assert.False(Reserve(policy).Granted);
            _clock.Advance(Ms);                                       // 00:00:00.000 the next day
            Assert.True(Reserve(policy).Granted);
        }

        [SkippableFact]
        public void A_send_at_exactly_local_midnight_counts_in_the_new_day()
        {
            var policy = BeijingDay(1);
            _clock.Advance(BeijingMidnight - _clock.UtcNow);
            Assert.True(Reserve(policy).Granted);
            _clock.Advance(TimeSpan.FromHours(23));
            var refused = Reserve(policy);
            Assert.False(refused.Granted);
            Assert.Equal(BeijingMidnight + TimeSpan.FromDays(1), refused.RetryAt);
        }

        [SkippableFact]
        public void Windows_and_iana_ids_name_the_same_reset_and_usage_shows_the_calendar_end()
        {
            foreach (var zone in new[] { "China Standard Time", "Asia/Shanghai" })
            {
                var usage = _gate.Usage("dm@example.test", BeijingDay(100, zone));
                Assert.Null(usage.Single().ResetsAt);
            }
            Assert.True(Reserve(BeijingDay(100)).Granted);
            var day = _gate.Usage("dm@example.test", BeijingDay(100, "China Standard Time")).Single();
            Assert.Equal(1, day.Used);
            Assert.Equal(BeijingMidnight, day.ResetsAt);
        }

        [SkippableFact]
        public void Minute_and_hour_windows_stay_rolling_under_a_calendar_policy()
        {
            var policy = new QuotaPolicy { MessagesPerHour = 1, MessagesPerDay = 10, WindowKind = QuotaWindowKind.Calendar, ResetTimeZone = "Asia/Shanghai" };
            var first = Reserve(policy);
            _clock.Advance(TimeSpan.FromMinutes(59));                 // past Beijing midnight
            var refused = Reserve(policy);
            Assert.Equal(first.At + TimeSpan.FromHours(1), refused.RetryAt);
        }

        [SkippableFact]
        public void A_calendar_month_restarts_on_the_first_in_the_providers_zone()
        {
            var policy = new QuotaPolicy { RecipientsPerMonth = 1, WindowKind = QuotaWindowKind.Calendar, ResetTimeZone = "Asia/Shanghai" };
            _clock.Advance(new DateTimeOffset(2026, 11, 30, 15, 0, 0, TimeSpan.Zero) - _clock.UtcNow); // 30 Nov 23:00 Beijing
            Assert.True(Reserve(policy).Granted);
            var refused = Reserve(policy);
            Assert.Equal(new DateTimeOffset(2026, 11, 30, 16, 0, 0, TimeSpan.Zero), refused.RetryAt); // 1 Dec 00:00 Beijing
        }

        [SkippableFact]
        public void A_rolling_month_is_thirty_days()
        {
            var policy = new QuotaPolicy { MessagesPerMonth = 1 };
            var first = Reserve(policy);
            Assert.Equal(first.At + TimeSpan.FromDays(30), Reserve(policy).RetryAt);
        }

        [SkippableFact]
        public void A_daylight_saving_day_is_as_long_as_the_providers_clock_says()
        {
            // New York springs forward on 8 March 2026: that day has 23 hours.
            var window = new CalendarWindow(ResetTimeZone.Find("Eastern Standard Time"), month: false);
            var noon = new DateTimeOffset(2026, 3, 8, 16, 0, 0, TimeSpan.Zero);
            Assert.Equal(new DateTimeOffset(2026, 3, 8, 5, 0, 0, TimeSpan.Zero), window.StartOf(noon));
            Assert.Equal(new DateTimeOffset(2026, 3, 9, 4, 0, 0, TimeSpan.Zero), window.EndOf(noon));
            Assert.Equal(window.EndOf(noon), window.StartOf(window.EndOf(noon)));
        }

        [SkippableFact]
        public void Where_daylight_saving_skips_midnight_the_day_starts_at_the_first_local_time()
        {
            // Santiago springs forward at 00:00 on 6 September 2026 (straight to 01:00, UTC-3).
            var window = new CalendarWindow(ResetTimeZone.Find("America/Santiago"), month: false);
            var noon = new DateTimeOffset(2026, 9, 6, 15, 0, 0, TimeSpan.Zero);
            Assert.Equal(new DateTimeOffset(2026, 9, 6, 4, 0, 0, TimeSpan.Zero), window.StartOf(noon));
        }

        [SkippableFact]
        public void Either_form_of_an_id_is_found_when_the_system_knows_only_the_other()
        {
            TimeZoneInfo IanaOnly(string id) => id.Contains('/') ? TimeZoneInfo.FindSystemTimeZoneById(id) : throw new TimeZoneNotFoundException(id);
            TimeZoneInfo WindowsOnly(string id) => id.Contains('/') ? throw new TimeZoneNotFoundException(id) : TimeZoneInfo.FindSystemTimeZoneById(id);
            Assert.Equal(TimeSpan.FromHours(8), ResetTimeZone.Find("China Standard Time", IanaOnly).BaseUtcOffset);
            Assert.Equal(TimeSpan.FromHours(8), ResetTimeZone.Find("Asia/Shanghai", WindowsOnly).BaseUtcOffset);
            var e = Assert.Throws<ArgumentException>(() => ResetTimeZone.Find("Mars/Olympus_Mons"));
            Assert.Contains("'Mars/Olympus_Mons'", e.Message);
        }

        [SkippableFact]
        public void A_calendar_policy_round_trips_through_the_ledger()
        {
            var policy = BeijingDay(2000);
            policy.RecipientsPerMonth = 60000;
            _ledger.SavePolicy("dm@example.test", policy, _clock.UtcNow);
            var back = _ledger.GetPolicy("dm@example.test")!;
            Assert.Equal(policy, back);
            Assert.Equal(QuotaWindowKind.Calendar, back.WindowKind);
            Assert.Contains("\"Calendar\"", policy.ToJson());
        }
    }

    public sealed class SqliteCalendarQuotaTests : CalendarQuotaTests { public SqliteCalendarQuotaTests() : base(new SqliteEngine()) { } }

    [Collection(PostgresCluster.Collection)]
    public sealed class PostgresCalendarQuotaTests : CalendarQuotaTests { public PostgresCalendarQuotaTests(PostgresCluster cluster) : base(new PostgresEngine(cluster)) { } }
}
