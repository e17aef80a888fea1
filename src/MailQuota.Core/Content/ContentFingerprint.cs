using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;

namespace MailQuota.Core.Content
{
    /// <summary>
    /// What the ledger keeps of a message instead of its body: a digest of the normalised text
    /// (exact duplicates), SimHash64 (pre-filter), a 128-value MinHash signature (similarity) and,
    /// for a message about to be sent, its 16 LSH band keys (the index that finds candidates) and,
    /// when it is short, its features (the exact similarity within a batch).
    /// </summary>
    public sealed class ContentFingerprint
    {
        static readonly long[] NoKeys = new long[0];

        [ThreadStatic] static SHA256? _sha;

        /// <summary>A message with at most this many distinct features keeps them in memory, for the exact similarity.</summary>
        public const int MaxKeptFeatures = 512;

        public ContentFingerprint(long digest, ulong simHash, ushort[] signature, long[]? bandKeys = null, uint[]? features = null)
        {
            if (signature.Length != MinHasher.Size) throw new ArgumentException($"a signature has {MinHasher.Size} values", nameof(signature));
            Digest = digest;
            SimHash = simHash;
            Signature = signature;
            BandKeys = bandKeys ?? NoKeys;
            Features = features;
        }

        /// <summary>The first 64 bits of SHA-256 over the normalised text.</summary>
        public long Digest { get; }
        public ulong SimHash { get; }
        public ushort[] Signature { get; }

        /// <summary>The LSH keys; empty for a fingerprint read back from the ledger (they live in its index).</summary>
        public IReadOnlyList<long> BandKeys { get; }

        /// <summary>
        /// The distinct feature hashes in ascending order, for a message just fingerprinted with at
        /// most <see cref="MaxKeptFeatures"/> of them; null otherwise (never stored in the ledger).
        /// Short messages are where a few edits bring copies near the threshold, and where the
        /// MinHash estimate (±0.04 at 0.7) would decide by chance.
        /// </summary>
        public uint[]? Features { get; }

        public static ContentFingerprint Of(MessageContent content) => OfNormalized(ContentNormalizer.Normalize(content));

        public static ContentFingerprint OfNormalized(string normalized)
        {
            var features = ShingleExtractor.Features(normalized);
            var minima = MinHasher.Compute(features);
            var sha = _sha ??= SHA256.Create();
            var digest = BitConverter.ToInt64(sha.ComputeHash(Encoding.UTF8.GetBytes(normalized)), 0);
            return new ContentFingerprint(digest, SimHash64.Compute(features), MinHasher.Signature(minima), LshBands.Keys(minima), Distinct(features));
        }

        static uint[]? Distinct(uint[] features)
        {
            if (features.Length > 2 * MaxKeptFeatures) return null;
            var sorted = (uint[])features.Clone();
            Array.Sort(sorted);
            var n = 0;
            for (var i = 0; i < sorted.Length; i++)
                if (n == 0 || sorted[i] != sorted[n - 1]) sorted[n++] = sorted[i];
            if (n > MaxKeptFeatures) return null;
            Array.Resize(ref sorted, n);
            return sorted;
        }

        /// <summary>The exact Jaccard similarity of two ascending sets of distinct feature hashes.</summary>
        public static double Jaccard(uint[] x, uint[] y)
        {
            if (x.Length + y.Length == 0) return 1;
            int i = 0, j = 0, shared = 0;
            while (i < x.Length && j < y.Length)
            {
                if (x[i] == y[j]) { shared++; i++; j++; }
                else if (x[i] < y[j]) i++;
                else j++;
            }
            return shared / (double)(x.Length + y.Length - shared);
        }

        /// <summary>Fingerprints a batch on every core; the order of the result is the order of the input.</summary>
        public static ContentFingerprint[] OfAll(IReadOnlyList<MessageContent> contents)
        {
            var result = new ContentFingerprint[contents.Count];
            Parallel.For(0, contents.Count, i => result[i] = Of(contents[i]));
            return result;
        }
    }
}
