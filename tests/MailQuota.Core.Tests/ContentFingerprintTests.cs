using System;
using System.Linq;
using MailQuota.Core.Content;
using MailQuota.Core.Tests.Corpus;

namespace MailQuota.Core.Tests
{
    public sealed class ContentFingerprintTests
    {
        static uint[] RandomFeatures(Random random, int count) => Enumerable.Range(0, count).Select(_ => (uint)random.Next() ^ ((uint)random.Next() << 16)).Distinct().ToArray();

        [Theory]
        [InlineData(0.2)]
        [InlineData(0.5)]
        [InlineData(0.7)]
        [InlineData(0.9)]
        public void MinHash_estimates_the_jaccard_similarity_without_bias(double jaccard)
        {
            var random = new Random(7);
            var errors = new double[40];
            for (var trial = 0; trial < errors.Length; trial++)
            {
                var union = RandomFeatures(random, 1000);
                var shared = (int)Math.Round(jaccard * union.Length);
                var rest = union.Length - shared;
                var a = union.Take(shared + rest / 2).ToArray();
                var b = union.Take(shared).Concat(union.Skip(shared + rest / 2)).ToArray();
                var truth = shared / (double)union.Length;
                var estimate = MinHasher.Similarity(MinHasher.Signature(MinHasher.Compute(a)), MinHasher.Signature(MinHasher.Compute(b)));
                errors[trial] = estimate - truth;
                Assert.True(Math.Abs(errors[trial]) < 0.16, $"estimate {estimate:0.000} for Jaccard {truth:0.000}");
            }
            Assert.True(Math.Abs(errors.Average()) < 0.025, $"mean error {errors.Average():0.000}");
        }

        [Fact]
        public void Identical_content_gives_identical_fingerprints_in_any_order_of_computation()
        {
            var content = new MessageContent("Subject", "One two three four five six seven.", null);
            var a = ContentFingerprint.Of(content);
            var b = ContentFingerprint.OfAll(new[] { new MessageContent("x", "other", null), content })[1];
            Assert.Equal(a.Digest, b.Digest);
            Assert.Equal(a.SimHash, b.SimHash);
            Assert.Equal(a.Signature, b.Signature);
            Assert.Equal(a.BandKeys, b.BandKeys);
            Assert.Equal(1.0, MinHasher.Similarity(a.Signature, b.Signature));
        }

        [Fact]
        public void SimHash_puts_personalised_copies_close_and_unrelated_messages_far_apart()
        {
            var corpus = new TemplateCorpus(seed: 3, templates: 3, variants: 20, unrelated: 40);
            var fingerprints = ContentFingerprint.OfAll(corpus.Messages.Select(m => m.Content).ToList());
            var maxDistance = SimHash64.MaxDistanceFor(0.7);
            Assert.Equal(29, maxDistance);
            var same = 0;
            var unrelated = new System.Collections.Generic.List<int>();
            for (var i = 0; i < fingerprints.Length; i++)
            for (var j = i + 1; j < fingerprints.Length; j++)
            {
                var d = SimHash64.Distance(fingerprints[i].SimHash, fingerprints[j].SimHash);
                var ti = corpus.Messages[i].Template;
                if (ti >= 0 && ti == corpus.Messages[j].Template) { Assert.True(d <= maxDistance, $"copies {d} bits apart"); same++; }
                else unrelated.Add(d);
            }
            Assert.Equal(3 * 20 * 19 / 2, same);
            Assert.InRange(unrelated.Average(), 28, 36);
        }

        [Fact]
        public void Chinese_copies_of_one_template_are_similar_and_unrelated_chinese_is_not()
        {
            var a = ContentFingerprint.Of(new MessageContent("通知", "尊敬的张伟：您本月的工资单已经发出，请登录系统查看详细信息。如有疑问，请联系人力资源部。金额 1,234.00 元。", null));
            var b = ContentFingerprint.Of(new MessageContent("通知", "尊敬的王芳：您本月的工资单已经发出，请登录系统查看详细信息。如有疑问，请联系人力资源部。金额 987.00 元。", null));
            var c = ContentFingerprint.Of(new MessageContent("会议", "下周二上午十点在三楼会议室召开年度预算会议，请各部门负责人准时参加并准备材料。", null));
            Assert.True(MinHasher.Similarity(a.Signature, b.Signature) >= 0.7);
            Assert.True(MinHasher.Similarity(a.Signature, c.Signature) < 0.2);
        }

        [Fact]
        public void Short_messages_of_a_batch_are_compared_exactly_and_stored_ones_by_estimate()
        {
            var a = ContentFingerprint.Of(new MessageContent("Lunch", "Shall we meet for lunch on Friday at the new place near the station, around noon?", null));
            var b = ContentFingerprint.Of(new MessageContent("Lunch", "Shall we meet for lunch on Monday at the new place near the river, around noon?", null));
            Assert.NotNull(a.Features);
            Assert.Equal(a.Features!.OrderBy(f => f).Distinct(), a.Features);
            var test = new NearDuplicateTest(0.1);
            var exact = ContentFingerprint.Jaccard(a.Features, b.Features!);
            Assert.Equal(exact, test.Compare(a, b));
            var stored = new ContentFingerprint(b.Digest, b.SimHash, b.Signature); // as read back from the ledger: no features
            Assert.Equal(MinHasher.Similarity(a.Signature, b.Signature), test.Compare(a, stored));

            var words = string.Join(" ", Enumerable.Range(0, 2000).Select(i => "w" + (char)('a' + i % 26) + (char)('a' + i / 26 % 26) + (char)('a' + i / 676)));
            Assert.Null(ContentFingerprint.Of(new MessageContent("Long", words, null)).Features);
        }
    }
}
