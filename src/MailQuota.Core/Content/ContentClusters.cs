namespace MailQuota.Core.Content
{
    /// <summary>Which messages of a batch are near-identical: clusters numbered from 1 in order of their first message.</summary>
    public sealed class ContentClusters
    {
        public ContentClusters(int[] clusterOf, int[] sizes, double[] bestSimilarity, int[] bestMatch)
        {
            ClusterOf = clusterOf;
            Sizes = sizes;
            BestSimilarity = bestSimilarity;
            BestMatch = bestMatch;
        }

        /// <summary>The cluster id (1-based) of each message; a message with no near-duplicate is alone in its cluster.</summary>
        public int[] ClusterOf { get; }

        /// <summary>The size of each cluster: <c>Sizes[id - 1]</c>.</summary>
        public int[] Sizes { get; }

        /// <summary>Each message's highest similarity to a near-duplicate found in the batch (0 when none).</summary>
        public double[] BestSimilarity { get; }

        /// <summary>The index of that near-duplicate, or -1.</summary>
        public int[] BestMatch { get; }

        public int SizeOf(int message) => Sizes[ClusterOf[message] - 1];
    }
}
