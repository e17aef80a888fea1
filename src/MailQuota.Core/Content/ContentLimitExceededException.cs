using System;
using System.Globalization;

namespace MailQuota.Core.Content
{
    /// <summary>A run stopped because its next message would exceed a near-duplicate limit.</summary>
    public sealed class ContentLimitExceededException : Exception
    {
        public ContentLimitExceededException(int row, string recipient, ContentCheck check)
            : base($"Row {row} ({recipient}) was not sent and the run stops: {check.Reason}. " +
                   $"The limits would allow it at {check.RetryAt!.Value.ToString("u", CultureInfo.InvariantCulture)}.")
        {
            Row = row;
            Recipient = recipient;
            Check = check;
        }

        public int Row { get; }
        public string Recipient { get; }
        public ContentCheck Check { get; }
    }
}
