using System;
using System.Linq;
using MailQuota.Core.Content;
using MailQuota.Core.Tests.Corpus;
using Xunit.Abstractions;

namespace MailQuota.Core.Tests
{
    /// <summary>
    /// Near-duplicate detection on real mail: the SpamAssassin easy-ham-1 messages (fetched with npm,
    /// see <see cref="SpamAssassinCorpus"/>), the first 150 distinct bodies personalised five times
    /// each (<see cref="PersonalisedHam"/>, fixed seed) among the next 150 bodies as they are.
    /// The whole folder is measured by bench/ContentBench (section 4).
    /// </summary>
    public sealed class RealMailEvaluationTests
    {
        readonly ITestOutputHelper _output;

        public RealMailEvaluationTests(ITestOutputHelper output) => _output = output;

        [SkippableFact]
        public void Personalised_easy_ham_clusters_with_pair_precision_99_and_recall_98_above_exact_jaccard()
        {
            var ham = SpamAssassinCorpus.EasyHam(out var reason);
            if (ham == null && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
                Assert.Fail($"CI must run the real-mail evaluation: {reason}");
            Skip.If(ham == null, reason);

            var set = new PersonalisedHam(ham!, templates: 150, unrelated: 150);
            Assert.Equal(150 * PersonalisedHam.Variants + 150, set.Messages.Count);
            var fingerprints = ContentFingerprint.OfAll(set.Messages.Select(m => m.Content).ToList());
            var clusters = new ContentClusterer(new NearDuplicateTest(NearDuplicateTest.DefaultThreshold)).Cluster(fingerprints);
            var (precision, recall) = set.PairScores(clusters.ClusterOf);
            var (precision7, recall7) = set.ExactJaccardScores(0.7);
            _output.WriteLine($"module: precision {precision:0.0000}, recall {recall:0.0000}; exact Jaccard of word 3-shingles at 0.7: {precision7:0.0000}, {recall7:0.0000}");

            Assert.True(precision >= 0.99, $"pair precision {precision:0.0000}");
            Assert.True(recall >= 0.98, $"pair recall {recall:0.0000}");
            Assert.True(recall > recall7, $"recall {recall:0.0000} is not above exact Jaccard at 0.7 ({recall7:0.0000})");
        }
    }
}
