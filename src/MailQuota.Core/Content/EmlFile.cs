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
            sender = message.From.Mailboxes.FirstOrDefault()?.Address?.ToLowerInvariant();
            return new ContentSample(row, path, MessageContent.FromMime(message), message.MessageId);
        }
    }
}
