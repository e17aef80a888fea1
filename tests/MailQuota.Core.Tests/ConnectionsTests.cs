using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using MailQuota.Core.Mail;
using MailQuota.Core.Quota;
using MailQuota.Core.Sending;
using MailQuota.Core.Smtp;
using MailQuota.Core.Storage.Sqlite;
using MimeKit;

namespace MailQuota.Core.Tests
{
    /// <summary>A run over several connections: at once, in input order, one pace for all, fewer when the server says too many.</summary>
    public sealed class ConnectionsTests : IDisposable
    {
        /// <summary>How long a test transport waits for the others before it calls the test failed (never a pause that passes a test).</summary>
        static readonly TimeSpan Deadlock = TimeSpan.FromSeconds(20);

        readonly TempLedger _file = new TempLedger();
        readonly SqliteLedger _ledger;
        readonly FakeClock _clock = new FakeClock();
        static readonly MessageTemplate Template = new MessageTemplate(new MailboxAddress("", "hr@example.test"), "Hi {{Name}}", "Body for {{Name}}", null);

        public ConnectionsTests() => _ledger = new SqliteLedger(_file.Path);

        public void Dispose() { _ledger.Dispose(); _file.Dispose(); }

        static MailRow Row(int n) =>
            new MailRow(n, $"u{n}@example.test", "N", new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["Name"] = $"N{n}" });

        /// <summary>Answers each message as <see cref="Answer"/> says, after <see cref="Before"/> returns; records what it carried and on which connection.</summary>
        sealed class ScriptedConnection : IMailTransport
        {
            readonly int _number;
            readonly ConcurrentQueue<(int Connection, string To)> _carried;
            public ScriptedConnection(int number, ConcurrentQueue<(int, string)> carried) { _number = number; _carried = carried; }
            public Action<string> Before { get; set; } = _ => { };
            public Func<string, SmtpReply> Answer { get; set; } = _ => new SmtpReply(true, 250, "2.0.0 Ok");
            public Action<string> After { get; set; } = _ => { };
            public SmtpReply Send(MimeMessage message, MailboxAddress sender, IReadOnlyList<MailboxAddress> recipients, CancellationToken cancellationToken)
            {
                var to = recipients[0].Address;
                Before(to);
                DataGoAhead?.Invoke();   // as a server's 354 (the scripted replies are given after the data)
                var reply = Answer(to);
                if (reply.Accepted) _carried.Enqueue((_number, to));
                After(to);
                return reply;
            }
            public event Action? DataGoAhead;
            public void Dispose() { }
        }

        (SendSession Session, List<ScriptedConnection> Connections, ConcurrentQueue<(int Connection, string To)> Carried) Session(int connections, QuotaPolicy policy, SendOptions? options = null)
        {
            var carried = new ConcurrentQueue<(int, string)>();
            var list = Enumerable.Range(1, connections).Select(i => new ScriptedConnection(i, carried)).ToList();
            var session = new SendSession("hr@example.test", policy, Template, _ledger, _ledger, _ledger, list, _clock,
                options ?? new SendOptions { Campaign = "c", Random = new Random(1) }, handovers: _ledger.OpenAnother());
            return (session, list, carried);
        }

        static void Await(CountdownEvent e) { if (!e.Wait(Deadlock)) throw new TimeoutException("the connections did not carry messages at once"); }

        [Fact]
        public void Four_connections_carry_four_messages_at_once_and_the_results_come_in_input_order()
        {
            var (session, connections, carried) = Session(4, new QuotaPolicy());
            using var _ = session;
            var together = new CountdownEvent(4);        // each of rows 1-4 waits until all four are on their connections
            var othersDone = new CountdownEvent(3);      // row 1 is answered after rows 2-4
            var firstFour = new HashSet<string> { "u1@example.test", "u2@example.test", "u3@example.test", "u4@example.test" };
            foreach (var c in connections)
            {
                c.Before = to =>
                {
                    if (!firstFour.Contains(to)) return;
                    together.Signal();
                    Await(together);
                    if (to == "u1@example.test") Await(othersDone);
                };
                c.After = to => { if (firstFour.Contains(to) && to != "u1@example.test") othersDone.Signal(); };
            }

            var results = Enumerable.Range(1, 12).SelectMany(i => session.Add(Row(i), default)).ToList().Concat(session.Flush(default)).ToList();

            Assert.Equal(Enumerable.Range(1, 12), results.Select(r => r.Row));
            Assert.All(results, r => Assert.Equal(RowStatus.Sent, r.Status));
            Assert.Equal(12, carried.Select(c => c.To).Distinct().Count());
            Assert.Equal(12, carried.Count);
            var order = carried.ToList();
            Assert.Equal(4, order.Where(c => firstFour.Contains(c.To)).Select(c => c.Connection).Distinct().Count());   // rows 1-4 on four connections at once
            var answered = order.Select(c => c.To).ToList();
            Assert.True(answered.IndexOf("u1@example.test") > new[] { "u2@example.test", "u3@example.test", "u4@example.test" }.Max(answered.IndexOf),
                "row 1 was answered after rows 2-4 (and its result still came first)");
        }

        [Fact]
        public void Each_connection_records_its_message_Unknown_from_the_go_ahead_while_the_run_reserves_the_next()
        {
            var (session, connections, _) = Session(3, new QuotaPolicy());
            using var _s = session;
            using var reader = new SqliteLedger(_file.Path);   // another process's view of the ledger
            var whileSending = new ConcurrentDictionary<string, SendStatus?>();
            foreach (var c in connections)
                c.Answer = to =>
                {
                    lock (reader) whileSending[to] = reader.FindRow("c", to)?.Status;
                    return new SmtpReply(true, 250, "2.0.0 Ok");
                };

            var results = Enumerable.Range(1, 9).SelectMany(i => session.Add(Row(i), default)).ToList().Concat(session.Flush(default)).ToList();

            Assert.All(results, r => Assert.Equal(RowStatus.Sent, r.Status));
            Assert.Equal(9, whileSending.Count);
            Assert.All(whileSending.Values, s => Assert.Equal(SendStatus.Unknown, s));   // killed now, a row stays Unknown: it may have been taken
            Assert.All(Enumerable.Range(1, 9), i => Assert.Equal(SendStatus.Sent, reader.FindRow("c", $"u{i}@example.test")!.Status));
        }

        [Fact]
        public void A_throttle_on_one_connection_slows_every_connection()
        {
            var (session, connections, carried) = Session(3, new QuotaPolicy { MessagesPerMinute = 600 });
            using var _ = session;
            var throttled = 0;
            foreach (var c in connections)
                c.Answer = to => to == "u2@example.test" && Interlocked.Exchange(ref throttled, 1) == 0
                    ? new SmtpReply(false, 454, "Throttling failure: Maximum sending rate exceeded")
                    : new SmtpReply(true, 250, "2.0.0 Ok");
            var first = Enumerable.Range(1, 2).SelectMany(i => session.Add(Row(i), default)).ToList().Concat(session.Flush(default)).ToList();
            var pace = _ledger.GetPacing("hr@example.test");
            Assert.NotNull(pace?.Interval);
            var cooldownEnd = pace!.CooldownUntil!.Value;

            var rest = Enumerable.Range(3, 7).SelectMany(i => session.Add(Row(i), default)).ToList().Concat(session.Flush(default)).ToList();

            Assert.All(first.Concat(rest), r => Assert.Equal(RowStatus.Sent, r.Status));
            Assert.Equal(2, first.Single(r => r.Row == 2).Attempts);
            // Row 2 again and rows 3-9 went over three connections, yet after the cool-down and one after another
            // at the cut pace, recovering step by step (the policy alone allows one per 0.1 s).
            var reserved = _ledger.ReservationsSince("hr@example.test", cooldownEnd - TimeSpan.FromTicks(1), 100).Select(p => p.At).ToList();
            Assert.Equal(8, reserved.Count);
            for (var i = 1; i < reserved.Count; i++)
                Assert.True(reserved[i] - reserved[i - 1] >= TimeSpan.FromSeconds(0.15), $"reservations {i} and {i + 1} after the cool-down came {(reserved[i] - reserved[i - 1]).TotalSeconds} s apart");
            Assert.Equal(9, carried.Select(c => c.To).Distinct().Count());
            Assert.Equal(9, carried.Count);
        }

        [Fact]
        public void A_connection_refused_as_one_too_many_leaves_the_run_with_fewer_and_its_message_goes_on_another()
        {
            var (session, connections, carried) = Session(3, new QuotaPolicy());
            using var _ = session;
            var refusedOnce = new ManualResetEventSlim();
            connections[0].Before = _ => { if (!refusedOnce.Wait(Deadlock)) throw new TimeoutException("connection 3 was never used"); };
            connections[1].Before = connections[0].Before;
            var refusals = 0;
            connections[2].Before = _ =>
            {
                Interlocked.Increment(ref refusals);
                refusedOnce.Set();
                throw new InvalidOperationException("421 4.7.0 mail.example.test Error: too many connections from 127.0.0.1");
            };

            var results = Enumerable.Range(1, 8).SelectMany(i => session.Add(Row(i), default)).ToList().Concat(session.Flush(default)).ToList();

            Assert.Equal(Enumerable.Range(1, 8), results.Select(r => r.Row));
            Assert.All(results, r => Assert.Equal(RowStatus.Sent, r.Status));
            Assert.Equal(2, session.Connections);
            Assert.Equal(1, refusals);                                          // the connection was not tried again
            Assert.Equal(8, carried.Select(c => c.To).Distinct().Count());
            Assert.Equal(8, carried.Count);
            Assert.DoesNotContain(carried, c => c.Connection == 3);
            Assert.Equal(2, results.Single(r => r.Row == 3).Attempts);          // row 3 went again on another connection
        }

        [Fact]
        public void A_failure_on_one_connection_ends_the_run_after_the_others_are_recorded()
        {
            var (session, connections, carried) = Session(2, new QuotaPolicy());
            var second = new ManualResetEventSlim();
            connections[0].Before = to => { if (to == "u1@example.test" && !second.Wait(Deadlock)) throw new TimeoutException("row 2 never went"); };
            connections[1].Before = to => { second.Set(); throw new UnencryptedAuthenticationException("mail.example.test:25 (None)"); };

            Assert.Throws<UnencryptedAuthenticationException>(() =>
            {
                foreach (var i in Enumerable.Range(1, 4)) session.Add(Row(i), default);
                session.Flush(default);
            });
            var finished = session.TakeFinished();
            session.Dispose();

            // Row 1, answered before the failure (or while the run ended), still comes out; row 2 failed and
            // ends the output there.
            Assert.Equal(RowStatus.Sent, Assert.Single(finished).Status);
            Assert.Equal(1, finished[0].Row);
            // What went (row 1, and row 3 when connection 1 was free before the failure came back) is recorded
            // Sent; row 2 never left and is released, as is a row reserved meanwhile; nothing is left in flight.
            var log = _ledger.ReadSendLog(new Monitoring.SendLogQuery()).ToList();
            Assert.Equal(carried.Select(c => c.To).OrderBy(t => t), log.Where(e => e.Status == nameof(SendStatus.Sent)).Select(e => e.Recipient).OrderBy(t => t));
            Assert.Contains("u1@example.test", carried.Select(c => c.To));
            Assert.Contains(log, e => e.Recipient == "u2@example.test" && e.Status == nameof(SendStatus.Released));
            Assert.Equal(0, log.Count(e => e.Status == nameof(SendStatus.InFlight)));
        }
    

        [Fact]
        public void Messages_queued_behind_a_refused_one_never_start_and_the_run_stops_with_their_quota_released()
        {
            var (session, connections, carried) = Session(1, new QuotaPolicy());
            var queued = new ManualResetEventSlim();
            connections[0].Before = to => { if (to == "u2@example.test" && !queued.Wait(Deadlock)) throw new TimeoutException("rows 3-5 were not queued"); };
            connections[0].Answer = to => to == "u2@example.test"
                ? new SmtpReply(false, 554, "reject by content spam")
                : new SmtpReply(true, 250, "2.0.0 Ok");

            var results = Enumerable.Range(1, 5).SelectMany(i => session.Add(Row(i), default)).ToList();   // row 2 on the wire, rows 3-5 queued
            queued.Set();
            results.AddRange(session.Flush(default));
            session.Dispose();

            Assert.Equal(ReplyOutcome.ContentRejected, session.Stopped!.Verdict.Outcome);
            Assert.Equal(new[] { "u1@example.test" }, carried.Select(c => c.To));
            Assert.Equal(new[] { RowStatus.Sent, RowStatus.Failed }, results.Select(r => r.Status));
            // Rows 3-5 were reserved and queued on the connection, which started none of them after the refusal.
            var log = _ledger.ReadSendLog(new Monitoring.SendLogQuery()).ToList();
            Assert.Equal(new[] { "u3@example.test", "u4@example.test", "u5@example.test" },
                log.Where(e => e.Status == nameof(SendStatus.Released)).Select(e => e.Recipient).OrderBy(t => t));
            Assert.Equal(0, log.Count(e => e.Status == nameof(SendStatus.InFlight)));
        }
    

        [Fact]
        public void Messages_queued_before_a_throttle_on_another_connection_come_back_and_go_after_the_cool_down()
        {
            var (session, connections, carried) = Session(2, new QuotaPolicy { MessagesPerMinute = 600 });
            using var _ = session;
            using var reader = new SqliteLedger(_file.Path);   // another process's view of the ledger
            var queued = new ManualResetEventSlim();
            var throttled = 0;
            // Row 1 (connection 1) waits until rows 3-6 are queued behind rows 1 and 2, and is throttled;
            // row 2 (connection 2) is answered once the run has cut the pace, so rows 4 and 6, queued on
            // connection 2 before the throttle, find the pace changed when their turn comes.
            connections[0].Before = to => { if (to == "u1@example.test" && !queued.Wait(Deadlock)) throw new TimeoutException("rows 3-6 were not queued"); };
            connections[0].Answer = to => to == "u1@example.test" && Interlocked.Exchange(ref throttled, 1) == 0
                ? new SmtpReply(false, 454, "Throttling failure: Maximum sending rate exceeded")
                : new SmtpReply(true, 250, "2.0.0 Ok");
            connections[1].Before = to =>
            {
                if (to != "u2@example.test") return;
                var waited = System.Diagnostics.Stopwatch.StartNew();
                while (true)
                {
                    lock (reader) if (reader.GetPacing("hr@example.test")?.Interval != null) return;
                    if (waited.Elapsed > Deadlock) throw new TimeoutException("the run never cut the pace");
                    Thread.Yield();
                }
            };

            var results = Enumerable.Range(1, 6).SelectMany(i => session.Add(Row(i), default)).ToList();
            queued.Set();
            results.AddRange(session.Flush(default));

            Assert.Equal(Enumerable.Range(1, 6), results.Select(r => r.Row));
            Assert.All(results, r => Assert.Equal(RowStatus.Sent, r.Status));
            Assert.Equal(6, carried.Select(c => c.To).Distinct().Count());
            Assert.Equal(6, carried.Count);
            // Rows 3-6 were reserved before the throttle and went only after it: their first reservations
            // were released, and rows 1 (again) and 3-6 were reserved after the cool-down.
            var cooldownEnd = _ledger.GetPacing("hr@example.test")!.CooldownUntil!.Value;
            Assert.Equal(5, _ledger.ReservationsSince("hr@example.test", cooldownEnd - TimeSpan.FromTicks(1), 100).Count);
            var log = _ledger.ReadSendLog(new Monitoring.SendLogQuery()).ToList();
            Assert.Equal(new[] { "u3@example.test", "u4@example.test", "u5@example.test", "u6@example.test" },
                log.Where(e => e.Status == nameof(SendStatus.Released)).Select(e => e.Recipient).OrderBy(t => t));
        }
    }
}
