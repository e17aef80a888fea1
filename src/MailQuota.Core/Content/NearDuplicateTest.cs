namespace MailQuota.Core.Content
{
    /// <summary>
    /// Decides whether two fingerprints are near-identical: Jaccard similarity (exact for two short
    /// messages of a batch, else estimated) at or above the threshold, after SimHash has cheaply
    /// ruled out pairs too far apart to get there.
    /// </summary>
    public sealed class NearDuplicateTest
    {
        public const double DefaultThreshold = 0.7;

        readonly int _maxSimHashDistance;

        public NearDuplicateTest(double threshold)
        {
            if (!(threshold > 0 && threshold <= 1)) throw new System.ArgumentOutOfRangeException(nameof(threshold), "the similarity threshold lies in (0, 1]");
            Threshold = threshold;
            _maxSimHashDistance = SimHash64.MaxDistanceFor(threshold);
        }

        public double Threshold { get; }

        /// <summary>
        /// The similarity of the pair: exact when both keep their features (two short messages of
        /// one batch), else the MinHash estimate; or null when SimHash already shows the pair too far
        /// apart to reach the threshold (its similarity is then not computed).
        /// </summary>
        public double? Compare(ContentFingerprint x, ContentFingerprint y)
        {
            if (SimHash64.Distance(x.SimHash, y.SimHash) > _maxSimHashDistance) return null;
            return x.Features != null && y.Features != null ? ContentFingerprint.Jaccard(x.Features, y.Features) : MinHasher.Similarity(x.Signature, y.Signature);
        }

        public bool IsNear(double? similarity) => similarity >= Threshold;
    }
}
