using System;
using System.Collections.Generic;
using MimeKit;
using MimeKit.Utils;

namespace MailQuota.Core.Mail
{
    /// <summary>The fixed parts of every message of a run: sender and templates.</summary>
    public sealed class MessageTemplate
    {
        public MessageTemplate(MailboxAddress from, string subject, string? textBody, string? htmlBody)
        {
            if (string.IsNullOrEmpty(textBody) && string.IsNullOrEmpty(htmlBody))
                throw new ArgumentException("a message needs a text body, an HTML body or both");
            From = from;
            Subject = new MergeTemplate(subject);
            TextBody = string.IsNullOrEmpty(textBody) ? null : new MergeTemplate(textBody);
            HtmlBody = string.IsNullOrEmpty(htmlBody) ? null : new MergeTemplate(htmlBody);
        }

        public MailboxAddress From { get; }
        public MergeTemplate Subject { get; }
        public MergeTemplate? TextBody { get; }
        public MergeTemplate? HtmlBody { get; }
    }

    /// <summary>Turns a row into a MIME message; refuses anything that would smuggle a header.</summary>
    public sealed class MessageComposer
    {
        readonly MessageTemplate _template;

        public MessageComposer(MessageTemplate template) => _template = template;

        /// <summary>Parses a recipient address the way the server will see it.</summary>
        public static MailboxAddress ParseRecipient(string? address, string? name)
        {
            if (string.IsNullOrWhiteSpace(address))
                throw new InvalidRowException("NoRecipient", "it has no recipient address (expected a To, Email, EmailAddress, Mail or Address property)");
            if (ContainsLineBreak(address!) || ContainsLineBreak(name))
                throw new InvalidRowException("HeaderInjection", "the address or name contains a line break");
            if (!MailboxAddress.TryParse(ParserOptions.Default, address, out var parsed) || parsed.Address.IndexOf('@') <= 0 || parsed.Address.EndsWith("@", StringComparison.Ordinal))
                throw new InvalidRowException("InvalidAddress", $"'{address}' is not a valid e-mail address");
            if (name != null) parsed.Name = name;
            return parsed;
        }

        public MimeMessage Compose(MailboxAddress to, IReadOnlyDictionary<string, string?> fields)
        {
            string subject;
            string? text, html;
            try
            {
                subject = _template.Subject.Render(fields);
                text = _template.TextBody?.Render(fields);
                html = _template.HtmlBody?.Render(fields, html: true);
            }
            catch (MergeFieldException e)
            {
                throw new InvalidRowException("MissingMergeField", e.Message);
            }
            if (ContainsLineBreak(subject))
                throw new InvalidRowException("HeaderInjection", "the subject would contain a line break after merging");

            var message = new MimeMessage();
            message.From.Add(_template.From);
            message.To.Add(to);
            message.Subject = subject;
            message.Date = DateTimeOffset.UtcNow;
            var domain = _template.From.Domain;
            message.MessageId = MimeUtils.GenerateMessageId(string.IsNullOrEmpty(domain) ? "localhost" : domain);
            message.Body = new BodyBuilder { TextBody = text, HtmlBody = html }.ToMessageBody();
            return message;
        }

        static bool ContainsLineBreak(string? s) => s != null && s.IndexOfAny(new[] { '\r', '\n' }) >= 0;
    }

    /// <summary>A row that cannot be sent as given; the run goes on without it.</summary>
    public sealed class InvalidRowException : Exception
    {
        public InvalidRowException(string errorId, string reason) : base(reason) => ErrorId = errorId;

        /// <summary>Stable identifier, e.g. InvalidAddress, MissingMergeField, HeaderInjection.</summary>
        public string ErrorId { get; }
    }
}
