using System;
using System.Collections.Generic;
using System.Linq;
using MailQuota.Core.Quota;

namespace MailQuota.Core.Content
{
    /// <summary>
    /// The content part of an account's policy: when two messages are near-identical, and how many
    /// near-identical messages each rolling window allows (counting the one about to go).
    /// </summary>
    public sealed class NearDuplicatePolicy
    {
        public NearDuplicatePolicy(QuotaPolicy policy)
        {
            Test = new NearDuplicateTest(policy.SimilarityThreshold ?? NearDuplicateTest.DefaultThreshold);
            var limits = new List<NearDuplicateLimit>();
            if (policy.NearDuplicatesPerHour is int hour) limits.Add(new NearDuplicateLimit("Hour", TimeSpan.FromHours(1), hour));
            if (policy.NearDuplicatesPerDay is int day) limits.Add(new NearDuplicateLimit("Day", TimeSpan.FromDays(1), day));
            Limits = limits;
        }

        public NearDuplicateTest Test { get; }
        public IReadOnlyList<NearDuplicateLimit> Limits { get; }
        public bool HasLimits => Limits.Count > 0;

        /// <summary>How far back near-duplicates count: the longest limited window, or a day when there is no limit.</summary>
        public TimeSpan CountingWindow => HasLimits ? Limits.Max(l => l.Length) : TimeSpan.FromDays(1);

        /// <summary>
        /// Why one more near-duplicate now would exceed a limit, given when the earlier ones went;
        /// null when every window has room. <paramref name="retryAt"/> is when enough of them have
        /// left the longest-blocking window.
        /// </summary>
        public string? Exceeded(IEnumerable<DateTimeOffset> nearDuplicateTimes, DateTimeOffset now, out DateTimeOffset retryAt)
        {
            var times = nearDuplicateTimes.OrderBy(t => t).ToList();
            retryAt = now;
            string? reason = null;
            foreach (var limit in Limits)
            {
                var inWindow = times.Where(t => t > now - limit.Length).ToList();
                if (inWindow.Count < limit.Limit) continue;
                var freeAt = inWindow[inWindow.Count - limit.Limit] + limit.Length;
                if (reason != null && freeAt <= retryAt) continue;
                retryAt = freeAt;
                reason = $"{inWindow.Count} near-identical messages in the last {limit.Window.ToLowerInvariant()} reach the limit of {limit}";
            }
            return reason;
        }
    }
}
