namespace MailQuota.Core.Content
{
    /// <summary>
    /// Decides whether two fingerprints are near-identical: estimated Jaccard similarity at or
    /// above the threshold, after SimHash has cheaply ruled out pairs too far apart to get there.
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
        /// The estimated similarity of the pair, or null when SimHash already shows it too far apart
        /// to reach the threshold (its exact similarity is then not computed).
        /// </summary>
        public double? Compare(ContentFingerprint x, ContentFingerprint y) =>
            SimHash64.Distance(x.SimHash, y.SimHash) > _maxSimHashDistance ? (double?)null : MinHasher.Similarity(x.Signature, y.Signature);

        public bool IsNear(double? similarity) => similarity >= Threshold;
    }
}
