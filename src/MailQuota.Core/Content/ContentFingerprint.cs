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
    /// for a message about to be sent, its 16 LSH band keys (the index that finds candidates).
    /// </summary>
    public sealed class ContentFingerprint
    {
        static readonly long[] NoKeys = new long[0];

        [ThreadStatic] static SHA256? _sha;

        public ContentFingerprint(long digest, ulong simHash, ushort[] signature, long[]? bandKeys = null)
        {
            if (signature.Length != MinHasher.Size) throw new ArgumentException($"a signature has {MinHasher.Size} values", nameof(signature));
            Digest = digest;
            SimHash = simHash;
            Signature = signature;
            BandKeys = bandKeys ?? NoKeys;
        }

        /// <summary>The first 64 bits of SHA-256 over the normalised text.</summary>
        public long Digest { get; }
        public ulong SimHash { get; }
        public ushort[] Signature { get; }

        /// <summary>The LSH keys; empty for a fingerprint read back from the ledger (they live in its index).</summary>
        public IReadOnlyList<long> BandKeys { get; }

        public static ContentFingerprint Of(MessageContent content) => OfNormalized(ContentNormalizer.Normalize(content));

        public static ContentFingerprint OfNormalized(string normalized)
        {
            var features = ShingleExtractor.Features(normalized);
            var minima = MinHasher.Compute(features);
            var sha = _sha ??= SHA256.Create();
            var digest = BitConverter.ToInt64(sha.ComputeHash(Encoding.UTF8.GetBytes(normalized)), 0);
            return new ContentFingerprint(digest, SimHash64.Compute(features), MinHasher.Signature(minima), LshBands.Keys(minima));
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
