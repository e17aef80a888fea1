using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MailQuota.Core.Mail;
using MailQuota.Core.Quota;
using MailQuota.Core.Sending;
using MailQuota.Core.Smtp;
using MailQuota.Core.Storage.Sqlite;
using MimeKit;
using ScriptedSmtpServer;

namespace MailQuota.Core.Tests
{
    /// <summary>
    /// The send path end to end against a real SMTP server on loopback whose replies are scripted
    /// (SmtpServer in-process), through MailKit, a real ledger file and the injected clock.
    /// </summary>
    public sealed class ScriptedSmtpTests : IDisposable
    {
        const string Account = "notices@example.test";
        readonly TempLedger _file = new TempLedger();
        readonly SqliteLedger _ledger;
        readonly FakeClock _clock = new FakeClock();
        readonly List<ScriptedServer> _servers = new List<ScriptedServer>();
        static readonly MessageTemplate Personal = new MessageTemplate(new MailboxAddress("Notices", Account), "Hi {{Name}}", "Dear {{Name}}", null);

        public ScriptedSmtpTests() => _ledger = new SqliteLedger(_file.Path);

        public void Dispose()
        {
            foreach (var server in _servers) server.Dispose();
            _ledger.Dispose();
            _file.Dispose();
        }

        ScriptedServer Server(params string[] rules)
        {
            var server = ScriptedServer.Start(rules);
            _servers.Add(server);
            return server;
        }

        /// <summary>Sends the rows in one run (a new session and connection, as a new process would) and returns every result.</summary>
        List<SendResult> Run(ScriptedServer server, IEnumerable<MailRow> rows, QuotaPolicy policy, SendOptions? options = null, MessageTemplate? template = null)
        {
            options ??= new SendOptions();
            options.Campaign ??= "c1";
            options.Random = new Random(1);
            using var transport = new MailKitTransport(new SmtpSettings("127.0.0.1", server.Port, SmtpSecurity.None, null));
            var session = new SendSession(Account, policy, template ?? Personal, _ledger, _ledger, _ledger, transport, _clock, options);
            var results = rows.SelectMany(r => session.Add(r, default)).ToList();
            results.AddRange(session.Flush(default));
            return results;
        }

        static IEnumerable<MailRow> Rows(int count, int from = 1) => Enumerable.Range(from, count).Select(i =>
            new MailRow(i, $"user{i}@example.test", $"User {i}", new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["Name"] = $"User {i}" }));

        static List<string> Recipients(ScriptedServer server) => server.Received.SelectMany(m => m.To).ToList();

        /// <summary>Every row Sent and delivered once; two scripted refusals, each retried once.</summary>
        static void AllSentOnceAfterTwoRefusals(ScriptedServer server, List<SendResult> results, int rows)
        {
            Assert.Equal(rows, results.Count);
            Assert.All(results, r => Assert.Equal(RowStatus.Sent, r.Status));
            var recipients = Recipients(server);
            Assert.Equal(rows, recipients.Count);
            Assert.Equal(rows, recipients.Distinct(StringComparer.OrdinalIgnoreCase).Count());
            Assert.Equal(2, server.Refusals.Count);
            Assert.Equal(2, results.Count(r => r.Attempts == 2));
        }

        static MimeMessage Parse(ReceivedMessage m) => MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(m.Raw)));

        [Fact]
        public void The_transport_says_go_ahead_after_the_354_before_the_server_has_the_message_and_not_when_nothing_is_handed_over()
        {
            var server = Server("rcpt to refused@example.test => 550 5.1.1 user unknown", "data nth 2 drop => 421 dropped");
            using var transport = new MailKitTransport(new SmtpSettings("127.0.0.1", server.Port, SmtpSecurity.None, null));
            var takenAtGoAhead = new List<int>();
            transport.DataGoAhead += () => takenAtGoAhead.Add(server.Received.Count);
            var from = new MailboxAddress("", Account);
            SmtpReply Send(string to) => transport.Send(new MimeMessage(new[] { from }, new[] { new MailboxAddress("", to) }, "s", new TextPart("plain") { Text = "b" }), from, new[] { new MailboxAddress("", to) }, default);

            Assert.True(Send("one@example.test").Accepted);
            Assert.False(Send("refused@example.test").Accepted);   // refused at RCPT: no DATA, no go-ahead
            Assert.False(Send("dropped@example.test").HandedOver); // dropped at the DATA command: no 354
            Assert.True(Send("two@example.test").Accepted);
            Assert.Equal(new[] { 0, 1 }, takenAtGoAhead);          // once per message taken, each time before the server had it
        }

        [Fact]
        public void A_held_reply_leaves_the_message_taken_and_its_sender_waiting_until_released()
        {
            var server = Server("data nth 1 hold => 250 2.0.0 queued after the hold");
            using var held = new System.Threading.ManualResetEventSlim();
            server.Holding += _ => held.Set();
            using var transport = new MailKitTransport(new SmtpSettings("127.0.0.1", server.Port, SmtpSecurity.None, null));
            var from = new MailboxAddress("", Account);
            var to = new[] { new MailboxAddress("", "held@example.test") };
            var sending = System.Threading.Tasks.Task.Run(() => transport.Send(new MimeMessage(new[] { from }, to, "s", new TextPart("plain") { Text = "b" }), from, to, default));

            Assert.True(held.Wait(TimeSpan.FromSeconds(30)));
            Assert.Single(server.Received);                 // taken before the reply
            Assert.False(sending.IsCompleted);              // the sender is still waiting for it
            server.Release();
            Assert.True(sending.Wait(TimeSpan.FromSeconds(30)));
            Assert.True(sending.Result.Accepted);
            Assert.Contains("queued after the hold", sending.Result.ToString());
        }

        [Fact]
        public void Throttled_every_21st_message_all_60_rows_are_sent_once_and_the_ledger_shows_the_cut_pace()
        {
            var server = Server("data after-every 20 => 454 Transient reject by behaviour spamANTISPAM_BAT[01201311R]: too frequently sending");
            var policy = new QuotaPolicy { MessagesPerMinute = 120 };
            var paceAfterThrottle = new List<TimeSpan?>();

            var results = Run(server, Rows(60), policy);

            AllSentOnceAfterTwoRefusals(server, results, 60);             // the 21st and the 42nd message
            // The ledger: each refusal is a Refused send with the reply, and the pacing row names it.
            using var check = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_file.Path};Pooling=False");
            check.Open();
            using var cmd = check.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*) FROM sends WHERE status='Refused' AND reply LIKE '454 %too frequently sending'";
            Assert.Equal(2L, cmd.ExecuteScalar());
            var pacing = _ledger.GetPacing(Account);
            Assert.NotNull(pacing);
            Assert.Contains("too frequently sending", pacing!.Reason);
            // The pace was cut: the retry came after the cool-down, and the messages after it went out
            // at the cut pace (one a second, the floor, less one recovery step: 1/(1 + 2/16) s), then
            // recovered step by step.
            var sent = results.Where(r => r.SentAt != null).OrderBy(r => r.SentAt).Select(r => r.SentAt!.Value).ToList();
            foreach (var retried in results.Where(r => r.Attempts == 2))
            {
                var at = retried.SentAt!.Value;
                var before = sent.Last(t => t < at);
                Assert.True(at - before >= TimeSpan.FromSeconds(1), $"row {retried.Row} was retried after a cool-down ({(at - before).TotalSeconds} s)");
                var next = sent.First(t => t > at);
                Assert.True(next - at >= TimeSpan.FromSeconds(0.88), $"after the throttle at row {retried.Row} the pace was cut ({(next - at).TotalSeconds} s)");
            }
            // Recovered: pacing ended, and the last messages went out as fast as the policy's windows allow.
            Assert.Null(pacing.Interval);
            var lastGaps = sent.Skip(sent.Count - 5).Zip(sent.Skip(sent.Count - 4), (a, b) => b - a).ToList();
            Assert.All(lastGaps, g => Assert.True(g < TimeSpan.FromSeconds(0.5), $"recovered ({g.TotalSeconds} s)"));
        }

        [Fact]
        public void A_pipelined_MAIL_refused_as_Postfix_anvil_does_is_a_throttle_not_a_refusal_of_the_recipients()
        {
            // Postfix answers MAIL with 450 4.7.1 past smtpd_client_message_rate_limit; MailKit has
            // already pipelined RCPT behind it, which the server answers with 503. The MAIL reply decides.
            var server = Server("mail after-every 20 => 450 4.7.1 Error: too much mail from 127.0.0.1");
            var policy = new QuotaPolicy { MessagesPerMinute = 120 };

            var results = Run(server, Rows(60), policy);

            AllSentOnceAfterTwoRefusals(server, results, 60);             // the 21st and the 42nd MAIL
            var pacing = _ledger.GetPacing(Account);
            Assert.NotNull(pacing);
            Assert.Contains("too much mail", pacing!.Reason);               // the pace was cut by the MAIL reply, not a 503
            using var check = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_file.Path};Pooling=False");
            check.Open();
            using var cmd = check.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*) FROM sends WHERE status='Refused' AND reply LIKE '450 4.7.1 Error: too much mail%'";
            Assert.Equal(2L, cmd.ExecuteScalar());
            cmd.CommandText = "SELECT COUNT(*) FROM campaign_rows WHERE rejected IS NOT NULL";
            Assert.Equal(0L, cmd.ExecuteScalar());                          // no row is marked refused for good
        }

        [Fact]
        public void A_reply_lost_after_the_message_was_taken_is_Unknown_even_when_the_envelope_repeats_an_address()
        {
            // Row 2's own address comes again, in another case, as the fixed Cc: MailKit sends one RCPT
            // for both, so a count of expected RCPT replies never reaches DATA and the lost reply
            // looked like "never left": the message went out twice.
            var server = Server("data nth 2 lose => 250 taken, reply lost");
            var template = new MessageTemplate(new MailboxAddress("Notices", Account), "Hi {{Name}}", "Dear {{Name}}", null)
            {
                Cc = new MergeTemplate("USER2@example.test"),
            };

            var results = Run(server, Rows(3), new QuotaPolicy(), template: template);

            Assert.Equal(new[] { RowStatus.Sent, RowStatus.Unknown, RowStatus.Sent }, results.Select(r => r.Status));
            Assert.Equal(3, server.Received.Count);                         // row 2's message once: not resent
            Assert.Equal(new[] { "user2@example.test" }, server.Received[1].To);
            var rerun = Run(server, Rows(3), new QuotaPolicy(), template: template);
            Assert.Equal(RowStatus.Unknown, rerun[1].Status);               // a rerun does not resend it either
            Assert.Equal(3, server.Received.Count);
        }

        [Fact]
        public void A_connection_dropped_at_the_DATA_command_handed_nothing_over_and_the_message_is_retried_once()
        {
            var server = Server("data nth 2 drop => 421 hang-up at DATA");

            var results = Run(server, Rows(3), new QuotaPolicy());

            Assert.All(results, r => Assert.Equal(RowStatus.Sent, r.Status));
            Assert.Equal(2, results[1].Attempts);
            Assert.Equal(new[] { "user1@example.test", "user2@example.test", "user3@example.test" }, Recipients(server));
        }

        [Fact]
        public void A_sender_refused_at_RCPT_stops_the_run_and_a_rerun_after_the_fix_sends_every_row()
        {
            // Postfix (smtpd_delay_reject) refuses the sender at RCPT: every recipient would get it.
            var server = Server("rcpt all => 554 5.7.1 <notices@example.test>: Sender address rejected: Access denied");
            var options = new SendOptions();
            using (var transport = new MailKitTransport(new SmtpSettings("127.0.0.1", server.Port, SmtpSecurity.None, null)))
            {
                options.Campaign = "c1";
                var session = new SendSession(Account, new QuotaPolicy(), Personal, _ledger, _ledger, _ledger, transport, _clock, options);
                var first = session.SendOne(Rows(1).Single());
                Assert.Equal(RowStatus.Failed, first.Status);
                Assert.Equal(ReplyOutcome.AccountBlocked, session.Stopped!.Verdict.Outcome);   // the run stops at the first row
            }
            Assert.Single(server.Refusals);
            Assert.Empty(server.Received);

            server.Rules = Array.Empty<ScriptRule>();                                      // the sender is allowed again
            var rerun = Run(server, Rows(5), new QuotaPolicy());
            Assert.All(rerun, r => Assert.Equal(RowStatus.Sent, r.Status));                // none was marked refused for good
            Assert.Equal(5, server.Received.Count);
        }

        [Fact]
        public void Quota_exhausted_from_the_11th_message_defers_the_rest_and_a_rerun_after_the_reset_sends_only_those()
        {
            var server = Server("data from 11 => 554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException");
            var policy = new QuotaPolicy { MessagesPerMinute = 1000 };
            var start = _clock.UtcNow;

            var first = Run(server, Rows(20), policy);

            Assert.All(first.Take(10), r => Assert.Equal(RowStatus.Sent, r.Status));
            Assert.All(first.Skip(10), r =>
            {
                Assert.Equal(RowStatus.Deferred, r.Status);
                Assert.Equal(start + TimeSpan.FromDays(1), r.DeferredUntil);   // the day window of the first send resets
                Assert.Contains("SubmissionQuotaExceededException", r.Reply);
            });
            Assert.Single(server.Refusals);                                      // row 11 only: 12-20 never reached the server
            Assert.True(_ledger.GetPacing(Account)!.IsSuspendedAt(_clock.UtcNow));

            // A rerun before the reset sends nothing, and does not even try the server.
            _clock.Advance(TimeSpan.FromHours(2));
            var early = Run(server, Rows(20), policy);
            Assert.Equal(10, early.Count(r => r.Status == RowStatus.Skipped));
            Assert.Equal(10, early.Count(r => r.Status == RowStatus.Deferred));
            Assert.Single(server.Refusals);

            // The provider's window resets; the same campaign is run again.
            server.Rules = Array.Empty<ScriptRule>();
            _clock.Advance(start + TimeSpan.FromDays(1) - _clock.UtcNow);
            var rerun = Run(server, Rows(20), policy);
            Assert.All(rerun.Take(10), r => { Assert.Equal(RowStatus.Skipped, r.Status); Assert.Contains("earlier run", r.Reply); });
            Assert.All(rerun.Skip(10), r => Assert.Equal(RowStatus.Sent, r.Status));
            var recipients = Recipients(server);
            Assert.Equal(20, recipients.Count);
            Assert.Equal(Enumerable.Range(1, 20).Select(i => $"user{i}@example.test"), recipients.OrderBy(a => int.Parse(a.Substring(4, a.IndexOf('@') - 4))));
        }

        [Fact]
        public void A_user_unknown_fails_its_row_with_the_reply_and_the_rest_are_sent_and_a_rerun_does_not_retry_it()
        {
            var server = Server("rcpt to user3@example.test => 550 5.1.1 user unknown");
            var results = Run(server, Rows(5), new QuotaPolicy());
            Assert.Equal(new[] { RowStatus.Sent, RowStatus.Sent, RowStatus.Failed, RowStatus.Sent, RowStatus.Sent }, results.Select(r => r.Status));
            Assert.StartsWith("550 5.1.1 user unknown", results[2].Reply);
            Assert.Equal(1, results[2].Attempts);
            Assert.Equal(4, server.Received.Count);

            var rerun = Run(server, Rows(5), new QuotaPolicy());
            Assert.All(rerun, r => Assert.Equal(RowStatus.Skipped, r.Status));
            Assert.Contains("refused for good", rerun[2].Reply);
            Assert.Equal(4, server.Received.Count);
        }

        [Fact]
        public void Rows_go_as_Bcc_batches_within_the_recipient_limit_with_no_Bcc_header()
        {
            var server = Server();
            var template = new MessageTemplate(new MailboxAddress("Notices", Account), "Office closed on Friday", "The office is closed on Friday.", null);
            var results = Run(server, Rows(120), new QuotaPolicy { MaxRecipientsPerMessage = 50 }, new SendOptions { RecipientsPerMessage = 50 }, template);

            Assert.Equal(120, results.Count);
            Assert.All(results, r => Assert.Equal(RowStatus.Sent, r.Status));
            Assert.Equal(3, server.Received.Count);
            Assert.Equal(new[] { 50, 50, 20 }, server.Received.Select(m => m.To.Count));
            Assert.Equal(120, Recipients(server).Distinct().Count());
            foreach (var received in server.Received)
            {
                var message = Parse(received);
                Assert.Empty(message.Bcc);
                Assert.DoesNotContain("user", received.Raw.Substring(0, received.Raw.IndexOf("\r\n\r\n", StringComparison.Ordinal)));
                Assert.Equal(Account, ((MailboxAddress)message.To.Single()).Address);
            }
            Assert.Equal(3, results.Select(r => r.MessageId).Distinct().Count());
            // The quota counted recipients, not just messages.
            Assert.Equal(120, _ledger.UseSince(Account, _clock.UtcNow.AddDays(-1)).Recipients);
        }

        [Fact]
        public void In_a_Bcc_batch_a_refused_recipient_fails_alone()
        {
            var server = Server("rcpt to user2@example.test => 550 5.1.1 user unknown");
            var template = new MessageTemplate(new MailboxAddress("", Account), "News", "News for everyone", null);
            var results = Run(server, Rows(4), new QuotaPolicy(), new SendOptions { RecipientsPerMessage = 4 }, template);
            Assert.Equal(new[] { RowStatus.Sent, RowStatus.Failed, RowStatus.Sent, RowStatus.Sent }, results.Select(r => r.Status));
            Assert.StartsWith("550 5.1.1 user unknown", results[1].Reply);
            Assert.Equal(new[] { "user1@example.test", "user3@example.test", "user4@example.test" }, Recipients(server));
        }

        [Fact]
        public void After_421_and_a_hang_up_the_transport_reconnects_and_the_message_is_retried()
        {
            var server = Server("data nth 3 close => 421 4.4.2 connection dropped, closing");
            var results = Run(server, Rows(5), new QuotaPolicy());
            Assert.All(results, r => Assert.Equal(RowStatus.Sent, r.Status));
            Assert.Equal(2, results[2].Attempts);
            Assert.Equal(5, Recipients(server).Distinct().Count());
            Assert.Equal(5, server.Received.Count);
        }

        [Fact]
        public void Content_rejected_stops_the_run_after_the_current_row()
        {
            var server = Server("data nth 2 => 554 reject by content spam");
            using var transport = new MailKitTransport(new SmtpSettings("127.0.0.1", server.Port, SmtpSecurity.None, null));
            var session = new SendSession(Account, new QuotaPolicy(), Personal, _ledger, _ledger, _ledger, transport, _clock, new SendOptions { Campaign = "c" });
            var rows = Rows(3).ToList();
            Assert.Equal(RowStatus.Sent, session.SendOne(rows[0]).Status);
            var refused = session.SendOne(rows[1]);
            Assert.Equal(RowStatus.Failed, refused.Status);
            Assert.NotNull(session.Stopped);
            Assert.Equal(ReplyOutcome.ContentRejected, session.Stopped!.Verdict.Outcome);
            Assert.Contains("spam", session.Stopped.Message);
            Assert.Throws<InvalidOperationException>(() => session.Add(rows[2], default));
            Assert.Single(server.Received);
        }

        [Fact]
        public void Attachments_alternatives_reply_to_cc_custom_headers_and_list_unsubscribe_reach_the_server()
        {
            var server = Server();
            var folder = Path.Combine(_file.Folder, "payslips");
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "E7.txt"), "payslip of E7");
            var template = new MessageTemplate(new MailboxAddress("Payroll", Account), "Payslip {{Id}}", "Text for {{Name}}", "<p>HTML for {{Name}}</p>")
            {
                Cc = new MergeTemplate("{{Manager}}"),
                ReplyTo = new MergeTemplate("hr@example.test"),
                Attachments = new[] { new MergeTemplate("payslips/{{Id}}.txt") },
                AttachmentFolder = _file.Folder,
                ListUnsubscribe = new MergeTemplate("<mailto:unsubscribe@example.test?subject={{Id}}>"),
            };
            template.SetHeaders(new[] { new KeyValuePair<string, string?>("X-Campaign", "payroll {{Id}}") });
            var row = new MailRow(1, "e7@example.test", "Eve", new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
            {
                ["Name"] = "Eve", ["Id"] = "E7", ["Manager"] = "boss@example.test",
            });

            var result = Run(server, new[] { row }, new QuotaPolicy(), template: template).Single();

            Assert.Equal(RowStatus.Sent, result.Status);
            var received = server.Received.Single();
            Assert.Equal(new[] { "e7@example.test", "boss@example.test" }, received.To);
            var message = Parse(received);
            Assert.Equal("boss@example.test", ((MailboxAddress)message.Cc.Single()).Address);
            Assert.Equal("hr@example.test", ((MailboxAddress)message.ReplyTo.Single()).Address);
            Assert.Equal("payroll E7", message.Headers["X-Campaign"]);
            Assert.Equal("<mailto:unsubscribe@example.test?subject=E7>", message.Headers["List-Unsubscribe"]);
            Assert.Equal("Text for Eve", message.TextBody.Trim());
            Assert.Equal("<p>HTML for Eve</p>", message.HtmlBody.Trim());
            var attachment = (MimePart)message.Attachments.Single();
            Assert.Equal("E7.txt", attachment.FileName);
            // Two envelope recipients: both count against the quota.
            Assert.Equal(2, _ledger.UseSince(Account, _clock.UtcNow.AddDays(-1)).Recipients);
        }
    }
}
