using System.Runtime.CompilerServices;
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
        [MethodImpl(ContentHash.HotPath)]
        public static ulong Compute(uint[] features)
        {
            // 64 counters at once, bit-sliced: planes[j] holds bit j of every counter, and adding a
            // hash is a ripple-carry over the planes (two steps on average, not 64 additions).
            var planes = new ulong[32];
            foreach (var feature in features)
            {
                var carry = ContentHash.Mix(feature);
                for (var j = 0; carry != 0; j++)
                {
                    var next = planes[j] & carry;
                    planes[j] ^= carry;
                    carry = next;
                }
            }
            var used = 1;
            while (used < planes.Length && (1L << used) <= features.Length) used++;
            ulong result = 0;
            for (var bit = 0; bit < 64; bit++)
            {
                long count = 0;
                for (var j = 0; j < used; j++) count |= (long)((planes[j] >> bit) & 1) << j;
                if (2 * count > features.Length) result |= 1UL << bit;
            }
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
        /// θ/π; the bound is five standard deviations above the mean (29 bits at J = 0.7), which
        /// loses no pair that MinHash would accept while rejecting most unrelated ones (mean 32).
        /// </summary>
        public static int MaxDistanceFor(double threshold)
        {
            var p = Math.Acos(2 * threshold / (1 + threshold)) / Math.PI;
            return (int)Math.Ceiling(64 * p + 5 * Math.Sqrt(64 * p * (1 - p)));
        }
    }
}
