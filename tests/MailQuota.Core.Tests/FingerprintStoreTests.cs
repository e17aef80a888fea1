using System;
using System.IO;
using System.Linq;
using System.Text;
using MailQuota.Core.Content;
using MailQuota.Core.Quota;
using MailQuota.Core.Storage;
using MailQuota.Core.Tests.Postgres;

namespace MailQuota.Core.Tests
{
    public abstract class FingerprintStoreTests : IDisposable
    {
        readonly LedgerEngine _engine;

        protected FingerprintStoreTests(LedgerEngine engine) => _engine = engine;
        readonly FakeClock _clock = new FakeClock();

        public void Dispose() => _engine.Dispose();

        static ContentFingerprint Fingerprint(string body) => ContentFingerprint.Of(new MessageContent("Quarterly report", body, null));

        const string Body = "The quarterly figures for the northern region are attached; revenue rose in every month and the new warehouse opened on time. Please review the numbers before the Zanzibarquokka meeting.";

        long Reserve(ILedgerStores ledger, string account, ContentFingerprint fingerprint, string messageId) =>
            new QuotaGate(ledger, _clock).TryReserve(new QuotaPolicy(), new ReservationRequest(account, "r@example.test") { MessageId = messageId }.WithFingerprint(ledger, fingerprint)).ReservationId!.Value;

        [SkippableFact]
        public void A_fingerprint_is_written_with_its_reservation_and_found_again_after_reopening()
        {
            var fingerprint = Fingerprint(Body);
            using (var ledger = _engine.Open()) Reserve(ledger, "a", fingerprint, "m1@example.test");
            using var reopened = _engine.Open();
            var found = reopened.Candidates("a", fingerprint, _clock.UtcNow.AddHours(-1)).Single();
            Assert.Equal("m1@example.test", found.MessageId);
            Assert.Equal(_clock.UtcNow, found.At);
            Assert.Equal(fingerprint.Digest, found.Fingerprint.Digest);
            Assert.Equal(fingerprint.SimHash, found.Fingerprint.SimHash);
            Assert.Equal(fingerprint.Signature, found.Fingerprint.Signature);
        }

        [SkippableFact]
        public void Candidates_are_the_accounts_similar_sends_in_the_window_without_released_ones()
        {
            using var ledger = _engine.Open();
            var old = Reserve(ledger, "a", Fingerprint(Body), "old");
            _clock.Advance(TimeSpan.FromHours(2));
            Reserve(ledger, "a", Fingerprint(Body.Replace("northern", "southern")), "near");
            _clock.Advance(TimeSpan.FromMinutes(1));
            Reserve(ledger, "a", Fingerprint("Completely different words about a picnic by the river next Saturday with sandwiches and lemonade for everyone in the team."), "other");
            Reserve(ledger, "b", Fingerprint(Body), "other-account");
            var released = Reserve(ledger, "a", Fingerprint(Body), "released");
            ledger.Complete(released, SendStatus.Released, _clock.UtcNow, null, 0);
            _clock.Advance(TimeSpan.FromMinutes(1));
            var latest = Reserve(ledger, "a", Fingerprint(Body), "latest");

            var found = ledger.Candidates("a", Fingerprint(Body), _clock.UtcNow.AddHours(-1)).Select(c => c.MessageId).OrderBy(m => m).ToList();
            Assert.Equal(new[] { "latest", "near" }, found);
            Assert.Contains("old", ledger.Candidates("a", Fingerprint(Body), _clock.UtcNow.AddDays(-1)).Select(c => c.MessageId));
        }

        [SkippableFact]
        public void A_send_released_after_it_was_read_stops_counting()
        {
            using var ledger = _engine.Open();
            var id = Reserve(ledger, "a", Fingerprint(Body), "m1");
            Assert.Single(ledger.Candidates("a", Fingerprint(Body), _clock.UtcNow.AddHours(-1)));
            ledger.Complete(id, SendStatus.Released, _clock.UtcNow, null, 0);
            Assert.Empty(ledger.Candidates("a", Fingerprint(Body), _clock.UtcNow.AddHours(-1)));
            using var other = _engine.Open();
            Assert.Empty(other.Candidates("a", Fingerprint(Body), _clock.UtcNow.AddHours(-1)));
        }

        [SkippableFact]
        public void No_message_text_reaches_the_ledger()
        {
            using (var ledger = _engine.Open()) Reserve(ledger, "a", Fingerprint(Body), "m1");
            var contents = _engine.Contents();
            Assert.Contains("m1", contents);                                   // the dump reaches the rows
            Assert.DoesNotContain("zanzibarquokka", contents.ToLowerInvariant());
            Assert.DoesNotContain("Quarterly", contents);
        }

        [SkippableFact]
        public void The_index_finds_a_new_copy_of_a_template_among_many_stored_sends()
        {
            var corpus = new Corpus.TemplateCorpus(seed: 5, templates: 2, variants: 101, unrelated: 300);
            var messages = corpus.Messages;
            var probe = messages.Select((m, i) => (m, i)).First(p => p.m.Template == 0).i;
            using var ledger = _engine.Open();
            for (var i = 0; i < messages.Count; i++)
                if (i != probe) Reserve(ledger, "a", ContentFingerprint.Of(messages[i].Content), "m" + i);
            var guard = new ContentGuard(ledger, _clock, new QuotaPolicy { NearDuplicatesPerDay = 1000 }, DuplicateAction.Stop);
            var check = guard.Check("a", ContentFingerprint.Of(messages[probe].Content));
            Assert.Equal(ContentVerdict.Warn, check.Verdict);
            Assert.InRange(check.NearDuplicateCount, 95, 100); // the other 100 copies, recall ≥ 0.95, nothing unrelated
            Assert.Equal(0, check.ExactDuplicateCount);
            Assert.True(check.Similarity >= 0.7);
            Assert.Equal(0, messages[int.Parse(check.ClosestMessageId!.Substring(1))].Template);

            var unrelated = guard.Check("a", ContentFingerprint.Of(new MessageContent("Lunch", "Shall we try the new noodle place on Friday? I heard the dumplings are excellent and the queue is short after one.", null)));
            Assert.Equal(ContentVerdict.Ok, unrelated.Verdict);
            Assert.Equal(0, unrelated.NearDuplicateCount);
        }
    }

    public sealed class SqliteFingerprintStoreTests : FingerprintStoreTests { public SqliteFingerprintStoreTests() : base(new SqliteEngine()) { } }

    [Collection(PostgresCluster.Collection)]
    public sealed class PostgresFingerprintStoreTests : FingerprintStoreTests { public PostgresFingerprintStoreTests(PostgresCluster cluster) : base(new PostgresEngine(cluster)) { } }
}
