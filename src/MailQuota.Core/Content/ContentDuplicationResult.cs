using System;

namespace MailQuota.Core.Content
{
    /// <summary>How repetitive one message looks: against the account's recent sends and the rest of the input.</summary>
    public sealed class ContentDuplicationResult
    {
        public int Row { get; set; }
        public string Source { get; set; } = "";
        public string Subject { get; set; } = "";

        /// <summary>Ok, Warn (near-identical messages exist, within the limits) or Block (a limit would be exceeded).</summary>
        public ContentVerdict Verdict { get; set; }

        /// <summary>The highest estimated similarity (0–1) to a recent send or another message of the input.</summary>
        public double Similarity { get; set; }

        /// <summary>Near-identical sends in the window plus earlier messages of the input in the same cluster.</summary>
        public int NearDuplicateCount { get; set; }

        /// <summary>Sends in the window and earlier input messages with the same normalised text.</summary>
        public int ExactDuplicateCount { get; set; }

        /// <summary>The message's cluster in the input (numbered from 1 in order of first appearance).</summary>
        public int ClusterId { get; set; }

        /// <summary>The Message-ID of the most similar message: a recent send, or an input .eml.</summary>
        public string? ClosestMessageId { get; set; }

        /// <summary>The row of the most similar message when it is part of the input.</summary>
        public int? ClosestRow { get; set; }

        /// <summary>For Block: when the limits would allow the message.</summary>
        public DateTimeOffset? RetryAt { get; set; }
        public string? Reason { get; set; }
    }
}
