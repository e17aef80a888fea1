using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using MailQuota.Core.Ledger;
using MailQuota.Core.Mail;
using MailQuota.Core.Quota;
using MailQuota.Core.Sending;
using MailQuota.Core.Smtp;
using MimeKit;

namespace MailQuota.Core.Tests
{
    /// <summary>A transport that records what it is handed and answers as scripted.</summary>
    sealed class RecordingTransport : IMailTransport
    {
        readonly FakeClock _clock;
        public RecordingTransport(FakeClock clock) => _clock = clock;
        public List<(DateTimeOffset At, MimeMessage Message, IReadOnlyList<MailboxAddress> Recipients)> Sent { get; } = new();
        public Func<MimeMessage, SmtpReply> Answer { get; set; } = _ => new SmtpReply(true, 250, "2.0.0 Ok");
        public SmtpReply Send(MimeMessage message, MailboxAddress sender, IReadOnlyList<MailboxAddress> recipients, CancellationToken cancellationToken)
        {
            Sent.Add((_clock.UtcNow, message, recipients));
            return Answer(message);
        }
        public void Dispose() { }
    }

    public sealed class SendSessionTests : IDisposable
    {
        readonly TempLedger _file = new TempLedger();
        readonly SqliteLedger _ledger;
        readonly FakeClock _clock = new FakeClock();
        readonly RecordingTransport _transport;
        static readonly MessageTemplate Template = new MessageTemplate(new MailboxAddress("", "hr@example.test"), "Hi {{Name}}", "Body for {{Name}}", null);

        public SendSessionTests()
        {
            _ledger = new SqliteLedger(_file.Path);
            _transport = new RecordingTransport(_clock);
        }

        public void Dispose() { _ledger.Dispose(); _file.Dispose(); }

        SendSession Session(QuotaPolicy policy, SendOptions? options = null) =>
            new SendSession("hr@example.test", policy, Template, _ledger, _ledger, _ledger, _transport, _clock, options);

        /// <summary>One row through a one-row-per-message session: its result comes back at once.</summary>
        static SendResult Send(SendSession session, MailRow row, CancellationToken token, Action<WaitNotice>? onWait = null) =>
            Assert.Single(session.Add(row, token, onWait));

        static MailRow Row(int n, string? address, string? name = "N") =>
            new MailRow(n, address, name, new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["Name"] = name });

        [Fact]
        public void Waits_on_the_injected_clock_when_the_minute_is_full_and_reports_the_wait()
        {
            var session = Session(new QuotaPolicy { MessagesPerMinute = 5 });
            var waits = new List<WaitNotice>();
            var results = Enumerable.Range(1, 12).Select(i => Send(session, Row(i, $"u{i}@example.test"), default, waits.Add)).ToList();
            Assert.All(results, r => Assert.Equal(RowStatus.Sent, r.Status));
            var times = _transport.Sent.Select(s => s.At).ToList();
            for (var i = 5; i < times.Count; i++)
                Assert.True(times[i] - times[i - 5] >= TimeSpan.FromMinutes(1), $"message {i} came too early");
            Assert.NotEmpty(waits);
            Assert.Contains("5 messages per minute", waits[0].Reason);
            Assert.Equal(6, waits[0].Row);
            Assert.Equal(TimeSpan.FromMinutes(2), _clock.Slept); // rows 6-10 wait one minute, rows 11-12 another
        }

        [Fact]
        public void Invalid_rows_use_no_quota_and_the_run_goes_on()
        {
            var session = Session(new QuotaPolicy { MessagesPerHour = 2 });
            var bad = Send(session, Row(1, "nope"), default);
            var good = Send(session, Row(2, "ok@example.test"), default);
            Assert.Equal(RowStatus.Invalid, bad.Status);
            Assert.Equal("InvalidAddress", bad.ErrorId);
            Assert.Equal(RowStatus.Sent, good.Status);
            Assert.Equal(1, _ledger.UseSince("hr@example.test", _clock.UtcNow.AddHours(-1)).Messages);
        }

        [Fact]
        public void The_same_address_twice_in_a_run_is_sent_once()
        {
            var session = Session(new QuotaPolicy());
            Assert.Equal(RowStatus.Sent, Send(session, Row(1, "Dup@Example.test"), default).Status);
            var second = Send(session, Row(2, "dup@example.test"), default);
            Assert.Equal(RowStatus.Skipped, second.Status);
            Assert.Single(_transport.Sent);
        }

        [Fact]
        public void A_refusal_is_recorded_as_failed_with_the_reply()
        {
            _transport.Answer = _ => new SmtpReply(false, 550, "5.1.1 user unknown");
            var result = Send(Session(new QuotaPolicy()), Row(1, "gone@example.test"), default);
            Assert.Equal(RowStatus.Failed, result.Status);
            Assert.Equal("550 5.1.1 user unknown", result.Reply);
            Assert.Equal(1, result.Attempts);
        }

        [Fact]
        public void Cancelling_a_wait_stops_without_reserving()
        {
            var session = Session(new QuotaPolicy { MessagesPerDay = 1 });
            Send(session, Row(1, "a@example.test"), default);
            using var cts = new CancellationTokenSource();
            Assert.Throws<OperationCanceledException>(() => Send(session, Row(2, "b@example.test"), cts.Token, _ => cts.Cancel()));
            Assert.Equal(1, _ledger.UseSince("hr@example.test", _clock.UtcNow.AddDays(-1)).Messages);
        }

        [Fact]
        public void Preview_composes_without_touching_ledger_or_server()
        {
            var preview = SendSession.Preview(Template, "hr@example.test", Row(1, "p@example.test", "Pat"));
            Assert.Equal(RowStatus.WhatIf, preview.Status);
            Assert.Equal("Hi Pat", preview.Subject);
            Assert.Empty(_transport.Sent);
        }

        [Fact]
        public void The_policy_is_remembered_for_the_account_and_explicit_values_override_it()
        {
            var first = AccountPolicy.Resolve(_ledger, "acct", new QuotaPolicy { MessagesPerMinute = 7, MessagesPerDay = 70 }, _clock.UtcNow, out var s1);
            Assert.Equal(PolicySource.Given, s1);
            var later = AccountPolicy.Resolve(_ledger, "acct", new QuotaPolicy(), _clock.UtcNow, out var s2);
            Assert.Equal(PolicySource.Remembered, s2);
            Assert.Equal(first, later);
            var changed = AccountPolicy.Resolve(_ledger, "acct", new QuotaPolicy { MessagesPerDay = 50 }, _clock.UtcNow, out _);
            Assert.Equal(7, changed.MessagesPerMinute);
            Assert.Equal(50, changed.MessagesPerDay);
            var unknown = AccountPolicy.Resolve(_ledger, "new", new QuotaPolicy(), _clock.UtcNow, out var s3);
            Assert.Equal(PolicySource.Default, s3);
            Assert.NotNull(unknown.MessagesPerMinute);
        }
    }
}
