using System.Runtime.CompilerServices;
using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace MailQuota.Core.Content
{
    /// <summary>
    /// Clusters a batch of fingerprints with MinHash-LSH and union-find. A batch is banded finer
    /// than the ledger's index: 32 bands of 4 signature values (one 64-bit key each), so two
    /// messages become candidates with probability 1 − (1 − J⁴)³²: 0.9998 at J = 0.7, 0.87 at 0.5.
    /// Each band is sorted by key on its own core; within a bucket of equal keys each message is
    /// compared with the bucket's leaders (its earlier members that matched no earlier leader) and
    /// joined to the first near-identical one. Clusters are the connected components of those
    /// verified pairs, so the result does not depend on thread timing.
    /// </summary>
    public sealed class ContentClusterer
    {
        const int Bands = 32;
        const int Rows = MinHasher.Size / Bands;

        readonly NearDuplicateTest _test;

        public ContentClusterer(NearDuplicateTest test) => _test = test;

        public ContentClusters Cluster(IReadOnlyList<ContentFingerprint> items)
        {
            var n = items.Count;
            var edges = new List<Edge>[Bands];
            Parallel.For(0, Bands, band => edges[band] = BandEdges(items, band));

            var sets = new UnionFind(n);
            var best = new double[n];
            var bestMatch = new int[n];
            for (var i = 0; i < n; i++) bestMatch[i] = -1;
            foreach (var list in edges)
            {
                foreach (var edge in list)
                {
                    sets.Union(edge.A, edge.B);
                    Note(best, bestMatch, edge.A, edge.B, edge.Similarity);
                    Note(best, bestMatch, edge.B, edge.A, edge.Similarity);
                }
            }

            var idOfRoot = new int[n];
            var clusterOf = new int[n];
            var sizes = new List<int>();
            for (var i = 0; i < n; i++)
            {
                var root = sets.Find(i);
                if (idOfRoot[root] == 0)
                {
                    sizes.Add(0);
                    idOfRoot[root] = sizes.Count;
                }
                clusterOf[i] = idOfRoot[root];
                sizes[clusterOf[i] - 1]++;
            }
            return new ContentClusters(clusterOf, sizes.ToArray(), best, bestMatch);
        }

        static void Note(double[] best, int[] bestMatch, int of, int match, double similarity)
        {
            if (similarity > best[of] || (similarity == best[of] && (bestMatch[of] < 0 || match < bestMatch[of])))
            {
                best[of] = similarity;
                bestMatch[of] = match;
            }
        }

        [MethodImpl(ContentHash.HotPath)]
        List<Edge> BandEdges(IReadOnlyList<ContentFingerprint> items, int band)
        {
            var n = items.Count;
            var keys = new long[n];
            var order = new int[n];
            for (var i = 0; i < n; i++) { keys[i] = Key(items[i].Signature, band); order[i] = i; }
            Array.Sort(keys, order);

            var edges = new List<Edge>();
            var leaders = new List<int>();
            var start = 0;
            while (start < n)
            {
                var end = start + 1;
                while (end < n && keys[end] == keys[start]) end++;
                if (end - start > 1)
                {
                    Array.Sort(order, start, end - start); // input order within a bucket: deterministic
                    leaders.Clear();
                    for (var m = start; m < end; m++)
                    {
                        var j = order[m];
                        var joined = false;
                        foreach (var leader in leaders)
                        {
                            var similarity = _test.Compare(items[leader], items[j]);
                            if (!_test.IsNear(similarity)) continue;
                            edges.Add(new Edge(leader, j, similarity!.Value));
                            joined = true;
                            break;
                        }
                        if (!joined) leaders.Add(j);
                    }
                }
                start = end;
            }
            return edges;
        }

        /// <summary>The band's four 16-bit signature values as one key.</summary>
        static long Key(ushort[] signature, int band)
        {
            var k = band * Rows;
            return (long)(signature[k] | (ulong)signature[k + 1] << 16 | (ulong)signature[k + 2] << 32 | (ulong)signature[k + 3] << 48);
        }

        readonly struct Edge
        {
            public Edge(int a, int b, double similarity) { A = a; B = b; Similarity = similarity; }
            public int A { get; }
            public int B { get; }
            public double Similarity { get; }
        }
    }
}
