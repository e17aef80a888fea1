using System;
using System.Collections.Generic;
using System.Linq;
using MailQuota.Core.Mail;
using MailQuota.Core.Monitoring;
using MailQuota.Core.Quota;
using MailQuota.Core.Sending;
using MailQuota.Core.Smtp;
using MailQuota.Core.Storage;
using MailQuota.Core.Tests.Postgres;
using MimeKit;

namespace MailQuota.Core.Tests
{
    public abstract class VolumeMonitorTests : IDisposable
    {
        const string Account = "hr@example.test";
        static readonly MessageTemplate Template = new MessageTemplate(new MailboxAddress("", Account), "Notice", "Body", null);

        readonly LedgerEngine _engine;
        readonly ILedgerStores _ledger;
        readonly FakeClock _clock = new FakeClock(new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero));
        readonly RecordingTransport _transport;
        int _row;

        protected VolumeMonitorTests(LedgerEngine engine)
        {
            _engine = engine;
            _ledger = _engine.Open();
            _transport = new RecordingTransport(_clock);
        }

        public void Dispose() { _ledger.Dispose(); _engine.Dispose(); }

        VolumeMonitor Monitor(ILedgerStores? ledger = null) { ledger ??= _ledger; return new VolumeMonitor(ledger, ledger, ledger, _clock); }

        /// <summary>Sends one row through a real session and checks the account afterwards, as Send-ThrottledMail does.</summary>
        IReadOnlyList<SendAlert> SendAndCheck(SendSession session, VolumeMonitor monitor, QuotaPolicy policy)
        {
            _row++;
            session.SendOne(new MailRow(_row, $"user{_row}@example.test", null, MailRow.NoFields));
            return monitor.Check(Account, policy);
        }

        /// <summary>Seven days of history: four busy hours a day (09:00-13:00 UTC) of 30, 40, 40 and 50 recipients.</summary>
        void SeedBaseline(DateTimeOffset firstDay)
        {
            var ids = new List<long>();
            using (var tx = _ledger.BeginReservation(Account))
            {
                for (var day = 0; day < 7; day++)
                {
                    var perHour = new[] { 30, 40, 40, 50 };
                    for (var h = 0; h < perHour.Length; h++)
                    {
                        var hourStart = firstDay.AddDays(day).AddHours(9 + h);
                        for (var i = 0; i < perHour[h]; i++)
                            ids.Add(tx.Insert(new ReservationRequest(Account, $"old{ids.Count}@example.test"), hourStart.AddSeconds(i * 60)));
                    }
                }
                tx.Commit();
            }
            foreach (var id in ids) _ledger.Complete(id, SendStatus.Sent, firstDay, "250 ok", 1);
        }

        [SkippableFact]
        public void Five_times_the_usual_busy_hour_raises_one_alert_recorded_in_the_ledger()
        {
            SeedBaseline(_clock.UtcNow);
            _clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromHours(10));          // day 8, 10:00
            var policy = new QuotaPolicy();
            var monitor = Monitor();
            Assert.Equal(40, monitor.UsualHour(Account, _clock.UtcNow));
            var session = new SendSession(Account, policy, Template, _ledger, _ledger, _ledger, _transport, _clock);
            var alerts = new List<(int Sent, SendAlert Alert)>();
            for (var i = 1; i <= 260; i++)
            {
                _clock.Advance(TimeSpan.FromSeconds(12));                             // 260 sends in 52 minutes
                foreach (var a in SendAndCheck(session, monitor, policy)) alerts.Add((i, a));
            }
            var (sent, alert) = Assert.Single(alerts);
            Assert.Equal(200, sent);                                                  // 5 x 40, not before
            Assert.Equal(AlertKind.VolumeSpike, alert.Kind);
            Assert.Equal(200, alert.Observed);
            Assert.Equal(200, alert.Threshold);
            Assert.Contains("200 recipients in the last hour, 5.0 times its usual 40 an hour", alert.Message);
            Assert.Equal(alert.RaisedAt + TimeSpan.FromHours(1), alert.OpenUntil);
            var stored = Assert.Single(_ledger.OpenAlerts(Account, _clock.UtcNow));
            Assert.Equal(alert.Id, stored.Id);
            Assert.Equal(alert.Message, stored.Message);
        }

        [SkippableFact]
        public void Another_process_seeing_the_same_spike_raises_nothing_new()
        {
            var policy = new QuotaPolicy();
            var session = new SendSession(Account, policy, Template, _ledger, _ledger, _ledger, _transport, _clock);
            for (var i = 0; i < 99; i++) SendAndCheck(session, Monitor(), policy);
            Assert.Single(SendAndCheck(session, Monitor(), policy));
            using var other = _engine.Open();
            Assert.Empty(Monitor(other).Check(Account, policy));
            _clock.Advance(TimeSpan.FromMinutes(59));
            Assert.Empty(Monitor(other).Check(Account, policy));                      // still open
            Assert.Single(_ledger.OpenAlerts(null, _clock.UtcNow));
        }

        [SkippableFact]
        public void Without_history_only_the_minimum_counts_and_the_message_says_so()
        {
            var policy = new QuotaPolicy();
            var session = new SendSession(Account, policy, Template, _ledger, _ledger, _ledger, _transport, _clock);
            var raised = new List<SendAlert>();
            for (var i = 0; i < 99; i++) raised.AddRange(SendAndCheck(session, Monitor(), policy));
            Assert.Empty(raised);
            var alert = Assert.Single(SendAndCheck(session, Monitor(), policy));
            Assert.Contains("with no sending in the previous 7 days", alert.Message);
        }

        [SkippableFact]
        public void A_steady_account_at_its_usual_volume_raises_nothing()
        {
            SeedBaseline(_clock.UtcNow);
            _clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromHours(9));
            var policy = new QuotaPolicy();
            var monitor = Monitor();
            var session = new SendSession(Account, policy, Template, _ledger, _ledger, _ledger, _transport, _clock);
            for (var i = 0; i < 190; i++)
            {
                _clock.Advance(TimeSpan.FromSeconds(80));                            // 45 an hour for over four hours
                Assert.Empty(SendAndCheck(session, monitor, policy));
            }
        }

        [SkippableFact]
        public void Throttle_replies_at_a_fifth_of_the_hours_attempts_raise_one_alert()
        {
            // Every third attempt is throttled; the session retries it (a refused attempt is a row of
            // its own), so a third of the finished attempts carry a throttle reply.
            var policy = new QuotaPolicy();
            var monitor = Monitor();
            var session = new SendSession(Account, policy, Template, _ledger, _ledger, _ledger, _transport, _clock);
            var n = 0;
            _transport.Answer = _ => ++n % 3 == 0
                ? new SmtpReply(false, 554, "Reject by behaviour spamANTISPAM_BAT[01201311R1]: too frequently sending")
                : n % 7 == 0 ? new SmtpReply(false, 550, "5.1.1 user unknown") : new SmtpReply(true, 250, "ok");
            var raised = new List<(int, SendAlert)>();
            for (var i = 1; i <= 30; i++) { _clock.Advance(TimeSpan.FromSeconds(30)); raised.AddRange(SendAndCheck(session, monitor, policy).Select(a => (i, a))); }
            var (at, alert) = Assert.Single(raised);
            Assert.InRange(at, 7, 10);                                                // once the hour has 10 finished attempts
            Assert.Equal(AlertKind.ThrottleReplies, alert.Kind);
            Assert.InRange(alert.Observed, 0.2, 0.5);
            Assert.Matches(@"\d+ of \d+ sends in the last hour \(\d+%\)", alert.Message);
            Assert.Contains("too frequently sending", alert.Message);
        }

        [SkippableFact]
        public void User_unknown_refusals_are_not_throttling()
        {
            var policy = new QuotaPolicy();
            var monitor = Monitor();
            var session = new SendSession(Account, policy, Template, _ledger, _ledger, _ledger, _transport, _clock);
            _transport.Answer = _ => new SmtpReply(false, 550, "5.1.1 user unknown");
            for (var i = 0; i < 20; i++) Assert.Empty(SendAndCheck(session, monitor, policy));
        }

        [SkippableFact]
        public void A_calendar_day_at_ninety_percent_raises_once_per_day_in_the_providers_zone()
        {
            var beijingMidnight = new DateTimeOffset(2026, 11, 20, 16, 0, 0, TimeSpan.Zero);
            _clock.Advance(beijingMidnight - TimeSpan.FromHours(2) - _clock.UtcNow);
            var policy = new QuotaPolicy { RecipientsPerDay = 10, MessagesPerMinute = 1, WindowKind = QuotaWindowKind.Calendar, ResetTimeZone = "Asia/Shanghai" };
            var monitor = Monitor();
            var session = new SendSession(Account, policy, Template, _ledger, _ledger, _ledger, _transport, _clock);
            var raised = new List<(int, SendAlert)>();
            for (var i = 1; i <= 10; i++) raised.AddRange(SendAndCheck(session, monitor, policy).Select(a => (i, a)));
            var (at, alert) = Assert.Single(raised);                                 // the full minute windows raise nothing
            Assert.Equal(9, at);
            Assert.Equal(AlertKind.QuotaNearlyUsed, alert.Kind);
            Assert.Equal("Day Recipients", alert.Scope);
            Assert.Equal(beijingMidnight, alert.OpenUntil);
            Assert.Contains("9 of 10 recipients per calendar day used (90%); the window resets at 2026-11-20 16:00 UTC", alert.Message);

            _clock.Advance(beijingMidnight - _clock.UtcNow);
            Assert.Empty(_ledger.OpenAlerts(Account, _clock.UtcNow));
            raised.Clear();
            for (var i = 1; i <= 10; i++) raised.AddRange(SendAndCheck(session, monitor, policy).Select(a => (i, a)));
            Assert.Equal(9, Assert.Single(raised).Item1);
        }

        [SkippableTheory]
        [InlineData("454 Transient reject by behaviour spamANTISPAM_BAT[01201311R1]: too frequently sending", true)]
        [InlineData("554 Reject by behaviour spamANTISPAM_BAT[01201311R1]: much too frequently sending", true)]
        [InlineData("554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException", true)]
        [InlineData("550 5.4.5 Daily user sending limit exceeded", true)]
        [InlineData("432 4.3.2 Concurrent connections limit exceeded", true)]
        [InlineData("552 Daily sending quota exceeded", true)]
        [InlineData("451 MI:SFQ sender over limit", true)]
        [InlineData("550 Ip frequency limited", true)]
        [InlineData("421 4.7.0 Try again later, closing connection", true)]
        [InlineData("550 5.1.1 user unknown", false)]
        [InlineData("554 reject by content spam", false)]
        [InlineData("connection lost: reset by peer", false)]
        public void Throttle_and_quota_replies_are_told_from_other_refusals(string reply, bool throttle)
        {
            Assert.Equal(throttle, ThrottleReplies.IsThrottle(reply));
        }
    }

    public sealed class SqliteVolumeMonitorTests : VolumeMonitorTests { public SqliteVolumeMonitorTests() : base(new SqliteEngine()) { } }

    [Collection(PostgresCluster.Collection)]
    public sealed class PostgresVolumeMonitorTests : VolumeMonitorTests { public PostgresVolumeMonitorTests(PostgresCluster cluster) : base(new PostgresEngine(cluster)) { } }
}
