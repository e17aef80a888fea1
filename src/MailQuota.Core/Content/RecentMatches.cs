using System;
using System.Collections.Generic;
using System.Linq;

namespace MailQuota.Core.Content
{
    /// <summary>
    /// How one message compares with an account's recent sends: every candidate the LSH index
    /// returned, with its estimated similarity and whether it is a near or an exact duplicate.
    /// </summary>
    public sealed class RecentMatches
    {
        public static readonly RecentMatches None = new RecentMatches(new Match[0]);

        readonly IReadOnlyList<Match> _matches;

        RecentMatches(IReadOnlyList<Match> matches) => _matches = matches;

        public static RecentMatches Find(IFingerprintStore store, NearDuplicateTest test, string account, ContentFingerprint fingerprint, DateTimeOffset since)
        {
            var matches = new List<Match>();
            foreach (var stored in store.Candidates(account, fingerprint, since))
            {
                var exact = stored.Fingerprint.Digest == fingerprint.Digest;
                var similarity = exact ? 1.0 : test.Compare(fingerprint, stored.Fingerprint);
                if (similarity is double s) matches.Add(new Match(stored, s, test.IsNear(s), exact));
            }
            return new RecentMatches(matches);
        }

        /// <summary>When each near-duplicate after <paramref name="since"/> was reserved.</summary>
        public IEnumerable<DateTimeOffset> NearDuplicateTimes(DateTimeOffset since) =>
            _matches.Where(m => m.Near && m.Stored.At > since).Select(m => m.Stored.At);

        public int NearDuplicatesSince(DateTimeOffset since) => _matches.Count(m => m.Near && m.Stored.At > since);

        public int ExactDuplicatesSince(DateTimeOffset since) => _matches.Count(m => m.Exact && m.Stored.At > since);

        /// <summary>The most similar send after <paramref name="since"/> (the newest of equals), or null.</summary>
        public (double Similarity, string? MessageId)? Closest(DateTimeOffset since)
        {
            Match? best = null;
            foreach (var m in _matches)
                if (m.Stored.At > since && (best == null || m.Similarity > best.Similarity || (m.Similarity == best.Similarity && m.Stored.At > best.Stored.At))) best = m;
            return best == null ? ((double, string?)?)null : (best.Similarity, best.Stored.MessageId);
        }

        sealed class Match
        {
            public Match(StoredFingerprint stored, double similarity, bool near, bool exact)
            {
                Stored = stored; Similarity = similarity; Near = near; Exact = exact;
            }
            public StoredFingerprint Stored { get; }
            public double Similarity { get; }
            public bool Near { get; }
            public bool Exact { get; }
        }
    }
}
