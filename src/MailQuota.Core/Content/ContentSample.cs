namespace MailQuota.Core.Content
{
    /// <summary>One message given to Test-MailContentDuplication: a rendered row, a text, a finished message or an .eml file.</summary>
    public sealed class ContentSample
    {
        public ContentSample(int row, string source, MessageContent content, string? messageId = null)
        {
            Row = row; Source = source; Content = content; MessageId = messageId;
        }

        /// <summary>1-based position in the input.</summary>
        public int Row { get; }

        /// <summary>Where it came from: "row 3", "message 2", "message 4 &lt;id&gt;", a file path.</summary>
        public string Source { get; }
        public MessageContent Content { get; }
        public string? MessageId { get; }
    }
}
