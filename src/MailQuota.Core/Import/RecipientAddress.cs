using System;
using System.Globalization;
using System.Text;
using MailQuota.Core.Mail;
using MimeKit;

namespace MailQuota.Core.Import
{
    /// <summary>
    /// One address cell checked the way the mail will see it: MimeKit's parser, then the domain as
    /// DNS needs it (international names are valid: they are checked through their ASCII form).
    /// Obvious slips are corrected and said so: surrounding spaces, a mailto: prefix, full-width
    /// characters from a Chinese input method (＠ ． 。).
    /// </summary>
    public sealed class RecipientAddress
    {
        RecipientAddress(string address, string? name, ulong fingerprint, bool corrected)
        {
            Address = address;
            Name = name;
            Fingerprint = fingerprint;
            Corrected = corrected;
        }

        /// <summary>The address as it will be sent to (the domain as written, not punycode).</summary>
        public string Address { get; }

        /// <summary>A display name written in the cell itself ("Zhang Wei &lt;zw@example.com&gt;").</summary>
        public string? Name { get; }

        /// <summary>Identifies the mailbox: equal for addresses that differ only in case or in the form of the domain.</summary>
        public ulong Fingerprint { get; }

        /// <summary>True when the cell needed more than trimming to become the address.</summary>
        public bool Corrected { get; }

        /// <summary>Checks a cell. On failure returns null with a stable error id and a reason for people.</summary>
        public static RecipientAddress? Check(string? cell, out string errorId, out string reason)
        {
            errorId = reason = "";
            var written = Trim(cell);
            if (written.Length == 0)
            {
                errorId = "NoAddress";
                reason = "the address is empty";
                return null;
            }
            if (written.IndexOf('\r') >= 0 || written.IndexOf('\n') >= 0)
            {
                errorId = "HeaderInjection";
                reason = "the address contains a line break";
                return null;
            }
            var text = written;
            var corrected = false;
            if (text.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
            {
                text = Trim(text.Substring("mailto:".Length));
                corrected = true;
            }
            if (HasFullWidth(text))
            {
                text = FoldFullWidth(text);
                corrected = true;
            }

            if (!MailAddressRule.TryParse(text, out var mailbox))
                return Refuse(written, WhyNotParsed(text), out errorId, out reason);
            var asciiDomain = AsciiDomain(mailbox.Domain, out var why);
            if (asciiDomain == null)
                return Refuse(written, why!, out errorId, out reason);
            var address = mailbox.Address;
            var name = mailbox.Name?.Trim();
            return new RecipientAddress(address, string.IsNullOrEmpty(name) ? null : name, FingerprintOf(address, address.LastIndexOf('@'), asciiDomain), corrected);
        }

        static RecipientAddress? Refuse(string written, string why, out string errorId, out string reason)
        {
            errorId = "InvalidAddress";
            reason = $"'{written}' is not a valid e-mail address: {why}";
            return null;
        }

        /// <summary>
        /// FNV-1a over the lower-cased address, then a 64-bit finaliser: 8 bytes per address seen, so
        /// a million addresses take a few megabytes. Two distinct addresses among a million collide
        /// with a probability near 3·10⁻⁸.
        /// </summary>
        static ulong FingerprintOf(string address, int at, string asciiDomain)
        {
            var h = 14695981039346656037UL;
            for (var i = 0; i < at; i++) h = (h ^ char.ToLowerInvariant(address[i])) * 1099511628211UL;
            h = (h ^ '@') * 1099511628211UL;
            foreach (var ch in asciiDomain) h = (h ^ char.ToLowerInvariant(ch)) * 1099511628211UL;
            h ^= h >> 33; h *= 0xff51afd7ed558ccdUL;
            h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53UL;
            h ^= h >> 33;
            return h;
        }

        /// <summary>The domain in ASCII (punycode for international names), or null with the reason.</summary>
        static string? AsciiDomain(string domain, out string? why)
        {
            why = null;
            if (domain.StartsWith("[", StringComparison.Ordinal)) return domain; // an address literal, [192.0.2.1]
            var ascii = domain;
            if (!IsAscii(domain))
            {
                try { ascii = new IdnMapping { UseStd3AsciiRules = true }.GetAscii(domain); }
                catch (ArgumentException)
                {
                    why = $"the domain '{domain}' is not a valid international domain name";
                    return null;
                }
            }
            if (ascii.IndexOf('.') < 0)
            {
                why = $"the domain '{domain}' has no dot (a missing '.com'?)";
                return null;
            }
            if (ascii.Length > 253)
            {
                why = $"the domain '{domain}' is longer than 253 characters";
                return null;
            }
            var start = 0;
            while (true)
            {
                var end = ascii.IndexOf('.', start);
                var length = (end < 0 ? ascii.Length : end) - start;
                if (length == 0 || length > 63 || ascii[start] == '-' || ascii[start + length - 1] == '-' || !IsLdh(ascii, start, length))
                {
                    why = $"the domain '{domain}' is not a valid host name ('{ascii.Substring(start, length)}')";
                    return null;
                }
                if (end < 0) break;
                start = end + 1;
            }
            if (IsDigits(ascii, start))
            {
                why = $"the domain '{domain}' ends in a number (an IP address needs brackets: [192.0.2.1])";
                return null;
            }
            return ascii;
        }

        /// <summary>The most likely reason a cell is not an address, in words; MimeKit's own otherwise.</summary>
        static string WhyNotParsed(string text)
        {
            var ats = 0;
            foreach (var ch in text) if (ch == '@') ats++;
            if (ats == 0) return "it has no @";
            if (ats > 1 && (text.IndexOf(',') >= 0 || text.IndexOf(';') >= 0 || text.IndexOf(' ') >= 0)) return "it holds more than one address";
            if (text.StartsWith("@", StringComparison.Ordinal)) return "nothing comes before the @";
            if (text.EndsWith("@", StringComparison.Ordinal)) return "nothing comes after the @";
            if (ats > 1) return "it has more than one @";
            if (text.IndexOf(' ') >= 0) return "it contains a space";
            try
            {
                MailboxAddress.Parse(ParserOptions.Default, text);
            }
            catch (ParseException e)
            {
                return "MimeKit cannot parse it (" + e.Message + ")";
            }
            return "it is not a single mailbox";
        }

        /// <summary>Trims white space, including no-break and zero-width spaces and stray byte-order marks.</summary>
        internal static string Trim(string? s)
        {
            if (string.IsNullOrEmpty(s)) return "";
            int start = 0, end = s!.Length - 1;
            while (start <= end && IsSpace(s[start])) start++;
            while (end >= start && IsSpace(s[end])) end--;
            return start == 0 && end == s.Length - 1 ? s : s.Substring(start, end - start + 1);
        }

        static bool IsSpace(char c) => char.IsWhiteSpace(c) || c == '\u200B' || c == '\uFEFF';

        static bool HasFullWidth(string s)
        {
            foreach (var ch in s)
                if ((ch >= '\uFF01' && ch <= '\uFF5E') || ch == '\u3002') return true;
            return false;
        }

        /// <summary>Full-width ASCII (U+FF01–FF5E) to ASCII, and the ideographic full stop to '.'.</summary>
        static string FoldFullWidth(string s)
        {
            var b = new StringBuilder(s.Length);
            foreach (var ch in s)
                b.Append(ch >= '\uFF01' && ch <= '\uFF5E' ? (char)(ch - 0xFEE0) : ch == '\u3002' ? '.' : ch);
            return b.ToString();
        }

        static bool IsAscii(string s)
        {
            foreach (var ch in s) if (ch > 0x7F) return false;
            return true;
        }

        static bool IsLdh(string s, int start, int length)
        {
            for (var i = start; i < start + length; i++)
            {
                var ch = s[i];
                if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-')) return false;
            }
            return true;
        }

        /// <summary>True when s from start to its end is all digits.</summary>
        static bool IsDigits(string s, int start)
        {
            for (var i = start; i < s.Length; i++)
                if (s[i] < '0' || s[i] > '9') return false;
            return true;
        }
    }
}
