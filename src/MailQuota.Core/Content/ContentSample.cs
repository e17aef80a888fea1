namespace MailQuota.Core.Content
{
    /// <summary>One message given to Test-MailContentDuplication: a rendered row, a text, or an .eml file.</summary>
    public sealed class ContentSample
    {
        public ContentSample(int row, string source, MessageContent content, string? messageId = null)
        {
            Row = row; Source = source; Content = content; MessageId = messageId;
        }

        /// <summary>1-based position in the input.</summary>
        public int Row { get; }

        /// <summary>Where it came from: "row 3", a file path.</summary>
        public string Source { get; }
        public MessageContent Content { get; }
        public string? MessageId { get; }
    }
}
