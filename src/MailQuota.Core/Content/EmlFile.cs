using System.Linq;
using MimeKit;

namespace MailQuota.Core.Content
{
    /// <summary>A finished message on disk (an .eml file) as a content sample.</summary>
    public static class EmlFile
    {
        /// <summary>
        /// Reads and decodes <paramref name="path"/>; <paramref name="sender"/> is its first From
        /// address in lower case, or null. Throws <see cref="System.IO.IOException"/> or
        /// <see cref="System.FormatException"/> when the file cannot be read as a message.
        /// </summary>
        public static ContentSample Read(int row, string path, out string? sender)
        {
            var message = MimeMessage.Load(path);
            sender = Sender(message);
            return new ContentSample(row, path, MessageContent.FromMime(message), message.MessageId);
        }

        /// <summary>
        /// A finished message given as an object (a MimeMessage piped in): true with its sample and
        /// sender; false for any other object. The cmdlets never name MimeKit types themselves.
        /// </summary>
        public static bool TryRead(int row, object value, out ContentSample sample, out string? sender)
        {
            sample = null!;
            sender = null;
            if (!(value is MimeMessage message)) return false;
            sender = Sender(message);
            sample = new ContentSample(row, Source(row, message.MessageId), MessageContent.FromMime(message), message.MessageId);
            return true;
        }

        /// <summary>How a result names a message that came as an object: "message 3", or "message 3 &lt;id&gt;".</summary>
        public static string Source(int row, string? messageId) =>
            string.IsNullOrEmpty(messageId) ? $"message {row}" : $"message {row} <{messageId}>";

        static string? Sender(MimeMessage message) => message.From.Mailboxes.FirstOrDefault()?.Address?.ToLowerInvariant();
    }
}
