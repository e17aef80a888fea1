using System.Runtime.CompilerServices;

namespace MailQuota.Core.Content
{
    /// <summary>
    /// The fixed, platform-independent hash functions behind every stored fingerprint. They must
    /// never change: fingerprints in the ledger are compared with ones computed years later.
    /// </summary>
    static class ContentHash
    {
        /// <summary>
        /// MethodImplOptions.AggressiveOptimization (512), which netstandard2.0 does not name: the
        /// fingerprint kernels are compiled optimised at once instead of running unoptimised code for
        /// the first part of a batch (three times slower cold). .NET Framework ignores the flag.
        /// </summary>
        public const MethodImplOptions HotPath = (MethodImplOptions)512;

        const ulong FnvOffset = 14695981039346656037UL;
        const ulong FnvPrime = 1099511628211UL;

        /// <summary>FNV-1a over the UTF-16 code units, finished with <see cref="Mix"/>.</summary>
        [MethodImpl(ContentHash.HotPath)]
        public static ulong OfChars(string s, int start, int length)
        {
            var h = FnvOffset;
            for (var i = start; i < start + length; i++)
            {
                h ^= s[i];
                h *= FnvPrime;
            }
            return Mix(h);
        }

        /// <summary>MurmurHash3's 64-bit finaliser: every input bit affects every output bit.</summary>
        public static ulong Mix(ulong h)
        {
            h ^= h >> 33;
            h *= 0xff51afd7ed558ccdUL;
            h ^= h >> 33;
            h *= 0xc4ceb9fe1a85ec53UL;
            h ^= h >> 33;
            return h;
        }

        public static ulong Rotate(ulong h, int bits) => (h << bits) | (h >> (64 - bits));

        /// <summary>SplitMix64: the seeded generator of the MinHash permutations.</summary>
        public static ulong SplitMix(ref ulong state)
        {
            var z = state += 0x9e3779b97f4a7c15UL;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
            return z ^ (z >> 31);
        }
    }
}
