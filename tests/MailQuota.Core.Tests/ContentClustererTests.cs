using System.Diagnostics;
using System.Linq;
using MailQuota.Core.Content;
using MailQuota.Core.Tests.Corpus;
using Xunit.Abstractions;

namespace MailQuota.Core.Tests
{
    public sealed class ContentClustererTests
    {
        readonly ITestOutputHelper _output;

        public ContentClustererTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void Acceptance_50_templates_by_200_variants_and_10000_unrelated_cluster_with_pair_precision_99_and_recall_95()
        {
            var watch = Stopwatch.StartNew();
            var corpus = new TemplateCorpus(seed: 20261127, templates: 50, variants: 200, unrelated: 10000);
            Assert.Equal(20000, corpus.Messages.Count);
            Assert.Equal(16 * 200, corpus.Messages.Count(m => m.Template >= 0 && m.Chinese)); // templates 2, 5, … 47
            var generated = watch.Elapsed;

            watch.Restart();
            var fingerprints = ContentFingerprint.OfAll(corpus.Messages.Select(m => m.Content).ToList());
            var fingerprinted = watch.Elapsed;
            watch.Restart();
            var clusters = new ContentClusterer(new NearDuplicateTest(NearDuplicateTest.DefaultThreshold)).Cluster(fingerprints);
            var clustered = watch.Elapsed;

            var (precision, recall) = corpus.PairScores(clusters.ClusterOf);
            _output.WriteLine($"generated {generated.TotalSeconds:0.00} s, fingerprinted {fingerprinted.TotalSeconds:0.00} s, clustered {clustered.TotalSeconds:0.00} s; " +
                              $"pair precision {precision:0.0000}, recall {recall:0.0000}; {clusters.Sizes.Count(s => s > 1)} clusters");
            Assert.True(precision >= 0.99, $"pair precision {precision:0.0000}");
            Assert.True(recall >= 0.95, $"pair recall {recall:0.0000}");
            Assert.Equal(10000, corpus.Messages.Where((m, i) => m.Template < 0 && clusters.SizeOf(i) == 1).Count());
        }

        [Fact]
        public void Cluster_ids_are_numbered_in_input_order_and_do_not_depend_on_thread_timing()
        {
            var corpus = new TemplateCorpus(seed: 11, templates: 4, variants: 30, unrelated: 50);
            var fingerprints = ContentFingerprint.OfAll(corpus.Messages.Select(m => m.Content).ToList());
            var clusterer = new ContentClusterer(new NearDuplicateTest(0.7));
            var first = clusterer.Cluster(fingerprints);
            for (var run = 0; run < 3; run++) Assert.Equal(first.ClusterOf, clusterer.Cluster(fingerprints).ClusterOf);
            Assert.Equal(1, first.ClusterOf[0]);
            var seen = 0;
            foreach (var id in first.ClusterOf) { Assert.True(id <= seen + 1); if (id > seen) seen = id; }
            Assert.Equal(4, first.Sizes.Count(s => s > 1));
            Assert.All(Enumerable.Range(0, fingerprints.Length).Where(i => first.SizeOf(i) > 1),
                i => Assert.True(first.BestSimilarity[i] >= 0.7 && first.BestMatch[i] >= 0));
        }
    }
}
