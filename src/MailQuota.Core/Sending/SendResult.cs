using System;

namespace MailQuota.Core.Sending
{
    /// <summary>What became of one input row.</summary>
    public enum RowStatus
    {
        Sent,
        Failed,
        /// <summary>The row itself is unusable (address, merge field); nothing was reserved or sent.</summary>
        Invalid,
        /// <summary>Not sent on purpose: the same address earlier in this run, or sent (or refused for good) in an earlier run of the campaign.</summary>
        Skipped,
        /// <summary>
        /// The server's answer was lost (or an earlier run of the campaign died during it): the
        /// message may or may not have been accepted, so it is not sent again unless asked.
        /// </summary>
        Unknown,
        /// <summary>Not sent now (a quota wait longer than -MaxWait, a suspended account, repeated throttling): a rerun of the campaign sends it from <see cref="SendResult.DeferredUntil"/> on.</summary>
        Deferred,
        /// <summary>-WhatIf: composed and checked, not sent, no quota used.</summary>
        WhatIf,
    }

    public sealed class SendResult
    {
        public int Row { get; set; }
        public string Recipient { get; set; } = "";
        public RowStatus Status { get; set; }
        public string? MessageId { get; set; }
        public DateTimeOffset? SentAt { get; set; }
        public int Attempts { get; set; }
        public string? Reply { get; set; }
        public string Account { get; set; } = "";
        public string Subject { get; set; } = "";

        /// <summary>The campaign the row belongs to: a rerun with the same one skips what was sent.</summary>
        public string? Campaign { get; set; }

        /// <summary>For Deferred rows: the earliest time a rerun can send it.</summary>
        public DateTimeOffset? DeferredUntil { get; set; }

        /// <summary>Something the caller should be warned of (e.g. sent or skipped over a near-duplicate limit).</summary>
        public string? Warning { get; set; }

        /// <summary>For Invalid rows: a stable identifier of the reason (InvalidAddress, MissingMergeField…).</summary>
        public string? ErrorId { get; set; }
    }
}
