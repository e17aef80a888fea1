using System;
using System.IO;
using System.Management.Automation;
using MailQuota.Core.Content;

namespace MailQuotaPS
{
    /// <summary>
    /// Reads a finished message from the pipeline for Test-MailContentDuplication: a MimeMessage, a
    /// FileInfo of an .eml file (or its path), a string (the body), or any object with a subject and
    /// a body by property name (Subject/Title; Body/Text/TextBody/Content/Message; HtmlBody/Html/HtmlContent).
    /// </summary>
    static class FinishedMessage
    {
        static readonly string[] SubjectProperties = { "Subject", "Title" };
        static readonly string[] TextProperties = { "Body", "Text", "TextBody", "Content", "Message" };
        static readonly string[] HtmlProperties = { "HtmlBody", "Html", "HtmlContent" };

        /// <summary>The message of one pipeline object; a FileInfo is loaded by the caller (see <see cref="FileOf"/>).</summary>
        /// <exception cref="InvalidDataException">The object has neither a subject nor a body.</exception>
        public static ContentSample Read(PSObject input, int number)
        {
            switch (input.BaseObject)
            {
                case string body:
                    return new ContentSample(number, $"message {number}", new MessageContent(null, body, null));
            }
            var subject = First(input, SubjectProperties);
            var text = First(input, TextProperties);
            var html = First(input, HtmlProperties);
            if (subject == null && text == null && html == null)
                throw new InvalidDataException($"Message {number} has no Subject, Body or HtmlBody property (nor Title, Text, TextBody, Content, Message, Html or HtmlContent).");
            var messageId = First(input, new[] { "MessageId" });
            return new ContentSample(number, EmlFile.Source(number, messageId), new MessageContent(subject, text, html), messageId);
        }

        /// <summary>
        /// The path of a piped .eml file: a FileInfo, or a one-line string ending in ".eml" (resolved
        /// with <paramref name="resolve"/>); null for any other object.
        /// </summary>
        public static string? FileOf(PSObject input, Func<string, string> resolve) => input.BaseObject switch
        {
            FileInfo file => file.FullName,
            string path when path.EndsWith(".eml", StringComparison.OrdinalIgnoreCase) && path.IndexOf('\n') < 0 => resolve(path),
            _ => null,
        };


        static string? First(PSObject input, string[] names)
        {
            foreach (var name in names)
            {
                var property = input.Properties[name];
                if (property == null || !property.IsGettable) continue;
                try
                {
                    var value = PipelineRow.AsText(property.Value);
                    if (!string.IsNullOrEmpty(value)) return value;
                }
                catch (GetValueException) { }
            }
            return null;
        }
    }
}
