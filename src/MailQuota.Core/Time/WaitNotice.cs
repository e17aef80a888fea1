using System;

namespace MailQuota.Core.Time
{
    /// <summary>Told to the caller while the gate makes a message wait, once per tick.</summary>
    public sealed class WaitNotice
    {
        public WaitNotice(int row, string recipient, DateTimeOffset until, TimeSpan remaining, string reason)
        {
            Row = row; Recipient = recipient; Until = until; Remaining = remaining; Reason = reason;
        }
        public int Row { get; }
        public string Recipient { get; }
        public DateTimeOffset Until { get; }
        public TimeSpan Remaining { get; }
        public string Reason { get; }
    }
}
