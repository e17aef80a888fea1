using System;
using System.Collections.Generic;
using System.Linq;
using MailQuota.Core.Content;
using MailQuota.Core.Mail;
using MailQuota.Core.Quota;
using MailQuota.Core.Sending;
using MailQuota.Core.Storage;
using MailQuota.Core.Tests.Postgres;
using MailQuota.Core.Time;
using MimeKit;

namespace MailQuota.Core.Tests
{
    /// <summary>The content guard inside a send run: a real SQLite ledger, a recording transport, a fake clock.</summary>
    public abstract class ContentGuardTests : IDisposable
    {
        const string Account = "payroll@example.test";
        readonly LedgerEngine _engine;
        readonly ILedgerStores _ledger;
        readonly FakeClock _clock = new FakeClock();
        readonly RecordingTransport _transport;

        static readonly MessageTemplate Template = new MessageTemplate(new MailboxAddress("", Account), "Your payslip for {{Month}}, {{Name}}",
            "Dear {{Name}},\nyour payslip for {{Month}} is attached. The net amount of {{Amount}} will reach your account on {{Date}}. " +
            "Please check the figures and tell the payroll team within five working days if anything looks wrong. {{Note}}\nKind regards, Payroll", null);

        protected ContentGuardTests(LedgerEngine engine)
        {
            _engine = engine;
            _ledger = _engine.Open();
            _transport = new RecordingTransport(_clock);
        }

        public void Dispose() { _ledger.Dispose(); _engine.Dispose(); }

        SendSession Session(QuotaPolicy policy, DuplicateAction action) =>
            new SendSession(Account, policy, Template, _ledger, _ledger, _ledger, _transport, _clock, null, new ContentGuard(_ledger, _clock, policy, action));

        static MailRow Row(int n, string note = "") => new MailRow(n, $"staff{n}@example.test", $"Staff {n}", new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Name"] = $"Staff Member {n}", ["Month"] = "November", ["Amount"] = $"{1000 + 37 * n}.50", ["Date"] = $"2026-11-{n % 28 + 1:00}", ["Note"] = note,
        });

        static readonly QuotaPolicy TenPerHour = new QuotaPolicy { MessagesPerMinute = 1000, NearDuplicatesPerHour = 10 };

        [SkippableFact]
        public void Stop_ends_a_30_row_merge_after_10_near_duplicates_per_hour_with_a_clear_error()
        {
            var session = Session(TenPerHour, DuplicateAction.Stop);
            var results = new List<SendResult>();
            var e = Assert.Throws<ContentLimitExceededException>(() => { for (var i = 1; i <= 30; i++) results.Add(session.SendOne(Row(i), default)); });
            Assert.Equal(10, results.Count);
            Assert.All(results, r => Assert.Equal(RowStatus.Sent, r.Status));
            Assert.Equal(10, _transport.Sent.Count);
            Assert.Equal(11, e.Row);
            Assert.Equal("staff11@example.test", e.Recipient);
            Assert.Contains("Row 11 (staff11@example.test) was not sent and the run stops", e.Message);
            Assert.Contains("10 near-identical messages in the last hour reach the limit of 10 near-identical messages per hour", e.Message);
            Assert.Equal(_clock.UtcNow + TimeSpan.FromHours(1), e.Check.RetryAt);
            Assert.Equal(10, _ledger.UseSince(Account, _clock.UtcNow.AddDays(-1)).Messages);
        }

        [SkippableFact]
        public void Wait_spreads_a_30_row_merge_over_three_hours_never_more_than_10_in_any_hour()
        {
            var session = Session(TenPerHour, DuplicateAction.Wait);
            var waits = new List<WaitNotice>();
            var start = _clock.UtcNow;
            var results = Enumerable.Range(1, 30).Select(i => session.SendOne(Row(i), default, waits.Add)).ToList();
            Assert.All(results, r => Assert.Equal(RowStatus.Sent, r.Status));
            var times = _transport.Sent.Select(s => s.At).ToList();
            Assert.Equal(30, times.Count);
            foreach (var t in times) Assert.True(times.Count(s => s > t - TimeSpan.FromHours(1) && s <= t) <= 10, $"more than 10 in the hour up to {t}");
            Assert.Equal(start + TimeSpan.FromHours(1), times[10]);
            Assert.Equal(start + TimeSpan.FromHours(2), times[20]);
            Assert.Equal(TimeSpan.FromHours(2), _clock.Slept);
            Assert.Equal(11, waits[0].Row);
            Assert.Contains("near-identical", waits[0].Reason);
            Assert.Contains(waits, w => w.Row == 21);
        }

        [SkippableFact]
        public void Skip_sends_what_the_limit_allows_and_skips_the_rest_with_a_warning()
        {
            var session = Session(TenPerHour, DuplicateAction.Skip);
            var results = Enumerable.Range(1, 30).Select(i => session.SendOne(Row(i), default)).ToList();
            Assert.Equal(10, results.Count(r => r.Status == RowStatus.Sent));
            var skipped = results.Where(r => r.Status == RowStatus.Skipped).ToList();
            Assert.Equal(20, skipped.Count);
            Assert.All(skipped, r => Assert.Contains("was skipped: 10 near-identical messages in the last hour", r.Warning));
            Assert.Equal(10, _transport.Sent.Count);
            Assert.Equal(10, _ledger.UseSince(Account, _clock.UtcNow.AddDays(-1)).Messages);
        }

        [SkippableFact]
        public void A_near_duplicate_sent_by_another_process_between_the_check_and_the_reservation_is_counted_so_the_limit_holds()
        {
            var policy = new QuotaPolicy { MessagesPerMinute = 1000, MinInterval = TimeSpan.FromSeconds(10), NearDuplicatesPerHour = 2 };
            var session = Session(policy, DuplicateAction.Skip);
            Assert.Equal(RowStatus.Sent, session.SendOne(Row(1), default).Status);
            using var other = _engine.Open();                    // another process on the same ledger
            var raced = false;
            void AnotherProcessSends(WaitNotice _)
            {
                // Row 2 passed the content check (1 of 2) and waits for the minimum interval; meanwhile
                // the other process sends the same template and commits its fingerprint.
                if (raced) return;
                raced = true;
                using var tx = other.BeginReservation(Account);
                var id = tx.Insert(new ReservationRequest(Account, "staff3@example.test") { MessageId = "m3@example.test" }, _clock.UtcNow);
                other.Add(id, Account, _clock.UtcNow, "m3@example.test", ContentFingerprint.Of(MessageContent.FromTemplate(Template, Row(3).Fields)));
                tx.Commit();
            }

            var second = session.SendOne(Row(2), default, AnotherProcessSends);

            Assert.True(raced);
            Assert.Equal(RowStatus.Skipped, second.Status);                    // judged again in the reservation: 2 of 2
            Assert.Single(_transport.Sent);
            Assert.Equal(2, _ledger.UseSince(Account, _clock.UtcNow.AddHours(-1)).Messages);   // the limit held: not 3
        }

        [SkippableFact]
        public void Warn_sends_everything_and_warns_for_each_message_over_the_limit()
        {
            var session = Session(TenPerHour, DuplicateAction.Warn);
            var results = Enumerable.Range(1, 30).Select(i => session.SendOne(Row(i), default)).ToList();
            Assert.All(results, r => Assert.Equal(RowStatus.Sent, r.Status));
            Assert.All(results.Take(10), r => Assert.Null(r.Warning));
            Assert.All(results.Skip(10), r => Assert.Contains("was sent although", r.Warning));
        }

        [SkippableFact]
        public void Messages_made_different_by_a_long_personal_note_are_not_held_back()
        {
            var notes = new[]
            {
                "Your transfer to the Lisbon office starts in January; the relocation allowance is listed separately on the next page.",
                "Congratulations on completing the safety course, the certificate will arrive by internal post next week with your badge.",
                "The overtime you worked during the warehouse inventory in October is included as a separate line item this month.",
            };
            var policy = new QuotaPolicy { NearDuplicatesPerHour = 1 };
            var session = Session(policy, DuplicateAction.Stop);
            var results = notes.Select((note, i) => session.SendOne(Row(i + 1, note + " " + note), default)).ToList();
            Assert.All(results, r => Assert.Equal(RowStatus.Sent, r.Status));
        }

        [SkippableFact]
        public void The_day_limit_counts_across_runs_and_processes_through_the_ledger()
        {
            var policy = new QuotaPolicy { NearDuplicatesPerDay = 3 };
            var first = Session(policy, DuplicateAction.Skip);
            for (var i = 1; i <= 2; i++) Assert.Equal(RowStatus.Sent, first.SendOne(Row(i), default).Status);
            _clock.Advance(TimeSpan.FromHours(5));
            using var other = _engine.Open();
            var second = new SendSession(Account, policy, Template, other, other, other, _transport, _clock, null, new ContentGuard(other, _clock, policy, DuplicateAction.Skip));
            Assert.Equal(RowStatus.Sent, second.SendOne(Row(3), default).Status);
            var refused = second.SendOne(Row(4), default);
            Assert.Equal(RowStatus.Skipped, refused.Status);
            Assert.Contains("3 near-identical messages in the last day", refused.Reply);
        }

        [SkippableFact]
        public void The_guard_says_ok_then_warn_then_block_with_the_time_a_slot_frees()
        {
            var policy = new QuotaPolicy { NearDuplicatesPerHour = 2 };
            var guard = new ContentGuard(_ledger, _clock, policy, DuplicateAction.Stop);
            var gate = new QuotaGate(_ledger, _clock);
            var fingerprint = ContentFingerprint.Of(MessageContent.FromTemplate(Template, Row(1).Fields));
            var start = _clock.UtcNow;
            Assert.Equal(ContentVerdict.Ok, guard.Check(Account, fingerprint).Verdict);
            gate.TryReserve(new QuotaPolicy(), new ReservationRequest(Account, "x@example.test") { MessageId = "first" }.WithFingerprint(_ledger, fingerprint));
            _clock.Advance(TimeSpan.FromMinutes(10));
            var warn = guard.Check(Account, fingerprint);
            Assert.Equal(ContentVerdict.Warn, warn.Verdict);
            Assert.Equal(1, warn.ExactDuplicateCount);
            Assert.Equal("first", warn.ClosestMessageId);
            Assert.Equal(1.0, warn.Similarity);
            gate.TryReserve(new QuotaPolicy(), new ReservationRequest(Account, "y@example.test").WithFingerprint(_ledger, fingerprint));
            var block = guard.Check(Account, fingerprint);
            Assert.Equal(ContentVerdict.Block, block.Verdict);
            Assert.Equal(2, block.NearDuplicateCount);
            Assert.Equal(start + TimeSpan.FromHours(1), block.RetryAt);
        }

        [SkippableFact]
        public void Content_limits_are_remembered_with_the_account_and_alone_keep_the_default_rate()
        {
            var given = new QuotaPolicy { NearDuplicatesPerHour = 10, SimilarityThreshold = 0.8 };
            var first = AccountPolicy.Resolve(_ledger, "new@example.test", given, _clock.UtcNow, out var source);
            Assert.Equal(PolicySource.Default, source);
            Assert.Equal(QuotaPolicy.ConservativeDefault().MessagesPerMinute, first.MessagesPerMinute);
            var later = AccountPolicy.Resolve(_ledger, "new@example.test", new QuotaPolicy { NearDuplicatesPerDay = 50 }, _clock.UtcNow, out _);
            Assert.Equal(10, later.NearDuplicatesPerHour);
            Assert.Equal(50, later.NearDuplicatesPerDay);
            Assert.Equal(0.8, later.SimilarityThreshold);
        }
    }

    public sealed class SqliteContentGuardTests : ContentGuardTests { public SqliteContentGuardTests() : base(new SqliteEngine()) { } }

    [Collection(PostgresCluster.Collection)]
    public sealed class PostgresContentGuardTests : ContentGuardTests { public PostgresContentGuardTests(PostgresCluster cluster) : base(new PostgresEngine(cluster)) { } }
}
