using System.Collections.Generic;
using MailQuota.Core.Mail;
using MimeKit;

namespace MailQuota.Core.Content
{
    /// <summary>
    /// The parts of a message that a provider's content filter compares: subject, text body and
    /// HTML body. For a mail merge, short merge values are already back to <c>{{Field}}</c>.
    /// </summary>
    public sealed class MessageContent
    {
        /// <summary>Merge values up to this many characters (names, amounts, dates) are fingerprinted as their placeholder.</summary>
        public const int MaxPlaceholderLength = 64;

        public MessageContent(string? subject, string? text, string? html)
        {
            Subject = subject ?? "";
            Text = text;
            Html = html;
        }

        public string Subject { get; }
        public string? Text { get; }
        public string? Html { get; }

        /// <summary>
        /// A row of a mail merge as the composer renders it, with each short merge value put back as
        /// its placeholder. <paramref name="fields"/> null fingerprints the template alone.
        /// Throws <see cref="MergeFieldException"/> when the row lacks a field the template uses.
        /// </summary>
        public static MessageContent FromTemplate(MergeTemplate subject, MergeTemplate? text, MergeTemplate? html, IReadOnlyDictionary<string, string?>? fields) =>
            new MessageContent(
                subject.RenderSkeleton(fields, MaxPlaceholderLength),
                text?.RenderSkeleton(fields, MaxPlaceholderLength),
                html?.RenderSkeleton(fields, MaxPlaceholderLength, html: true));

        public static MessageContent FromTemplate(MessageTemplate template, IReadOnlyDictionary<string, string?>? fields) =>
            FromTemplate(template.Subject, template.TextBody, template.HtmlBody, fields);

        /// <summary>A finished message (an .eml file): MIME already decoded by MimeKit.</summary>
        public static MessageContent FromMime(MimeMessage message) =>
            new MessageContent(message.Subject, message.TextBody, message.HtmlBody);
    }
}
