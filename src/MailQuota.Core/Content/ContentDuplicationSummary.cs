using System.Collections.Generic;

namespace MailQuota.Core.Content
{
    /// <summary>The input as a whole: how many clusters of near-identical messages, their sizes, the largest.</summary>
    public sealed class ContentDuplicationSummary
    {
        public int Messages { get; set; }

        /// <summary>Clusters of two or more near-identical messages.</summary>
        public int Clusters { get; set; }

        /// <summary>Messages with no near-duplicate in the input.</summary>
        public int Unique { get; set; }

        /// <summary>The largest cluster (null when every message is unique).</summary>
        public ContentCluster? Largest { get; set; }

        /// <summary>Every cluster of two or more, largest first.</summary>
        public IReadOnlyList<ContentCluster> ClusterSizes { get; set; } = new ContentCluster[0];

        public int Ok { get; set; }
        public int Warn { get; set; }
        public int Block { get; set; }
    }
}
