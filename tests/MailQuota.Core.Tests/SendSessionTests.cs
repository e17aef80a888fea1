using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using MailQuota.Core.Content;
using MailQuota.Core.Mail;
using MailQuota.Core.Quota;
using MailQuota.Core.Sending;
using MailQuota.Core.Smtp;
using MailQuota.Core.Storage;
using MailQuota.Core.Tests.Postgres;
using MailQuota.Core.Time;
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
        /// <summary>Runs before the go-ahead, as connecting and MAIL and RCPT do: may throw (Ctrl+C there).</summary>
        public Action? BeforeGoAhead { get; set; }
        public SmtpReply Send(MimeMessage message, MailboxAddress sender, IReadOnlyList<MailboxAddress> recipients, CancellationToken cancellationToken)
        {
            BeforeGoAhead?.Invoke();
            Sent.Add((_clock.UtcNow, message, recipients));
            DataGoAhead?.Invoke();   // as a server's 354 (the scripted replies are given after the data)
            return Answer(message);
        }
        public event Action? DataGoAhead;
        public void Dispose() { }
    }

    public abstract class SendSessionTests : IDisposable
    {
        readonly LedgerEngine _engine;
        readonly ILedgerStores _ledger;
        readonly FakeClock _clock = new FakeClock();
        readonly RecordingTransport _transport;
        static readonly MessageTemplate Template = new MessageTemplate(new MailboxAddress("", "hr@example.test"), "Hi {{Name}}", "Body for {{Name}}", null);

        protected SendSessionTests(LedgerEngine engine)
        {
            _engine = engine;
            _ledger = _engine.Open();
            _transport = new RecordingTransport(_clock);
        }

        public void Dispose() { _ledger.Dispose(); _engine.Dispose(); }

        SendSession Session(QuotaPolicy policy, SendOptions? options = null) =>
            new SendSession("hr@example.test", policy, Template, _ledger, _ledger, _ledger, _transport, _clock, options, handovers: _ledger.OpenAnother());

        static MailRow Row(int n, string? address, string? name = "N") =>
            new MailRow(n, address, name, new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["Name"] = name });

        [SkippableFact]
        public void Waits_on_the_injected_clock_when_the_minute_is_full_and_reports_the_wait()
        {
            var session = Session(new QuotaPolicy { MessagesPerMinute = 5 });
            var waits = new List<WaitNotice>();
            var results = Enumerable.Range(1, 12).Select(i => session.SendOne(Row(i, $"u{i}@example.test"), default, waits.Add)).ToList();
            Assert.All(results, r => Assert.Equal(RowStatus.Sent, r.Status));
            var times = _transport.Sent.Select(s => s.At).ToList();
            for (var i = 5; i < times.Count; i++)
                Assert.True(times[i] - times[i - 5] >= TimeSpan.FromMinutes(1), $"message {i} came too early");
            Assert.NotEmpty(waits);
            Assert.Contains("5 messages per minute", waits[0].Reason);
            Assert.Equal(6, waits[0].Row);
            // rows 6-10 wait one minute, rows 11-12 another: each window held a delivery margin longer
            Assert.Equal(TimeSpan.FromMinutes(2) + 2 * new SendOptions().DeliveryMargin, _clock.Slept);
        }

        [SkippableFact]
        public void Invalid_rows_use_no_quota_and_the_run_goes_on()
        {
            var session = Session(new QuotaPolicy { MessagesPerHour = 2 });
            var bad = session.SendOne(Row(1, "nope"), default);
            var good = session.SendOne(Row(2, "ok@example.test"), default);
            Assert.Equal(RowStatus.Invalid, bad.Status);
            Assert.Equal("InvalidAddress", bad.ErrorId);
            Assert.Equal(RowStatus.Sent, good.Status);
            Assert.Equal(1, _ledger.UseSince("hr@example.test", _clock.UtcNow.AddHours(-1)).Messages);
        }

        [SkippableFact]
        public void The_same_address_twice_in_a_run_is_sent_once()
        {
            var session = Session(new QuotaPolicy());
            Assert.Equal(RowStatus.Sent, session.SendOne(Row(1, "Dup@Example.test"), default).Status);
            var second = session.SendOne(Row(2, "dup@example.test"), default);
            Assert.Equal(RowStatus.Skipped, second.Status);
            Assert.Single(_transport.Sent);
        }

        [SkippableFact]
        public void A_refusal_is_recorded_as_failed_with_the_reply()
        {
            _transport.Answer = _ => new SmtpReply(false, 550, "5.1.1 user unknown");
            var result = Session(new QuotaPolicy()).SendOne(Row(1, "gone@example.test"), default);
            Assert.Equal(RowStatus.Failed, result.Status);
            Assert.Equal("550 5.1.1 user unknown", result.Reply);
            Assert.Equal(1, result.Attempts);
        }

        [SkippableFact]
        public void Cancelling_a_wait_stops_without_reserving()
        {
            var session = Session(new QuotaPolicy { MessagesPerDay = 1 });
            session.SendOne(Row(1, "a@example.test"), default);
            using var cts = new CancellationTokenSource();
            Assert.Throws<OperationCanceledException>(() => session.SendOne(Row(2, "b@example.test"), cts.Token, _ => cts.Cancel()));
            Assert.Equal(1, _ledger.UseSince("hr@example.test", _clock.UtcNow.AddDays(-1)).Messages);
        }

        [SkippableFact]
        public void Preview_composes_without_touching_ledger_or_server()
        {
            var preview = SendSession.Preview(Template, "hr@example.test", Row(1, "p@example.test", "Pat"));
            Assert.Equal(RowStatus.WhatIf, preview.Status);
            Assert.Equal("Hi Pat", preview.Subject);
            Assert.Empty(_transport.Sent);
        }

        [SkippableFact]
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

        static MailRow Plain(int n) => new MailRow(n, $"p{n}@example.test", null, MailRow.NoFields);

        [SkippableFact]
        public void A_quota_wait_longer_than_MaxWait_defers_the_row_with_the_reason_and_the_time_it_can_go()
        {
            var session = Session(new QuotaPolicy { MessagesPerHour = 2 }, new SendOptions { MaxWait = TimeSpan.FromMinutes(10) });
            var start = _clock.UtcNow;
            Assert.Equal(RowStatus.Sent, session.SendOne(Row(1, "a@example.test"), default).Status);
            _clock.Advance(TimeSpan.FromMinutes(1));
            Assert.Equal(RowStatus.Sent, session.SendOne(Row(2, "b@example.test"), default).Status);
            var deferred = session.SendOne(Row(3, "c@example.test"), default);
            Assert.Equal(RowStatus.Deferred, deferred.Status);
            Assert.Equal(start + TimeSpan.FromHours(1) + new SendOptions().DeliveryMargin, deferred.DeferredUntil);   // the window, held a delivery margin longer
            Assert.Contains("2 messages per hour", deferred.Reply);
            Assert.Contains("longer than the longest wait allowed", deferred.Reply);
            Assert.Equal(TimeSpan.Zero, _clock.Slept);
            Assert.Equal(2, _transport.Sent.Count);
        }

        [SkippableFact]
        public void A_wait_within_MaxWait_is_waited_out()
        {
            var session = Session(new QuotaPolicy { MinInterval = TimeSpan.FromMinutes(2) }, new SendOptions { MaxWait = TimeSpan.FromMinutes(5) });
            session.SendOne(Row(1, "a@example.test"), default);
            Assert.Equal(RowStatus.Sent, session.SendOne(Row(2, "b@example.test"), default).Status);
            Assert.Equal(TimeSpan.FromMinutes(2), _clock.Slept);
        }

        [SkippableFact]
        public void A_temporary_failure_is_retried_with_backoff_and_gives_up_after_the_last_attempt()
        {
            var answers = new Queue<SmtpReply>(new[] { new SmtpReply(false, 451, "4.3.0 local error"), new SmtpReply(true, 250, "ok") });
            _transport.Answer = _ => answers.Dequeue();
            var session = Session(new QuotaPolicy(), new SendOptions { Random = new Random(3) });
            var result = session.SendOne(Row(1, "a@example.test"), default);
            Assert.Equal(RowStatus.Sent, result.Status);
            Assert.Equal(2, result.Attempts);
            Assert.InRange(_clock.Slept, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));   // first backoff: 2 s with equal jitter

            _transport.Answer = _ => new SmtpReply(false, 451, "4.3.0 local error");
            var failed = session.SendOne(Row(2, "b@example.test"), default);
            Assert.Equal(RowStatus.Failed, failed.Status);
            Assert.Equal(5, failed.Attempts);
            Assert.Contains("after 5 attempts", failed.Reply);
        }

        [SkippableFact]
        public void A_connection_lost_after_the_message_was_handed_over_is_unknown_and_not_retried()
        {
            _transport.Answer = _ => new SmtpReply(false, 0, "connection lost: reset", SmtpStage.Data, handedOver: true);
            var result = Session(new QuotaPolicy()).SendOne(Row(1, "a@example.test"), default);
            Assert.Equal(RowStatus.Unknown, result.Status);
            Assert.Single(_transport.Sent);
        }

        [SkippableFact]
        public void A_connection_lost_before_the_message_is_a_safe_retry_that_uses_no_quota()
        {
            var answers = new Queue<SmtpReply>(new[] { new SmtpReply(false, 0, "connection lost: reset", SmtpStage.Recipient), new SmtpReply(true, 250, "ok") });
            _transport.Answer = _ => answers.Dequeue();
            var result = Session(new QuotaPolicy()).SendOne(Row(1, "a@example.test"), default);
            Assert.Equal(RowStatus.Sent, result.Status);
            Assert.Equal(1, _ledger.UseSince("hr@example.test", _clock.UtcNow.AddDays(-1)).Messages);
        }

        [SkippableFact]
        public void A_rerun_of_the_campaign_skips_sent_rows_and_reports_rows_left_in_flight_as_unknown()
        {
            var options = new SendOptions { Campaign = "payroll-2026-11" };
            Session(new QuotaPolicy(), options).SendOne(Row(1, "sent@example.test"), default);
            // A process that died after reserving row 2: its reservation stays in flight.
            using (var tx = _ledger.BeginReservation("hr@example.test"))
            {
                var id = tx.Insert(new ReservationRequest("hr@example.test", "dead@example.test") { Campaign = "payroll-2026-11" }, _clock.UtcNow);
                _ledger.LinkRows("payroll-2026-11", new[] { "dead@example.test" }, id, retryUnknown: false);
                tx.Commit();
            }

            var rerun = Session(new QuotaPolicy(), new SendOptions { Campaign = "payroll-2026-11" });
            var sent = rerun.SendOne(Row(1, "Sent@Example.test"), default);
            var dead = rerun.SendOne(Row(2, "dead@example.test"), default);
            var fresh = rerun.SendOne(Row(3, "new@example.test"), default);
            Assert.Equal(RowStatus.Skipped, sent.Status);
            Assert.Contains("earlier run of campaign payroll-2026-11", sent.Reply);
            Assert.Equal(RowStatus.Unknown, dead.Status);
            Assert.Contains("retry rows of unknown outcome", dead.Reply);
            Assert.Equal(RowStatus.Sent, fresh.Status);
            Assert.Equal(new[] { "sent@example.test", "new@example.test" }, _transport.Sent.Select(s => s.Recipients.Single().Address));

            var retry = Session(new QuotaPolicy(), new SendOptions { Campaign = "payroll-2026-11", RetryUnknown = true });
            Assert.Equal(RowStatus.Sent, retry.SendOne(Row(2, "dead@example.test"), default).Status);
            Assert.Equal(RowStatus.Skipped, retry.SendOne(Row(3, "new@example.test"), default).Status);
            // Another campaign is another mailing: it sends again.
            Assert.Equal(RowStatus.Sent, Session(new QuotaPolicy(), new SendOptions { Campaign = "other" }).SendOne(Row(1, "sent@example.test"), default).Status);
        }

        [SkippableFact]
        public void Batches_of_messages_are_separated_by_the_batch_delay()
        {
            var session = Session(new QuotaPolicy(), new SendOptions { BatchSize = 3, BatchDelay = TimeSpan.FromSeconds(30) });
            var waits = new List<WaitNotice>();
            for (var i = 1; i <= 7; i++) session.SendOne(Row(i, $"b{i}@example.test"), default, waits.Add);
            var times = _transport.Sent.Select(s => s.At - _transport.Sent[0].At).ToList();
            Assert.Equal(new[] { 0, 0, 0, 30, 30, 30, 60 }, times.Select(t => (int)t.TotalSeconds));
            Assert.Contains("after a batch of 3 messages", waits[0].Reason);
        }

        [SkippableFact]
        public void Several_rows_per_message_refuse_merge_fields_and_more_rows_than_the_policy_allows()
        {
            var merge = Assert.Throws<ArgumentException>(() => Session(new QuotaPolicy(), new SendOptions { RecipientsPerMessage = 10 }));
            Assert.Contains("{{Name}}", merge.Message);
            var plain = new MessageTemplate(new MailboxAddress("", "hr@example.test"), "News", "News", null);
            var tooMany = Assert.Throws<ArgumentException>(() => new SendSession("hr@example.test", new QuotaPolicy { MaxRecipientsPerMessage = 50 }, plain,
                _ledger, _ledger, _ledger, _transport, _clock, new SendOptions { RecipientsPerMessage = 51 }));
            Assert.Contains("maximum of 50", tooMany.Message);
        }

        [SkippableFact]
        public void A_Bcc_batch_waits_for_the_end_of_the_input_when_it_is_not_full()
        {
            var plain = new MessageTemplate(new MailboxAddress("", "hr@example.test"), "News", "News", null);
            var session = new SendSession("hr@example.test", new QuotaPolicy(), plain, _ledger, _ledger, _ledger, _transport, _clock, new SendOptions { RecipientsPerMessage = 3 });
            var results = session.Add(Plain(1), default).Concat(session.Add(new MailRow(2, "bad", null, MailRow.NoFields), default)).Concat(session.Add(Plain(3), default)).ToList();
            Assert.Empty(results);                   // row 2's result waits behind row 1: results come in input order
            Assert.Empty(_transport.Sent);           // the batch is not full
            results.AddRange(session.Add(Plain(4), default));
            results.AddRange(session.Flush(default));
            Assert.Equal(new[] { 1, 2, 3, 4 }, results.Select(r => r.Row));
            Assert.Equal(new[] { RowStatus.Sent, RowStatus.Invalid, RowStatus.Sent, RowStatus.Sent }, results.Select(r => r.Status));
            Assert.Equal(new[] { 1, 3, 4 }, Enumerable.Range(0, 1).SelectMany(_ => _transport.Sent.Single().Recipients).Select(r => int.Parse(r.Address.Substring(1, 1))));
            Assert.Single(session.Add(Plain(5), default).Concat(session.Flush(default)));
        }

        [SkippableFact]
        public void The_account_refused_at_MAIL_FROM_stops_the_run()
        {
            _transport.Answer = _ => new SmtpReply(false, 553, "5.1.8 sender address rejected", SmtpStage.Sender);
            var session = Session(new QuotaPolicy());
            Assert.Equal(RowStatus.Failed, session.SendOne(Row(1, "a@example.test"), default).Status);
            Assert.Equal(ReplyOutcome.AccountBlocked, session.Stopped!.Verdict.Outcome);
            Assert.Equal(1, session.Stopped.Row);
        }

        [SkippableFact]
        public void Persistent_throttling_defers_the_row_once_the_throttle_budget_is_spent_and_the_next_session_starts_slow()
        {
            _transport.Answer = _ => new SmtpReply(false, 454, "Throttling failure: Maximum sending rate exceeded");
            // Cool-downs of 1-2, 2-4 and 4-8 s: the third ends 7 s or more after the first attempt, past the budget.
            // MaxAttempts does not bound throttles (it is 1 here): the budget of time does.
            var retry = new RetryPolicy { MaxAttempts = 1, ThrottleBudget = TimeSpan.FromSeconds(6.5) };
            var session = Session(new QuotaPolicy { MessagesPerMinute = 60 }, new SendOptions { Retry = retry });
            var result = session.SendOne(Row(1, "a@example.test"), default);
            Assert.Equal(RowStatus.Deferred, result.Status);
            Assert.Equal(3, result.Attempts);
            Assert.Contains("throttled 3 times", result.Reply);
            Assert.NotNull(result.DeferredUntil);
            var pacing = _ledger.GetPacing("hr@example.test")!;
            Assert.Equal(TimeSpan.FromSeconds(8), pacing.Interval);   // the policy's 1 s, halved in rate three times: 2, 4, 8 s
            _transport.Answer = _ => new SmtpReply(true, 250, "ok");
            var next = Session(new QuotaPolicy { MessagesPerMinute = 60 });
            _clock.Advance(TimeSpan.FromMinutes(10));
            next.SendOne(Row(2, "b@example.test"), default);
            next.SendOne(Row(3, "c@example.test"), default);
            // 8 s less one recovery step after b: 1 / (1/8 + 1/16) = 5.33 s, far from the policy's 1 s.
            Assert.True(_transport.Sent[^1].At - _transport.Sent[^2].At >= TimeSpan.FromSeconds(5), "the next session starts at the cut pace");
        }
    
        [SkippableFact]
        public void From_the_go_ahead_until_the_reply_is_recorded_the_send_is_unknown()
        {
            var session = Session(new QuotaPolicy(), new SendOptions { Campaign = "c" });
            SendStatus? whileSending = null;
            _transport.Answer = _ => { whileSending = _ledger.FindRow("c", "g@example.test")!.Status; return new SmtpReply(true, 250, "2.0.0 Ok"); };
            Assert.Equal(RowStatus.Sent, session.SendOne(Row(1, "g@example.test")).Status);
            Assert.Equal(SendStatus.Unknown, whileSending);   // a process killed now leaves it Unknown: it may have been taken
            Assert.Equal(SendStatus.Sent, _ledger.FindRow("c", "g@example.test")!.Status);
        }

        [SkippableFact]
        public void Ctrl_C_before_the_go_ahead_releases_the_message_for_a_rerun_and_after_it_leaves_it_unknown()
        {
            var options = new SendOptions { Campaign = "c" };
            _transport.BeforeGoAhead = () => throw new OperationCanceledException();   // connecting, or at MAIL or RCPT
            Assert.Throws<OperationCanceledException>(() => Session(new QuotaPolicy(), options).SendOne(Row(1, "early@example.test")));
            Assert.Equal(SendStatus.Released, _ledger.FindRow("c", "early@example.test")!.Status);
            _transport.BeforeGoAhead = null;
            _transport.Answer = _ => throw new OperationCanceledException();               // while the data goes out
            Assert.Throws<OperationCanceledException>(() => Session(new QuotaPolicy(), options).SendOne(Row(2, "late@example.test")));
            Assert.Equal(SendStatus.Unknown, _ledger.FindRow("c", "late@example.test")!.Status);
            _transport.Answer = _ => new SmtpReply(true, 250, "2.0.0 Ok");
            var rerun = Session(new QuotaPolicy(), options);
            Assert.Equal(RowStatus.Sent, rerun.SendOne(Row(1, "early@example.test")).Status);
            Assert.Equal(RowStatus.Unknown, rerun.SendOne(Row(2, "late@example.test")).Status);
            Assert.Equal(new[] { "late@example.test", "early@example.test" }, _transport.Sent.SelectMany(m => m.Recipients).Select(r => r.Address));
        }

        [SkippableFact]
        public void A_row_whose_process_died_before_the_go_ahead_is_sent_again_by_a_plain_rerun_one_that_died_after_it_is_not_and_one_still_being_sent_is_left_to_its_run()
        {
            // a real `sleep` process owns the rows (Unix), and the host's start time is read on Linux (and Windows)
            if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux)) return;
            var at = _clock.UtcNow;
            long Reserve(string row) => _ledger.ReserveRow("hr@example.test", "c", row, at);
            var before = Reserve("before@example.test");   // killed before the server's go-ahead: InFlight
            var after = Reserve("after@example.test");     // killed after it: marked Unknown at the go-ahead
            _ledger.Complete(after, SendStatus.Unknown, at, "handed to the server; the run ended before its reply was recorded", 1);
            var alive = Reserve("alive@example.test");     // still being sent by a process that runs
            var handed = Reserve("handed@example.test");   // handed over by it, its reply not yet recorded
            _ledger.HandOver(handed, at, 1);               // a ledger file journals it (InFlight); PostgreSQL writes Unknown
            using var running = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
            using var killed = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
            SetOwner(before, killed); SetOwner(after, killed); SetOwner(alive, running); SetOwner(handed, running);
            killed.Kill();
            killed.WaitForExit();
            try
            {
                var rerun = Session(new QuotaPolicy(), new SendOptions { Campaign = "c" });   // no RetryUnknown
                Assert.Equal(RowStatus.Sent, rerun.SendOne(Row(1, "before@example.test")).Status);
                Assert.Equal(RowStatus.Unknown, rerun.SendOne(Row(2, "after@example.test")).Status);
                foreach (var (number, address) in new[] { (3, "alive@example.test"), (4, "handed@example.test") })
                {
                    var left = rerun.SendOne(Row(number, address));                     // left to the run sending it
                    Assert.Equal((RowStatus.Skipped, RowResults.TakenByAnotherRun), (left.Status, left.ErrorId));
                    Assert.StartsWith("another run of campaign c is sending it", left.Reply);
                }
                Assert.Equal(new[] { "before@example.test" }, _transport.Sent.SelectMany(s => s.Recipients).Select(r => r.Address));
            }
            finally { running.Kill(); }
        }

        void SetOwner(long sendId, Process process) =>
            _engine.Scalar($"UPDATE sends SET owner = '{MailQuota.Core.Storage.ProcessIdentity.Of(process)}' WHERE id = {sendId}");

        [SkippableFact]
        public void Without_near_duplicate_limits_fingerprints_are_kept_after_the_send_and_none_for_a_message_never_taken()
        {
            SendSession Guarded(QuotaPolicy policy) =>
                new SendSession("hr@example.test", policy, Template, _ledger, _ledger, _ledger, _transport, _clock, new SendOptions { Campaign = "c" },
                    new ContentGuard(_ledger, _clock, policy, DuplicateAction.Warn), _ledger.OpenAnother());
            long Kept() => Convert.ToInt64(_engine.Scalar("SELECT COUNT(*) FROM content_fingerprints"));
            var keptWhileFirstSent = -1L;
            var refusedOnce = false;
            _transport.Answer = m =>
            {
                if (keptWhileFirstSent < 0) keptWhileFirstSent = Kept();
                if (m.To.Mailboxes.First().Address == "u7@example.test" && !refusedOnce)
                {
                    refusedOnce = true;
                    return new SmtpReply(false, 451, "4.3.0 Try again later");   // refused for now: retried, its first attempt never taken
                }
                return new SmtpReply(true, 250, "2.0.0 Ok");
            };
            var session = Guarded(new QuotaPolicy());
            var results = Enumerable.Range(1, 40).SelectMany(i => session.Add(Row(i, $"u{i}@example.test"), default)).ToList().Concat(session.Flush(default)).ToList();

            Assert.All(results, r => Assert.Equal(RowStatus.Sent, r.Status));
            Assert.Equal(0L, keptWhileFirstSent);   // not written in the reservation's transaction
            // 40 taken and u7's refusal (a message reserved ahead of the 451 may also be released and reserved again)
            Assert.Equal(41L, Convert.ToInt64(_engine.Scalar("SELECT COUNT(*) FROM sends WHERE status <> 'Released'")));
            Assert.Equal(40L, Kept());              // every message taken; not u7's refused attempt
            Assert.Equal(40L, Convert.ToInt64(_engine.Scalar("SELECT COUNT(*) FROM content_fingerprints f JOIN sends s ON s.id = f.send_id WHERE s.status = 'Sent' AND f.at = s.reserved_at")));

            // Under a near-duplicate limit the next check must see it at once: kept with the reservation.
            keptWhileFirstSent = -1;
            Guarded(new QuotaPolicy { NearDuplicatesPerDay = 1000 }).SendOne(Row(41, "u41@example.test"));
            Assert.Equal(41L, keptWhileFirstSent);
        }

        [SkippableFact]
        public void Overlapping_runs_of_one_campaign_never_both_send_a_row()
        {
            var plain = new MessageTemplate(new MailboxAddress("", "hr@example.test"), "News", "News", null);
            SendSession Run(int perMessage) => new SendSession("hr@example.test", new QuotaPolicy(), plain, _ledger, _ledger, _ledger, _transport, _clock,
                new SendOptions { Campaign = "overlap", RecipientsPerMessage = perMessage });
            var slow = Run(2);                                            // a scheduled run that gathers Bcc batches
            var fast = Run(1);                                            // an interactive run of the same campaign
            Assert.Empty(slow.Add(Plain(1), default));                    // checked p1: not sent yet; held for the batch
            Assert.Equal(RowStatus.Sent, fast.SendOne(Plain(1)).Status);  // meanwhile the other run sends p1
            var batch = slow.Add(Plain(2), default).Concat(slow.Flush(default)).ToList();   // the batch would send p1 again
            Assert.Equal(2, batch.Count);
            Assert.Equal(RowStatus.Skipped, batch[0].Status);             // p1 is the other run's
            Assert.Equal(RowResults.TakenByAnotherRun, batch[0].ErrorId);
            Assert.Contains("another run of campaign overlap", batch[0].Reply);
            Assert.Equal(RowStatus.Sent, batch[1].Status);                // p2 still goes, without p1
            Assert.Equal(2, _transport.Sent.Count);
            Assert.Equal(new[] { "p2@example.test" }, _transport.Sent[1].Recipients.Select(r => r.Address));
            Assert.Equal(2, _ledger.UseSince("hr@example.test", _clock.UtcNow.AddHours(-1)).Messages);   // the refused reservation rolled back
            var summary = new SendSummary("hr@example.test", "overlap");
            foreach (var r in batch) summary.Add(r);
            Assert.True(summary.Incomplete);                              // a row left to another run is not done by this one
        }
    }

    public sealed class SqliteSendSessionTests : SendSessionTests { public SqliteSendSessionTests() : base(new SqliteEngine()) { } }

    [Collection(PostgresCluster.Collection)]
    public sealed class PostgresSendSessionTests : SendSessionTests { public PostgresSendSessionTests(PostgresCluster cluster) : base(new PostgresEngine(cluster)) { } }
}
