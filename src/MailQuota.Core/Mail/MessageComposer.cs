using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using MimeKit;
using MimeKit.Utils;

namespace MailQuota.Core.Mail
{
    /// <summary>A composed message and the envelope it goes to (the recipients, then the Cc addresses).</summary>
    public sealed class ComposedMessage
    {
        public ComposedMessage(MimeMessage message, IReadOnlyList<MailboxAddress> envelope) { Message = message; Envelope = envelope; }
        public MimeMessage Message { get; }
        public IReadOnlyList<MailboxAddress> Envelope { get; }
    }

    /// <summary>Turns rows into a MIME message; refuses anything that would smuggle a header.</summary>
    public sealed class MessageComposer
    {
        static readonly Regex UnsubscribeList = new Regex(@"^\s*<[^<>\s]+>(\s*,\s*<[^<>\s]+>)*\s*$", RegexOptions.CultureInvariant);
        readonly MessageTemplate _template;

        public MessageComposer(MessageTemplate template) => _template = template;

        /// <summary>The envelope sender: the From address.</summary>
        public MailboxAddress Sender => _template.From;

        /// <summary>Parses a recipient address the way the server will see it.</summary>
        public static MailboxAddress ParseRecipient(string? address, string? name)
        {
            if (string.IsNullOrWhiteSpace(address))
                throw new InvalidRowException("NoRecipient", "it has no recipient address (expected a To, Email, EmailAddress, Mail or Address property)");
            if (ContainsLineBreak(address!) || ContainsLineBreak(name))
                throw new InvalidRowException("HeaderInjection", "the address or name contains a line break");
            if (!MailAddressRule.TryParse(address, out var parsed))
                throw new InvalidRowException("InvalidAddress", $"'{address}' is not a valid e-mail address");
            if (name != null && name.Length > MaxHeaderValue)
                throw new InvalidRowException("HeaderTooLong", $"the name is {name.Length} characters; at most {MaxHeaderValue} fit a header");
            if (name != null) parsed.Name = name;
            return parsed;
        }

        /// <summary>The longest merged header value (subject, name, header) a row may give: past it the row is Invalid.</summary>
        public const int MaxHeaderValue = 2000;

        public MimeMessage Compose(MailboxAddress to, IReadOnlyDictionary<string, string?> fields) =>
            Compose(new[] { to }, fields).Message;

        /// <summary>
        /// One message to the recipients: a single recipient is the To header; several go as Bcc
        /// (the envelope only), the To header showing <see cref="MessageTemplate.UndisclosedTo"/> or the From address.
        /// </summary>
        public ComposedMessage Compose(IReadOnlyList<MailboxAddress> recipients, IReadOnlyDictionary<string, string?> fields)
        {
            var message = new MimeMessage();
            // A fresh address object per message: an address list subscribes to its addresses'
            // Changed events, so sharing the template's object would keep every message alive.
            message.From.Add(Copy(_template.From));
            message.To.Add(recipients.Count == 1 ? recipients[0] : Copy(_template.UndisclosedTo ?? new MailboxAddress("", _template.From.Address)));
            message.Subject = HeaderValue("subject", _template.Subject, fields);
            var cc = Addresses("Cc", _template.Cc, fields);
            message.Cc.AddRange(cc);
            message.ReplyTo.AddRange(Addresses("Reply-To", _template.ReplyTo, fields));
            if (_template.ListUnsubscribe != null)
            {
                var unsubscribe = HeaderValue("List-Unsubscribe header", _template.ListUnsubscribe, fields);
                if (!UnsubscribeList.IsMatch(unsubscribe))
                    throw new InvalidRowException("InvalidListUnsubscribe", $"the List-Unsubscribe value '{unsubscribe}' is not a list of <mailto:…> or <https://…> addresses");
                message.Headers.Add("List-Unsubscribe", unsubscribe.Trim());
            }
            foreach (var header in _template.Headers)
                message.Headers.Add(header.Key, HeaderValue(header.Key + " header", header.Value, fields));
            KeepLiteral(message);
            message.Date = DateTimeOffset.UtcNow;
            var domain = _template.From.Domain;
            message.MessageId = MimeUtils.GenerateMessageId(string.IsNullOrEmpty(domain) ? "localhost" : domain);

            var body = new BodyBuilder { TextBody = Render(_template.TextBody, fields, false), HtmlBody = Render(_template.HtmlBody, fields, true) };
            foreach (var attachment in _template.Attachments)
            {
                var path = AttachmentPath(attachment, fields);
                if (!File.Exists(path)) throw new InvalidRowException("AttachmentNotFound", $"the attachment '{path}' does not exist");
                body.Attachments.Add(path);
            }
            message.Body = body.ToMessageBody();
            return new ComposedMessage(message, Envelope(recipients.Concat(cc)));
        }

        /// <summary>Text that looks like encoded-words goes out encoded, so it arrives as the literal text it is.</summary>
        void KeepLiteral(MimeMessage message)
        {
            if (LiteralHeaderText.LooksEncoded(message.Subject)) LiteralHeaderText.Set(message, "Subject", message.Subject!);
            if (message.To.Count == 1 && message.To[0] is MailboxAddress to && LiteralHeaderText.LooksEncoded(to.Name))
                LiteralHeaderText.SetMailbox(message, "To", to.Name!, to.Address);
            foreach (var name in _template.Headers.Select(h => h.Key))
            {
                if (message.Headers[name] is string value && LiteralHeaderText.LooksEncoded(value)) LiteralHeaderText.Set(message, name, value);
            }
        }

        /// <summary>
        /// The attachment's file. A path the user wrote is taken as written; a path that merge values
        /// fill in must stay inside the folder the template's own text names (the current folder when
        /// it names none), so a cell with an absolute path or ".." cannot mail any file the user can
        /// read, unless <see cref="MessageTemplate.AllowAnyAttachmentPath"/> says so.
        /// </summary>
        string AttachmentPath(MergeTemplate attachment, IReadOnlyDictionary<string, string?> fields)
        {
            var rendered = Render(attachment, fields, false)!;
            var path = Path.GetFullPath(Path.Combine(_template.AttachmentFolder, rendered));
            if (!attachment.HasFields || _template.AllowAnyAttachmentPath) return path;
            var text = attachment.ToString();
            var literal = text.Substring(0, text.IndexOf("{{", StringComparison.Ordinal));
            var folder = Path.GetFullPath(Path.Combine(_template.AttachmentFolder, literal.Substring(0, literal.LastIndexOfAny(new[] { '/', '\\' }) + 1)));
            var inside = folder.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal) ? folder : folder + Path.DirectorySeparatorChar;
            if (!path.StartsWith(inside, PathComparison))
                throw new InvalidRowException("AttachmentOutsideFolder", $"the attachment '{rendered}' lies outside {folder}; the row's values may only name files in that folder");
            return path;
        }

        static readonly StringComparison PathComparison =
            Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

        /// <summary>
        /// Each address once, ignoring case (a Cc equal to the row's own address, "a@x, A@x"): MailKit
        /// drops repeats itself, and the server counts each recipient once.
        /// </summary>
        static IReadOnlyList<MailboxAddress> Envelope(IEnumerable<MailboxAddress> addresses)
        {
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            return addresses.Where(a => seen.Add(a.Address)).ToList();
        }

        static MailboxAddress Copy(MailboxAddress address) => new MailboxAddress(address.Name, address.Address);

        static string? Render(MergeTemplate? template, IReadOnlyDictionary<string, string?> fields, bool html)
        {
            if (template == null) return null;
            try { return template.Render(fields, html); }
            catch (MergeFieldException e) { throw new InvalidRowException("MissingMergeField", e.Message); }
        }

        static string HeaderValue(string what, MergeTemplate template, IReadOnlyDictionary<string, string?> fields)
        {
            var value = Render(template, fields, false)!;
            if (ContainsLineBreak(value))
                throw new InvalidRowException("HeaderInjection", $"the {what} would contain a line break after merging");
            if (value.Length > MaxHeaderValue)
                throw new InvalidRowException("HeaderTooLong", $"the {what} is {value.Length} characters after merging; at most {MaxHeaderValue} fit a header");
            return value;
        }

        static IEnumerable<MailboxAddress> Addresses(string header, MergeTemplate? template, IReadOnlyDictionary<string, string?> fields)
        {
            if (template == null) return Enumerable.Empty<MailboxAddress>();
            var text = HeaderValue(header + " header", template, fields);
            if (string.IsNullOrWhiteSpace(text)) return Enumerable.Empty<MailboxAddress>();
            if (!InternetAddressList.TryParse(ParserOptions.Default, text, out var parsed) ||
                !parsed.Mailboxes.All(MailAddressRule.IsUsable))
                throw new InvalidRowException("InvalidAddress", $"'{text}' in {header} is not a list of valid e-mail addresses");
            return parsed.Mailboxes.ToList();
        }

        static bool ContainsLineBreak(string? s) => s != null && s.IndexOfAny(new[] { '\r', '\n' }) >= 0;
    }

    /// <summary>A row that cannot be sent as given; the run goes on without it.</summary>
    public sealed class InvalidRowException : Exception
    {
        public InvalidRowException(string errorId, string reason) : base(reason) => ErrorId = errorId;

        /// <summary>Stable identifier, e.g. InvalidAddress, MissingMergeField, HeaderInjection, AttachmentNotFound.</summary>
        public string ErrorId { get; }
    }
}
