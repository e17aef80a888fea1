using System;
using System.Collections.Generic;
using System.Linq;
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
        /// <summary>Merge values up to this many characters (names, amounts, dates) can be fingerprinted as their placeholder.</summary>
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
        /// A row of a mail merge as a provider's filter sees it. When the template's own literal text
        /// carries the message (at least as many words, or CJK characters, as the short merge values
        /// put into it), each short value goes back to its placeholder, so every row looks alike
        /// whatever the name or amount; otherwise (<c>{{Message}}</c>, "Alert: {{Text}}", a notice
        /// that is all fields) the values are the message and what is rendered is fingerprinted.
        /// <paramref name="fields"/> null fingerprints the template alone. Throws
        /// <see cref="MergeFieldException"/> when the row lacks a field the template uses.
        /// </summary>
        public static MessageContent FromTemplate(MergeTemplate subject, MergeTemplate? text, MergeTemplate? html, IReadOnlyDictionary<string, string?>? fields)
        {
            var mask = fields == null || LiteralCarriesMessage(new[] { (subject, false), (text, false), (html, true) }, fields);
            var maxPlaceholderLength = mask ? MaxPlaceholderLength : -1;
            return new MessageContent(
                subject.RenderSkeleton(fields, maxPlaceholderLength),
                text?.RenderSkeleton(fields, maxPlaceholderLength),
                html?.RenderSkeleton(fields, maxPlaceholderLength, html: true));
        }

        static bool LiteralCarriesMessage((MergeTemplate? Template, bool Html)[] parts, IReadOnlyDictionary<string, string?> fields)
        {
            int literal = 0, values = 0;
            foreach (var (part, isHtml) in parts)
            {
                if (part == null) continue;
                var none = part.Fields.ToDictionary(f => f, _ => (string?)"", StringComparer.OrdinalIgnoreCase);
                var shortOnes = part.Fields.ToDictionary(f => f, f => fields.TryGetValue(f, out var v) && (v?.Trim().Length ?? 0) <= MaxPlaceholderLength ? v : "",
                    StringComparer.OrdinalIgnoreCase);
                int Units(string rendered) => ContentNormalizer.CountUnits(isHtml ? ContentNormalizer.HtmlToText(rendered) : rendered);
                var bare = Units(part.Render(none));
                literal += bare;
                values += Units(part.Render(shortOnes)) - bare;
            }
            return literal > 0 && literal >= values;
        }

        public static MessageContent FromTemplate(MessageTemplate template, IReadOnlyDictionary<string, string?>? fields) =>
            FromTemplate(template.Subject, template.TextBody, template.HtmlBody, fields);

        /// <summary>A finished message (an .eml file): MIME already decoded by MimeKit.</summary>
        public static MessageContent FromMime(MimeMessage message) =>
            new MessageContent(message.Subject, message.TextBody, message.HtmlBody);
    }
}
