using System;
using System.Linq;
using MailQuota.Core.Monitoring;
using MailQuota.Core.Quota;
using MailQuota.Core.Storage;
using MailQuota.Core.Tests.Postgres;

namespace MailQuota.Core.Tests
{
    public abstract class SendLogTests : IDisposable
    {
        static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);
        readonly LedgerEngine _engine;
        readonly ILedgerStores _ledger;

        protected SendLogTests(LedgerEngine engine)
        {
            _engine = engine;
            _ledger = _engine.Open();
        }

        public void Dispose() { _ledger.Dispose(); _engine.Dispose(); }

        long Add(string account, string? campaign, string recipient, SendStatus status, DateTimeOffset at, string? reply = null)
        {
            long id;
            using (var tx = _ledger.BeginReservation(account))
            {
                id = tx.Insert(new ReservationRequest(account, recipient) { Campaign = campaign, MessageId = $"m{recipient}" }, at);
                tx.Commit();
            }
            if (status != SendStatus.InFlight) _ledger.Complete(id, status, at.AddSeconds(2), reply, 1);
            return id;
        }

        static SendLogQuery Query(string[]? accounts = null, string[]? campaigns = null, string[]? recipients = null, SendStatus[]? statuses = null) => new SendLogQuery
        {
            Accounts = accounts?.Select(p => new TextPattern(p)).ToList(),
            Campaigns = campaigns?.Select(p => new TextPattern(p)).ToList(),
            Recipients = recipients?.Select(p => new TextPattern(p)).ToList(),
            Statuses = statuses,
        };

        void Seed()
        {
            Add("hr@contoso.test", "Payroll-Nov", "a@contoso.test", SendStatus.Sent, T0, "250 ok");
            Add("hr@contoso.test", "Payroll-Nov", "b@fabrikam.test", SendStatus.Failed, T0.AddMinutes(1), "550 5.1.1 user unknown");
            Add("hr@contoso.test", "Payroll-Dec", "c@contoso.test", SendStatus.Failed, T0.AddMinutes(2), "550 5.1.1 user unknown");
            Add("it@contoso.test", "Payroll-Nov", "d@contoso.test", SendStatus.Failed, T0.AddMinutes(3), "554 reject by content spam");
            Add("it@contoso.test", null, "Zoë@contoso.test", SendStatus.InFlight, T0.AddMinutes(4));
        }

        [SkippableFact]
        public void Campaign_and_status_select_exactly_the_failed_rows_of_that_campaign()
        {
            Seed();
            var rows = _ledger.ReadSendLog(Query(campaigns: new[] { "Payroll-Nov" }, statuses: new[] { SendStatus.Failed })).ToList();
            Assert.Equal(new[] { "b@fabrikam.test", "d@contoso.test" }, rows.Select(r => r.Recipient));
            var b = rows[0];
            Assert.Equal("hr@contoso.test", b.Account);
            Assert.Equal("Failed", b.Status);
            Assert.Equal("550 5.1.1 user unknown", b.Reply);
            Assert.Equal("mb@fabrikam.test", b.MessageId);
            Assert.Equal(1, b.Attempts);
            Assert.Equal(T0.AddMinutes(1), b.ReservedAt);
            Assert.Equal(T0.AddMinutes(1).AddSeconds(2), b.Time);
        }

        [SkippableFact]
        public void Wildcards_and_case_follow_powershell()
        {
            Seed();
            Assert.Equal(3, _ledger.ReadSendLog(Query(recipients: new[] { "*@CONTOSO.test" })).Count(r => r.Status != "InFlight"));
            Assert.Equal(2, _ledger.ReadSendLog(Query(accounts: new[] { "IT@contoso.test" })).Count());
            Assert.Equal(new[] { "c@contoso.test" }, _ledger.ReadSendLog(Query(campaigns: new[] { "payroll-[d]ec" })).Select(r => r.Recipient));
            Assert.Equal(3, _ledger.ReadSendLog(Query(campaigns: new[] { "Payroll-Dec", "Payroll-N?v" }, accounts: new[] { "hr*" })).Count());
            Assert.Single(_ledger.ReadSendLog(Query(recipients: new[] { "ZOË@contoso.test" })));   // beyond ASCII too
            Assert.Empty(_ledger.ReadSendLog(Query(campaigns: new[] { "nothing" })));
        }

        [SkippableFact]
        public void A_send_without_an_outcome_shows_its_reservation_time()
        {
            Seed();
            var row = Assert.Single(_ledger.ReadSendLog(Query(statuses: new[] { SendStatus.InFlight })));
            Assert.Null(row.CompletedAt);
            Assert.Equal(T0.AddMinutes(4), row.Time);
            Assert.Null(row.Campaign);
        }

        [SkippableFact]
        public void After_and_before_bound_the_reservation_time_exclusively_oldest_first()
        {
            Seed();
            var rows = _ledger.ReadSendLog(new SendLogQuery { After = T0, Before = T0.AddMinutes(3) }).ToList();
            Assert.Equal(new[] { "b@fabrikam.test", "c@contoso.test" }, rows.Select(r => r.Recipient));
        }

        [SkippableFact]
        public void Clear_removes_only_older_sends()
        {
            Seed();
            Assert.Equal(2, _ledger.CountSendLogBefore(T0.AddMinutes(2)));
            Assert.Equal(2, _ledger.ClearSendLog(T0.AddMinutes(2)));
            Assert.Equal(new[] { "c@contoso.test", "d@contoso.test", "Zoë@contoso.test" }, _ledger.ReadSendLog(new SendLogQuery()).Select(r => r.Recipient));
        }

        [SkippableFact]
        public void Retention_keeps_every_send_a_quota_window_or_the_volume_baseline_still_needs()
        {
            var retention = new SendLogRetention(_ledger, _ledger, _ledger, new FakeClock(T0));
            Assert.Equal(T0 - TimeSpan.FromDays(7) - TimeSpan.FromHours(2), retention.LatestClearBefore());
            _ledger.SavePolicy("dm@example.test", new QuotaPolicy { RecipientsPerMonth = 60000, WindowKind = QuotaWindowKind.Calendar, ResetTimeZone = "Asia/Shanghai" }, T0);
            // 27 Nov 17:00 Beijing: the calendar month began on 1 Nov 00:00 Beijing = 31 Oct 16:00 UTC.
            var monthStart = new DateTimeOffset(2026, 10, 31, 16, 0, 0, TimeSpan.Zero);
            Assert.Equal(monthStart - TimeSpan.FromMilliseconds(1), retention.LatestClearBefore());
            var e = Assert.Throws<SendLogRetentionException>(() => retention.Clear(monthStart));
            Assert.Contains("2026-10-31 15:59:59 UTC", e.Message);
        }

        [SkippableFact]
        public void Clearing_old_history_removes_old_sends_and_closed_alerts_only()
        {
            var old = T0.AddDays(-40);
            Add("hr@contoso.test", "Old", "old@contoso.test", SendStatus.Sent, old, "250 ok");
            Add("hr@contoso.test", "New", "new@contoso.test", SendStatus.Sent, T0.AddDays(-1), "250 ok");
            _ledger.TryRaise(new SendAlert("hr@contoso.test", AlertKind.VolumeSpike, "", old, old.AddHours(1), 500, 100, "old spike"), out _);
            _ledger.TryRaise(new SendAlert("hr@contoso.test", AlertKind.VolumeSpike, "", T0, T0.AddHours(1), 500, 100, "open spike"), out _);
            var retention = new SendLogRetention(_ledger, _ledger, _ledger, new FakeClock(T0));
            Assert.Equal(1, retention.CountBefore(T0.AddDays(-30)));
            var cleared = retention.Clear(T0.AddDays(-30));
            Assert.Equal((1, 1), (cleared.Sends, cleared.Alerts));
            Assert.Equal("new@contoso.test", Assert.Single(_ledger.ReadSendLog(new SendLogQuery())).Recipient);
            Assert.Equal("open spike", Assert.Single(_ledger.OpenAlerts(null, T0)).Message);
        }

        [SkippableFact]
        public void The_log_is_read_in_pages_in_order_and_a_reader_holds_no_transaction_between_them()
        {
            for (var i = 0; i < 2500; i++) Add("hr@contoso.test", null, $"r{i}@contoso.test", SendStatus.Sent, T0.AddSeconds(i / 3), "250 ok");
            var read = 0;
            foreach (var entry in _ledger.ReadSendLog(new SendLogQuery()))
            {
                Assert.Equal($"r{read}@contoso.test", entry.Recipient);
                read++;
                // Mid-read, no transaction of the reader is open on the ledger.
                if (read == 1500) Assert.True(_engine.NoTransactionOpen());
            }
            Assert.Equal(2500, read);
        }

        /// <summary>A send as a run makes it: a campaign row and a content fingerprint with the reservation.</summary>
        long AddAsRun(string account, string recipient, DateTimeOffset at)
        {
            long id;
            using (var tx = _ledger.BeginReservation(account))
            {
                id = tx.Insert(new ReservationRequest(account, recipient) { Campaign = "Payroll", MessageId = $"m{recipient}" }, at);
                _ledger.LinkRows("Payroll", new[] { recipient }, id, false);
                _ledger.Add(id, account, at, $"m{recipient}", Content.ContentFingerprint.Of(new Content.MessageContent("Payslip", "Your payslip for " + recipient, null)));
                tx.Commit();
            }
            _ledger.Complete(id, SendStatus.Sent, at.AddSeconds(1), "250 ok", 1);
            return id;
        }

        [SkippableFact]
        public void Clearing_sends_with_campaign_rows_and_fingerprints_keeps_every_window_exact_and_sending_goes_on()
        {
            const string Account = "hr@contoso.test";
            for (var i = 0; i < 5; i++) AddAsRun(Account, $"old{i}@contoso.test", T0.AddDays(-40).AddMinutes(i));
            var lastId = 0L;
            for (var i = 0; i < 3; i++) lastId = AddAsRun(Account, $"new{i}@contoso.test", T0.AddMinutes(-10 + i));

            Assert.Equal(5, _ledger.ClearSendLog(T0.AddDays(-30)));

            Assert.Equal(3, _ledger.UseSince(Account, T0.AddDays(-1)).Messages);      // the day window: today's use only
            Assert.Equal(3, _ledger.UseSince(Account, T0.AddDays(-60)).Messages);     // the cleared history counts nowhere
            Assert.Equal(3, _ledger.UseSince(Account, T0.AddDays(-60)).Recipients);
            Assert.Equal(3, _ledger.ReadSendLog(new SendLogQuery()).Count());        // the log shows no anchor
            Assert.Null(_ledger.FindRow("Payroll", "old0@contoso.test"));              // campaign rows went with their sends
            Assert.NotNull(_ledger.FindRow("Payroll", "new0@contoso.test"));

            // Sending goes on, also after everything is cleared: ids never come back (no clash with old fingerprints).
            var next = AddAsRun(Account, "later@contoso.test", T0.AddMinutes(1));
            Assert.True(next > lastId);
            Assert.Equal(4, _ledger.UseSince(Account, T0.AddHours(-1)).Messages);
            Assert.Equal(4, _ledger.ClearSendLog(T0.AddHours(1)));
            Assert.Equal(0, _ledger.UseSince(Account, T0.AddDays(-60)).Messages);
            Assert.Empty(_ledger.ReadSendLog(new SendLogQuery()));
            var after = AddAsRun(Account, "again@contoso.test", T0.AddHours(2));
            Assert.True(after > next);
            Assert.Equal(1, _ledger.UseSince(Account, T0.AddDays(-60)).Messages);
            Assert.Equal(0, _ledger.CountSendLogBefore(T0.AddHours(1)));
        }

        [SkippableTheory]
        [InlineData("*@contoso.test", "x@CONTOSO.TEST", true)]
        [InlineData("*@contoso.test", "x@contoso.test.evil", false)]
        [InlineData("a?c", "abc", true)]
        [InlineData("a?c", "ac", false)]
        [InlineData("[a-c]x", "Bx", true)]
        [InlineData("[a-c]x", "dx", false)]
        [InlineData("100`%", "100%", true)]
        [InlineData("a`*b", "a*b", true)]
        [InlineData("a`*b", "axb", false)]
        [InlineData("a.b(c)", "a.b(c)", true)]
        [InlineData("a.b(c)", "aXb(c)", false)]
        public void Text_patterns_match_like_powershell_wildcards(string pattern, string value, bool match)
        {
            Assert.Equal(match, new TextPattern(pattern).IsMatch(value));
        }

        [SkippableFact]
        public void Only_patterns_without_wildcards_are_literals()
        {
            Assert.Equal("a*b", new TextPattern("a`*b").Literal);
            Assert.Null(new TextPattern("a*b").Literal);
            Assert.True(new TextPattern("plain@contoso.test").IsAsciiLiteral);
            Assert.False(new TextPattern("zoë@contoso.test").IsAsciiLiteral);
        }
    }

    public sealed class SqliteSendLogTests : SendLogTests { public SqliteSendLogTests() : base(new SqliteEngine()) { } }

    [Collection(PostgresCluster.Collection)]
    public sealed class PostgresSendLogTests : SendLogTests { public PostgresSendLogTests(PostgresCluster cluster) : base(new PostgresEngine(cluster)) { } }
}
