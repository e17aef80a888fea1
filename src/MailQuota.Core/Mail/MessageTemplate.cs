using System;
using System.Collections.Generic;
using System.Linq;
using MimeKit;

namespace MailQuota.Core.Mail
{
    /// <summary>
    /// The fixed parts of every message of a run: sender, templates, and the optional headers and
    /// attachments. Every text but From may carry <c>{{Column}}</c> merge fields.
    /// </summary>
    public sealed class MessageTemplate
    {
        /// <summary>Headers the composer writes itself (or that have a parameter of their own): not settable as custom headers.</summary>
        static readonly HashSet<string> OwnHeaders = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "From", "To", "Cc", "Bcc", "Subject", "Date", "Message-ID", "MIME-Version", "Reply-To", "Sender",
            "Return-Path", "Received", "Content-Type", "Content-Transfer-Encoding", "Content-Disposition",
            "List-Unsubscribe", "Resent-From", "Resent-To", "Resent-Cc", "Resent-Bcc", "Resent-Date", "Resent-Message-ID",
        };

        public MessageTemplate(MailboxAddress from, string subject, string? textBody, string? htmlBody)
        {
            if (string.IsNullOrEmpty(textBody) && string.IsNullOrEmpty(htmlBody))
                throw new ArgumentException("a message needs a text body, an HTML body or both");
            From = from;
            Subject = new MergeTemplate(subject);
            TextBody = string.IsNullOrEmpty(textBody) ? null : new MergeTemplate(textBody);
            HtmlBody = string.IsNullOrEmpty(htmlBody) ? null : new MergeTemplate(htmlBody);
        }

        /// <summary>From as text ('Name &lt;address&gt;'); throws <see cref="ArgumentException"/> when it is not one mailbox.</summary>
        public MessageTemplate(string from, string subject, string? textBody, string? htmlBody)
            : this(MailAddressRule.Parse(from, nameof(from)), subject, textBody, htmlBody) { }

        public MailboxAddress From { get; }
        public MergeTemplate Subject { get; }
        public MergeTemplate? TextBody { get; }
        public MergeTemplate? HtmlBody { get; }

        /// <summary>Copy recipients (comma-separated addresses); they count against the quota like the recipient.</summary>
        public MergeTemplate? Cc { get; set; }
        public MergeTemplate? ReplyTo { get; set; }

        /// <summary>File paths; relative ones are taken from <see cref="AttachmentFolder"/>.</summary>
        public IReadOnlyList<MergeTemplate> Attachments { get; set; } = Array.Empty<MergeTemplate>();
        public string AttachmentFolder { get; set; } = Environment.CurrentDirectory;

        /// <summary>Let merge values name attachments anywhere (by default they stay inside the template's folder).</summary>
        public bool AllowAnyAttachmentPath { get; set; }

        /// <summary>The List-Unsubscribe header: one or more &lt;mailto:…&gt; or &lt;https://…&gt; addresses.</summary>
        public MergeTemplate? ListUnsubscribe { get; set; }

        /// <summary>What the To header shows on a message to several recipients (sent as Bcc); the From address when null.</summary>
        public MailboxAddress? UndisclosedTo { get; set; }

        /// <summary>Sets <see cref="UndisclosedTo"/> from text; throws <see cref="ArgumentException"/> when it is not one mailbox.</summary>
        public void SetUndisclosedTo(string text) => UndisclosedTo = MailAddressRule.Parse(text, nameof(UndisclosedTo));

        public IReadOnlyList<KeyValuePair<string, MergeTemplate>> Headers { get; private set; } = Array.Empty<KeyValuePair<string, MergeTemplate>>();

        /// <summary>Sets the custom headers. Throws <see cref="ArgumentException"/> for a name that is not a valid field name or one the composer writes.</summary>
        public void SetHeaders(IEnumerable<KeyValuePair<string, string?>> headers)
        {
            var list = new List<KeyValuePair<string, MergeTemplate>>();
            foreach (var header in headers)
            {
                var name = header.Key;
                if (name.Length == 0 || name.Any(c => c <= ' ' || c > '~' || c == ':'))
                    throw new ArgumentException($"'{name}' is not a valid header name (printable ASCII, no space or colon)");
                if (OwnHeaders.Contains(name))
                    throw new ArgumentException($"the {name} header cannot be set as a custom header");
                list.Add(new KeyValuePair<string, MergeTemplate>(name, new MergeTemplate(header.Value)));
            }
            Headers = list;
        }

        /// <summary>Every text that is rendered per row.</summary>
        public IEnumerable<MergeTemplate> Texts()
        {
            yield return Subject;
            if (TextBody != null) yield return TextBody;
            if (HtmlBody != null) yield return HtmlBody;
            if (Cc != null) yield return Cc;
            if (ReplyTo != null) yield return ReplyTo;
            if (ListUnsubscribe != null) yield return ListUnsubscribe;
            foreach (var attachment in Attachments) yield return attachment;
            foreach (var header in Headers) yield return header.Value;
        }

        /// <summary>The merge fields used anywhere in the message.</summary>
        public IReadOnlyList<string> MergeFields() =>
            Texts().SelectMany(t => t.Fields).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }
}
