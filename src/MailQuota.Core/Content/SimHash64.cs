using System;

namespace MailQuota.Core.Content
{
    /// <summary>
    /// Charikar's SimHash over the feature hashes: 64 bits whose Hamming distance grows with the
    /// angle between two feature sets. Only a cheap pre-filter: one template's personalised copies
    /// are often 10–16 bits apart, so a small fixed radius would miss them; the verdict is MinHash's.
    /// </summary>
    public static class SimHash64
    {
        public static ulong Compute(uint[] features)
        {
            var counts = new int[64];
            foreach (var feature in features)
            {
                var h = ContentHash.Mix(feature);
                for (var bit = 0; bit < 64; bit++) counts[bit] += (int)((h >> bit) & 1);
            }
            ulong result = 0;
            for (var bit = 0; bit < 64; bit++)
                if (2 * counts[bit] > features.Length) result |= 1UL << bit;
            return result;
        }

        public static int Distance(ulong x, ulong y)
        {
            var v = x ^ y;
            v -= (v >> 1) & 0x5555555555555555UL;
            v = (v & 0x3333333333333333UL) + ((v >> 2) & 0x3333333333333333UL);
            v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0fUL;
            return (int)((v * 0x0101010101010101UL) >> 56);
        }

        /// <summary>
        /// The distance beyond which two messages cannot reach the Jaccard <paramref name="threshold"/>:
        /// equal-sized sets of Jaccard J have cosine 2J/(1+J), so each bit differs with probability
        /// θ/π; the bound is five standard deviations above the mean (28 bits at J = 0.7), which
        /// loses no pair that MinHash would accept while rejecting most unrelated ones (mean 32).
        /// </summary>
        public static int MaxDistanceFor(double threshold)
        {
            var p = Math.Acos(2 * threshold / (1 + threshold)) / Math.PI;
            return (int)Math.Ceiling(64 * p + 5 * Math.Sqrt(64 * p * (1 - p)));
        }
    }
}
