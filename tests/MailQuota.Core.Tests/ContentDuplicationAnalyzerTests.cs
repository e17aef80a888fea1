using System;
using System.Collections.Generic;
using System.Linq;
using MailQuota.Core.Content;
using MailQuota.Core.Mail;
using MailQuota.Core.Quota;
using MailQuota.Core.Storage.Sqlite;

namespace MailQuota.Core.Tests
{
    public sealed class ContentDuplicationAnalyzerTests : IDisposable
    {
        readonly TempLedger _file = new TempLedger();
        readonly FakeClock _clock = new FakeClock();

        public void Dispose() => _file.Dispose();

        static readonly MergeTemplate Subject = new MergeTemplate("Reminder for {{Name}}");
        static readonly MergeTemplate Body = new MergeTemplate("Dear {{Name}}, the library book you borrowed on {{Date}} is due back this week. Please return it to the front desk or renew it online before the weekend.");

        static ContentSample Row(int n) => new ContentSample(n, $"row {n}", MessageContent.FromTemplate(Subject, Body, null,
            new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["Name"] = $"Reader {n}", ["Date"] = $"2026-10-{n % 28 + 1:00}" }));

        [Fact]
        public void A_batch_is_compared_with_itself_as_if_sent_in_order()
        {
            var samples = Enumerable.Range(1, 30).Select(Row).Append(new ContentSample(31, "row 31",
                new MessageContent("Canteen", "The canteen is closed on Monday for cleaning; the coffee machine on the second floor still works.", null))).ToList();
            var analyzer = new ContentDuplicationAnalyzer(null, new QuotaPolicy { NearDuplicatesPerHour = 10 }, _clock);
            var progress = new List<int>();
            var results = analyzer.Analyze(null, samples, TimeSpan.FromDays(1), out var summary, progress.Add);
            Assert.Equal(new[] { 31 }, progress);

            Assert.Equal(ContentVerdict.Ok, results[0].Verdict);
            Assert.All(results.Skip(1).Take(9), r => Assert.Equal(ContentVerdict.Warn, r.Verdict));
            Assert.All(results.Skip(10).Take(20), r => Assert.Equal(ContentVerdict.Block, r.Verdict));
            Assert.Equal(Enumerable.Range(0, 30), results.Take(30).Select(r => r.NearDuplicateCount));
            Assert.Equal(Enumerable.Range(0, 30), results.Take(30).Select(r => r.ExactDuplicateCount));
            Assert.All(results.Take(30), r => Assert.Equal(1, r.ClusterId));
            Assert.Equal(1.0, results[5].Similarity);
            Assert.NotNull(results[5].ClosestRow);
            Assert.Equal(_clock.UtcNow + TimeSpan.FromHours(1), results[10].RetryAt);
            Assert.Equal(ContentVerdict.Ok, results[30].Verdict);
            Assert.Equal(2, results[30].ClusterId);

            Assert.Equal(31, summary.Messages);
            Assert.Equal(1, summary.Clusters);
            Assert.Equal(1, summary.Unique);
            Assert.Equal(30, summary.Largest!.Size);
            Assert.Equal(1, summary.Largest.FirstRow);
            Assert.Equal("Reminder for {{Name}}", summary.Largest.Subject);
            Assert.Equal((2, 9, 20), (summary.Ok, summary.Warn, summary.Block)); // rows 1 and 31 are Ok
        }

        [Fact]
        public void Recent_sends_in_the_ledger_count_within_the_window()
        {
            using var ledger = new SqliteLedger(_file.Path);
            var gate = new QuotaGate(ledger, _clock);
            for (var i = 1; i <= 5; i++)
            {
                gate.TryReserve(new QuotaPolicy(), new ReservationRequest("lib@example.test", $"r{i}@example.test") { MessageId = $"sent{i}" }.WithFingerprint(ledger, ContentFingerprint.Of(Row(i).Content)));
                _clock.Advance(TimeSpan.FromMinutes(20));
            }
            var analyzer = new ContentDuplicationAnalyzer(ledger, new QuotaPolicy { NearDuplicatesPerHour = 3 }, _clock);
            var results = analyzer.Analyze("lib@example.test", new[] { Row(50), Row(51) }, TimeSpan.FromHours(2), out _);
            Assert.Equal(5, results[0].NearDuplicateCount);       // sent 20..100 minutes ago, all within two hours
            Assert.Equal(6, results[1].NearDuplicateCount);       // and the first row of the input
            Assert.StartsWith("sent", results[0].ClosestMessageId);
            Assert.Null(results[0].ClosestRow);
            Assert.Equal(ContentVerdict.Warn, results[0].Verdict);  // the sends 20 and 40 minutes ago are in the last hour: 2 of 3
            Assert.Equal(ContentVerdict.Block, results[1].Verdict); // and the first row makes 3
            Assert.Equal(_clock.UtcNow + TimeSpan.FromMinutes(20), results[1].RetryAt); // when the send of 40 minutes ago leaves the hour
            Assert.Equal(0, analyzer.Analyze("other@example.test", new[] { Row(50) }, TimeSpan.FromHours(2), out _)[0].NearDuplicateCount);
            var shortWindow = analyzer.Analyze("lib@example.test", new[] { Row(50) }, TimeSpan.FromMinutes(30), out _)[0];
            Assert.Equal(1, shortWindow.NearDuplicateCount);
        }
    }
}
