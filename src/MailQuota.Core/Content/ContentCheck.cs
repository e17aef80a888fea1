using System;

namespace MailQuota.Core.Content
{
    /// <summary>The guard's answer for one message: Ok, Warn or Block, and when a blocked one may go.</summary>
    public sealed class ContentCheck
    {
        public ContentCheck(ContentVerdict verdict, double similarity, int nearDuplicates, int exactDuplicates, string? closestMessageId, DateTimeOffset? retryAt, string? reason)
        {
            Verdict = verdict;
            Similarity = similarity;
            NearDuplicateCount = nearDuplicates;
            ExactDuplicateCount = exactDuplicates;
            ClosestMessageId = closestMessageId;
            RetryAt = retryAt;
            Reason = reason;
        }

        public ContentVerdict Verdict { get; }

        /// <summary>The highest estimated similarity to a recent send (0–1).</summary>
        public double Similarity { get; }
        public int NearDuplicateCount { get; }
        public int ExactDuplicateCount { get; }
        public string? ClosestMessageId { get; }

        /// <summary>For a blocked message: when the limits allow it.</summary>
        public DateTimeOffset? RetryAt { get; }
        public string? Reason { get; }
    }
}
