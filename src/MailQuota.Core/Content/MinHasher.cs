using System.Runtime.CompilerServices;
using System.Numerics;

namespace MailQuota.Core.Content
{
    /// <summary>
    /// MinHash over 128 seeded permutations x → a·x + b (mod 2³², a odd) of the 32-bit feature
    /// hashes; the fraction of equal minima estimates the Jaccard similarity of two feature sets.
    /// Eight (or four) permutations run at once in SIMD lanes; the results do not depend on the
    /// vector width. The seed is fixed: signatures in the ledger must stay comparable.
    /// </summary>
    public static class MinHasher
    {
        public const int Size = 128;
        const ulong Seed = 0x4d696e4861736831UL; // "MinHash1"

        static readonly Vector<uint>[] A;
        static readonly Vector<uint>[] B;

        static MinHasher()
        {
            var a = new uint[Size];
            var b = new uint[Size];
            var state = Seed;
            for (var i = 0; i < Size; i++)
            {
                a[i] = (uint)ContentHash.SplitMix(ref state) | 1u;
                b[i] = (uint)ContentHash.SplitMix(ref state);
            }
            var width = Vector<uint>.Count;
            A = new Vector<uint>[Size / width];
            B = new Vector<uint>[Size / width];
            for (var k = 0; k < A.Length; k++)
            {
                A[k] = new Vector<uint>(a, k * width);
                B[k] = new Vector<uint>(b, k * width);
            }
        }

        /// <summary>The 128 minima (uint.MaxValue each for an empty set).</summary>
        [MethodImpl(ContentHash.HotPath)]
        public static uint[] Compute(uint[] features)
        {
            var width = Vector<uint>.Count;
            var minima = new uint[Size];
            for (var k = 0; k < A.Length; k++)
            {
                var a = A[k];
                var b = B[k];
                var min = new Vector<uint>(uint.MaxValue);
                for (var f = 0; f < features.Length; f++)
                    min = Vector.Min(min, a * new Vector<uint>(features[f]) + b);
                min.CopyTo(minima, k * width);
            }
            return minima;
        }

        /// <summary>
        /// What is stored: the low 16 bits of each minimum (b-bit minwise hashing). Two different
        /// minima agree there by chance once in 65,536, which the estimate can ignore.
        /// </summary>
        public static ushort[] Signature(uint[] minima)
        {
            var signature = new ushort[minima.Length];
            for (var i = 0; i < minima.Length; i++) signature[i] = (ushort)minima[i];
            return signature;
        }

        /// <summary>Estimated Jaccard similarity: the fraction of equal signature values.</summary>
        [MethodImpl(ContentHash.HotPath)]
        public static double Similarity(ushort[] x, ushort[] y)
        {
            var equal = 0;
            for (var i = 0; i < Size; i++)
                if (x[i] == y[i]) equal++;
            return equal / (double)Size;
        }
    }
}
