using System;
using System.Collections.Generic;
using System.Linq;
using MailQuota.Core.Campaigns;
using MailQuota.Core.Mail;
using MailQuota.Core.Monitoring;
using MailQuota.Core.Quota;
using MailQuota.Core.Sending;
using MailQuota.Core.Smtp;
using MailQuota.Core.Storage.Sqlite;
using MailQuota.Core.Time;
using MimeKit;

namespace MailQuota.Core.Tests
{
    /// <summary>The run built from a request: its keys and policy, its events, and the volume check after each message.</summary>
    public sealed class SendRunTests : IDisposable
    {
        readonly TempLedger _file = new TempLedger();
        readonly SqliteLedger _ledger;
        readonly FakeClock _clock = new FakeClock();
        readonly RecordingTransport _transport;
        static readonly MessageTemplate Template = new MessageTemplate(new MailboxAddress("", "News@Example.test"), "Hello", "The same body for all", null);

        public SendRunTests()
        {
            _ledger = new SqliteLedger(_file.Path);
            _transport = new RecordingTransport(_clock);
        }

        public void Dispose() { _ledger.Dispose(); _file.Dispose(); }

        static MailRow Row(int n) => new MailRow(n, $"r{n}@example.test", null, new Dictionary<string, string?>());

        [Fact]
        public void The_account_is_the_sender_lower_cased_and_the_campaign_is_derived_when_not_given()
        {
            using var run = SendRun.Create(new SendRequest(Template, new SmtpSettings("127.0.0.1", 25, SmtpSecurity.None, null)), _ledger, _clock, () => _transport);
            Assert.Equal("news@example.test", run.Account);
            Assert.Equal(CampaignKey.Derive("news@example.test", Template), run.Campaign);
            Assert.Equal(PolicySource.Default, run.PolicySource);
            Assert.NotNull(_ledger.GetPolicy("news@example.test")); // remembered for the next run
        }

        [Fact]
        public void On_a_provider_that_counts_per_login_two_senders_under_one_login_share_one_account_and_its_windows()
        {
            SendRun Run(string from, string? login, CountedPer countedPer) => SendRun.Create(
                new SendRequest(new MessageTemplate(new MailboxAddress("", from), "Hello", "Body", null), new SmtpSettings("127.0.0.1", 25, SmtpSecurity.None, null))
                {
                    Login = login,
                    CountedPer = countedPer,
                    Limits = new QuotaPolicy { MessagesPerDay = 3 },
                    Options = new SendOptions { MaxWait = TimeSpan.Zero },
                }, _ledger, _clock, () => _transport);

            using (var sales = Run("sales@example.test", " Mailer@Example.test", CountedPer.Login))
                Assert.All(sales.Add(Row(1), default).Concat(sales.Add(Row(2), default)).Concat(sales.Flush(default)), r => Assert.Equal(RowStatus.Sent, r.Status));
            using (var support = Run("support@example.test", "mailer@example.test", CountedPer.Login))
            {
                Assert.Equal("mailer@example.test", support.Account);
                var results = support.Add(Row(3), default).Concat(support.Add(Row(4), default)).Concat(support.Flush(default)).ToList();
                Assert.Equal(RowStatus.Sent, results[0].Status);
                // the login's day is used up by both senders together: the fourth message is deferred
                Assert.Equal(RowStatus.Deferred, results[1].Status);
                Assert.Equal(2, results.Count);
            }
            Assert.Equal(new[] { "mailer@example.test" }, _ledger.Accounts());
            Assert.Equal(3, _transport.Sent.Count);
        }

        [Theory]
        [InlineData(null, "mailer@example.test", CountedPer.Login, "mailer@example.test")]       // the login decides
        [InlineData(null, "mailer@example.test", CountedPer.Sender, "sales@example.test")]      // the provider counts per sender
        [InlineData(null, null, CountedPer.Login, "sales@example.test")]                        // no sign-in: the sender
        [InlineData(null, "  ", CountedPer.Login, "sales@example.test")]
        [InlineData("Payroll", "mailer@example.test", CountedPer.Login, "payroll")]            // an account named for the run wins
        public void The_account_is_the_named_one_else_the_login_where_the_provider_counts_per_login_else_the_sender(string? account, string? login, CountedPer countedPer, string expected) =>
            Assert.Equal(expected, SendingAccount.Key(account, "Sales@Example.test", login, countedPer));

        [Fact]
        public void Waits_are_told_through_the_event_and_alerts_are_raised_after_the_messages()
        {
            var request = new SendRequest(Template, new SmtpSettings("127.0.0.1", 25, SmtpSecurity.None, null))
            {
                Limits = new QuotaPolicy { MessagesPerDay = 10, MinInterval = TimeSpan.FromSeconds(30) },
            };
            using var run = SendRun.Create(request, _ledger, _clock, () => _transport);
            var waits = new List<WaitNotice>();
            var alerts = new List<SendAlert>();
            run.Waiting += waits.Add;
            run.AlertRaised += alerts.Add;

            var results = Enumerable.Range(1, 9).SelectMany(i => run.Add(Row(i), default)).ToList().Concat(run.Flush(default)).ToList();

            Assert.All(results, r => Assert.Equal(RowStatus.Sent, r.Status));
            Assert.Contains(waits, w => w.Reason.Contains("minimum interval"));
            // 9 of 10 a day is the 90 % at which the day's quota is reported nearly used: once, after the 9th message.
            var alert = Assert.Single(alerts);
            Assert.Equal(AlertKind.QuotaNearlyUsed, alert.Kind);
            Assert.Equal(9, _transport.Sent.Count);
        }
    }

    public class MailAddressRuleTests
    {
        [Theory]
        [InlineData("a@example.test", true)]
        [InlineData("Ann <ann@example.test>", true)]
        [InlineData("a@", false)]
        [InlineData("@example.test", false)]
        [InlineData("not an address", false)]
        [InlineData(" ", false)]
        [InlineData(null, false)]
        public void One_rule_decides_which_addresses_are_usable(string? text, bool usable) =>
            Assert.Equal(usable, MailAddressRule.TryParse(text, out _));

        [Fact]
        public void The_account_key_is_the_given_account_else_the_sender_trimmed_and_lower_cased()
        {
            var from = new MailboxAddress("", "HR@Example.test");
            Assert.Equal("hr@example.test", MailAddressRule.AccountKey(null, from));
            Assert.Equal("hr@example.test", MailAddressRule.AccountKey("  ", from));
            Assert.Equal("payroll", MailAddressRule.AccountKey("Payroll", from));
            // -Account Sales@x and a default of sales@x are one account, one set of windows.
            Assert.Equal(MailAddressRule.AccountKey(" Sales@Contoso.test ", from), MailAddressRule.AccountKey(null, "sales@contoso.test"));
        }
    }
}
