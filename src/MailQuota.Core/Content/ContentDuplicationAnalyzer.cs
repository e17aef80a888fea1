using System;
using System.Collections.Generic;
using System.Linq;
using MailQuota.Core.Quota;
using MailQuota.Core.Time;

namespace MailQuota.Core.Content
{
    /// <summary>
    /// Tells, before anything is sent, how repetitive a batch looks to a provider: fingerprints it
    /// on every core, clusters it with MinHash-LSH, and compares each message with the account's
    /// recent sends. The input counts as sent now, in order: a message's near-duplicates are the
    /// recent sends it resembles plus the earlier members of its cluster.
    /// </summary>
    public sealed class ContentDuplicationAnalyzer
    {
        readonly IFingerprintStore? _store;
        readonly NearDuplicatePolicy _policy;
        readonly IClock _clock;

        /// <param name="store">The ledger's fingerprints; null compares the input with itself only.</param>
        public ContentDuplicationAnalyzer(IFingerprintStore? store, QuotaPolicy policy, IClock clock)
        {
            _store = store;
            _policy = new NearDuplicatePolicy(policy);
            _clock = clock;
        }

        /// <summary>One result per sample, in input order, and the summary of the batch.</summary>
        /// <param name="onProgress">Told how many messages have been compared with the ledger, every 500 and at the end (on the calling thread).</param>
        public IReadOnlyList<ContentDuplicationResult> Analyze(string? account, IReadOnlyList<ContentSample> samples, TimeSpan window, out ContentDuplicationSummary summary,
            Action<int>? onProgress = null)
        {
            if (window <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(window), "the window must be positive");
            var now = _clock.UtcNow;
            var fingerprints = ContentFingerprint.OfAll(samples.Select(s => s.Content).ToList());
            var clusters = new ContentClusterer(_policy.Test).Cluster(fingerprints);
            var windowStart = now - window;
            var policyStart = now - _policy.CountingWindow;
            var since = windowStart < policyStart ? windowStart : policyStart;

            var earlierInCluster = new int[clusters.Sizes.Length];
            var earlierWithDigest = new Dictionary<long, int>();
            var results = new List<ContentDuplicationResult>(samples.Count);
            for (var i = 0; i < samples.Count; i++)
            {
                var fingerprint = fingerprints[i];
                var matches = _store != null && account != null
                    ? RecentMatches.Find(_store, _policy.Test, account, fingerprint, since)
                    : RecentMatches.None;
                var earlier = earlierInCluster[clusters.ClusterOf[i] - 1]++;
                earlierWithDigest.TryGetValue(fingerprint.Digest, out var exactEarlier);
                earlierWithDigest[fingerprint.Digest] = exactEarlier + 1;

                var policyTimes = matches.NearDuplicateTimes(policyStart).Concat(Enumerable.Repeat(now, earlier)).ToList();
                var exceeded = _policy.Exceeded(policyTimes, now, out var retryAt);
                var near = matches.NearDuplicatesSince(windowStart) + earlier;
                var result = new ContentDuplicationResult
                {
                    Row = samples[i].Row,
                    Source = samples[i].Source,
                    Subject = samples[i].Content.Subject,
                    NearDuplicateCount = near,
                    ExactDuplicateCount = matches.ExactDuplicatesSince(windowStart) + exactEarlier,
                    ClusterId = clusters.ClusterOf[i],
                    Verdict = exceeded != null ? ContentVerdict.Block : near > 0 || policyTimes.Count > 0 ? ContentVerdict.Warn : ContentVerdict.Ok,
                    RetryAt = exceeded != null ? retryAt : (DateTimeOffset?)null,
                    Reason = exceeded ?? (near > 0 ? $"near-identical to {near} messages sent in the window or earlier in the input" : null),
                };
                var sent = matches.Closest(windowStart);
                if (sent is { } s && s.Similarity >= clusters.BestSimilarity[i])
                {
                    result.Similarity = s.Similarity;
                    result.ClosestMessageId = s.MessageId;
                }
                else if (clusters.BestMatch[i] >= 0)
                {
                    var match = samples[clusters.BestMatch[i]];
                    result.Similarity = clusters.BestSimilarity[i];
                    result.ClosestRow = match.Row;
                    result.ClosestMessageId = match.MessageId;
                }
                results.Add(result);
                if ((i + 1) % 500 == 0 || i + 1 == samples.Count) onProgress?.Invoke(i + 1);
            }
            summary = Summarize(samples, clusters, results);
            return results;
        }

        static ContentDuplicationSummary Summarize(IReadOnlyList<ContentSample> samples, ContentClusters clusters, IReadOnlyList<ContentDuplicationResult> results)
        {
            var first = new int[clusters.Sizes.Length];
            for (var i = samples.Count - 1; i >= 0; i--) first[clusters.ClusterOf[i] - 1] = i;
            var groups = Enumerable.Range(0, clusters.Sizes.Length)
                .Where(c => clusters.Sizes[c] > 1)
                .Select(c => new ContentCluster(c + 1, clusters.Sizes[c], samples[first[c]].Row, samples[first[c]].Content.Subject))
                .OrderByDescending(c => c.Size).ThenBy(c => c.ClusterId)
                .ToList();
            return new ContentDuplicationSummary
            {
                Messages = samples.Count,
                Clusters = groups.Count,
                Unique = clusters.Sizes.Count(size => size == 1),
                Largest = groups.FirstOrDefault(),
                ClusterSizes = groups,
                Ok = results.Count(r => r.Verdict == ContentVerdict.Ok),
                Warn = results.Count(r => r.Verdict == ContentVerdict.Warn),
                Block = results.Count(r => r.Verdict == ContentVerdict.Block),
            };
        }
    }
}
