using System;
using System.Collections.Generic;
using System.Text;
using MimeKit;

namespace MailQuota.Core.Mail
{
    /// <summary>
    /// Header text from a row goes out as the text it is. MimeKit writes ASCII text unchanged, so a
    /// cell holding an encoded-word ("=?utf-8?Q?=0D=0ABcc:...?=") would reach the recipient's client
    /// as pre-encoded header content and be decoded there. Such text is encoded here instead, whole,
    /// as UTF-8 base64 encoded-words: the client decodes it back to the literal characters.
    /// </summary>
    static class LiteralHeaderText
    {
        /// <summary>Encoded-words are at most 75 characters: "=?utf-8?B?" + 60 base64 characters + "?=" (45 bytes).</summary>
        const int BytesPerWord = 45;

        public static bool LooksEncoded(string? text) => text != null && text.IndexOf("=?", StringComparison.Ordinal) >= 0;

        /// <summary>Sets the header to the text, encoded-words folded one per line.</summary>
        public static void Set(MimeMessage message, string field, string text) =>
            Replace(message, field, " " + string.Join("\r\n ", Words(text)) + "\r\n");

        /// <summary>Sets an address header to one mailbox whose display name is the literal text.</summary>
        public static void SetMailbox(MimeMessage message, string field, string name, string address) =>
            Replace(message, field, " " + string.Join("\r\n ", Words(name)) + "\r\n <" + address + ">\r\n");

        static void Replace(MimeMessage message, string field, string raw)
        {
            var header = new Header(field, "");
            header.SetRawValue(Encoding.ASCII.GetBytes(raw));
            var index = message.Headers.IndexOf(field);
            if (index >= 0) message.Headers[index] = header;
            else message.Headers.Add(header);
        }

        static IEnumerable<string> Words(string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            for (var start = 0; start < bytes.Length;)
            {
                var end = Math.Min(start + BytesPerWord, bytes.Length);
                while (end < bytes.Length && (bytes[end] & 0xC0) == 0x80) end--;   // never split a character
                yield return "=?utf-8?B?" + Convert.ToBase64String(bytes, start, end - start) + "?=";
                start = end;
            }
        }
    }
}
