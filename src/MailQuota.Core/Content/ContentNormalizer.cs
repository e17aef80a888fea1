using System.Runtime.CompilerServices;
using System;
using System.Globalization;
using System.Net;
using System.Text;

namespace MailQuota.Core.Content
{
    /// <summary>
    /// Reduces a message to the words a content filter compares, so that personalised copies of one
    /// template come out (nearly) the same: HTML to text (script and style dropped), NFKC, lower
    /// case; URLs become <c>{url:host}</c>, e-mail addresses <c>{email}</c>, numbers, amounts, dates
    /// and times <c>{num}</c>, words with digits (codes, x86, 24x) and very long tokens <c>{tok}</c>; merge placeholders stay
    /// <c>{{field}}</c>. Words are separated by one space; Chinese and Japanese characters of one run
    /// stay together (they have no spaces to split on). The body is read line by line (see
    /// <see cref="AppendBody"/>): the greeting and the name under the closing become <c>{greeting}</c>
    /// and <c>{name}</c>, a signature after "-- " is left out, and quoted text keeps its depth as a
    /// prefix of <c>&gt;</c> on each word, so a reply's quote never matches the message it quotes.
    /// </summary>
    public static class ContentNormalizer
    {
        /// <summary>Any token at least this long is a code (base64, hashes).</summary>
        const int LongTokenLength = 40;

        public static string Normalize(MessageContent content)
        {
            var body = !string.IsNullOrWhiteSpace(content.Text) ? content.Text!
                : content.Html != null ? HtmlToText(content.Html) : "";
            var writer = new Writer(content.Subject.Length + body.Length + 16);
            writer.Append(content.Subject);
            AppendBody(writer, body);
            return writer.ToString();
        }

        /// <summary>A greeting or a closing is a short line: at most this many words and characters.</summary>
        const int ShortLineWords = 5, ShortLineLength = 40;

        /// <summary>A signature block has at most this many lines after its "-- " line.</summary>
        const int MaxSignatureLines = 10;

        /// <summary>
        /// The body line by line. What a personalised copy changes around the text is set aside: the
        /// first line when it is a greeting ("Dear Anna,", "尊敬的张伟：") becomes <c>{greeting}</c>, the
        /// last line when it is a name under a closing ("Best regards,↵Anna Meyer") becomes
        /// <c>{name}</c>, and a signature block after a "-- " line is left out. Quoted lines ("&gt; ",
        /// or everything under "-----Original Message-----") are written at their depth.
        /// </summary>
        static void AppendBody(Writer writer, string body)
        {
            var lines = body.Split('\n');
            var signature = SignatureLines(lines);
            var nameLine = NameUnderClosing(lines, signature);
            var greetingSeen = false;
            var separator = -1; // the depth of an "Original Message" line: what follows it at that depth or deeper is one deeper
            for (var i = 0; i < lines.Length; i++)
            {
                if (signature[i]) continue;
                var line = lines[i];
                var depth = QuoteDepth(line, out var start);
                if (depth < separator) separator = -1;
                if (IsOriginalMessage(line, start)) { separator = depth; continue; }
                if (separator >= 0) depth++;
                writer.Depth = depth;
                if (!greetingSeen && line.Trim().Length > 0)
                {
                    greetingSeen = true;
                    if (depth == 0 && IsGreeting(line)) { writer.Token("{greeting}"); continue; }
                }
                if (i == nameLine) writer.Token("{name}");
                else writer.Append(start == 0 ? line : line.Substring(start));
            }
            writer.Depth = 0;
        }

        /// <summary>
        /// Which lines are a signature: a "-- " line and the lines after it up to a quoted line, an
        /// "Original Message" line or the end, when there are at most <see cref="MaxSignatureLines"/>.
        /// </summary>
        static bool[] SignatureLines(string[] lines)
        {
            var signature = new bool[lines.Length];
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].TrimEnd() != "--") continue;
                var end = i + 1;
                while (end < lines.Length && QuoteDepth(lines[end], out var start) == 0 && !IsOriginalMessage(lines[end], start)) end++;
                if (end - i - 1 > MaxSignatureLines) continue;
                for (var k = i; k < end; k++) signature[k] = true;
                i = end - 1;
            }
            return signature;
        }

        /// <summary>How many "&gt;" quote the line (spaces between them allowed), and where its text starts.</summary>
        static int QuoteDepth(string line, out int start)
        {
            var depth = 0;
            start = 0;
            for (var i = 0; i < line.Length && (line[i] == ' ' || line[i] == '\t' || line[i] == '>'); i++)
                if (line[i] == '>') { depth++; start = i + 1; }
            return depth;
        }

        /// <summary>"-----Original Message-----", "----- Forwarded message -----": a dashed line naming a message.</summary>
        static bool IsOriginalMessage(string line, int start)
        {
            var t = line.Substring(start).Trim();
            return t.Length > 10 && t.StartsWith("---", StringComparison.Ordinal) && t.EndsWith("---", StringComparison.Ordinal)
                && (t.IndexOf("original", StringComparison.OrdinalIgnoreCase) >= 0 || t.IndexOf("message", StringComparison.OrdinalIgnoreCase) >= 0);
        }

        /// <summary>A short first line ending in a comma, colon or exclamation mark: "Hi Anna,", "尊敬的张伟：".</summary>
        static bool IsGreeting(string line)
        {
            var t = line.Trim();
            return IsShort(t) && t.Length > 1 && ",:!，：！".IndexOf(t[t.Length - 1]) >= 0;
        }

        /// <summary>The last text line (before a signature) when it is a short name under a short closing line ending in a comma ("Kind regards,").</summary>
        static int NameUnderClosing(string[] lines, bool[] signature)
        {
            int Previous(int i)
            {
                while (i >= 0 && (signature[i] || lines[i].Trim().Length == 0)) i--;
                return i;
            }
            var name = Previous(lines.Length - 1);
            var closing = Previous(name - 1);
            if (closing < 0) return -1;
            var n = lines[name].Trim();
            var c = lines[closing].Trim();
            var isName = IsShort(n) && n.IndexOf('>') < 0 && ".?!:,;".IndexOf(n[n.Length - 1]) < 0;
            var isClosing = IsShort(c) && (c[c.Length - 1] == ',' || c[c.Length - 1] == '，');
            return isName && isClosing ? name : -1;
        }

        static bool IsShort(string trimmed)
        {
            if (trimmed.Length == 0 || trimmed.Length > ShortLineLength) return false;
            var words = 1;
            foreach (var c in trimmed) if (c == ' ') words++;
            return words <= ShortLineWords;
        }

        /// <summary>How many words (runs of letters and digits) and CJK characters a raw text has: what its shingles are made of.</summary>
        public static int CountUnits(string text)
        {
            var count = 0;
            var inWord = false;
            foreach (var c in text)
            {
                if (IsCjk(c)) { count++; inWord = false; }
                else if (IsWordChar(c)) { if (!inWord) count++; inWord = true; }
                else inWord = false;
            }
            return count;
        }

        /// <summary>The text of an HTML document: tags become spaces, script, style and comments vanish, entities are decoded.</summary>
        public static string HtmlToText(string html)
        {
            var sb = new StringBuilder(html.Length);
            var i = 0;
            while (i < html.Length)
            {
                var c = html[i];
                if (c != '<') { sb.Append(c); i++; continue; }
                if (At(html, i, "<!--"))
                {
                    var end = html.IndexOf("-->", i + 4, StringComparison.Ordinal);
                    i = end < 0 ? html.Length : end + 3;
                }
                else if (At(html, i, "<script") || At(html, i, "<style"))
                {
                    var closing = At(html, i, "<script") ? "</script" : "</style";
                    var end = html.IndexOf(closing, i + 1, StringComparison.OrdinalIgnoreCase);
                    end = end < 0 ? html.Length : html.IndexOf('>', end);
                    i = end < 0 ? html.Length : end + 1;
                }
                else
                {
                    var end = html.IndexOf('>', i + 1);
                    i = end < 0 ? html.Length : end + 1;
                }
                sb.Append(' ');
            }
            var text = sb.ToString();
            return text.IndexOf('&') >= 0 ? WebUtility.HtmlDecode(text) : text;
        }

        static bool At(string s, int i, string what) => string.Compare(s, i, what, 0, what.Length, StringComparison.OrdinalIgnoreCase) == 0;

        /// <summary>Han ideographs, hiragana, katakana and the ideographic marks: written without spaces.</summary>
        public static bool IsCjk(char c) => c >= '\u3005' && (
            (c >= '\u4E00' && c <= '\u9FFF') || (c >= '\u3040' && c <= '\u30FF') || (c >= '\u3400' && c <= '\u4DBF') ||
            (c >= '\u31F0' && c <= '\u31FF') || (c >= '\uF900' && c <= '\uFAFF') || (c >= '\u3005' && c <= '\u3007') ||
            (c >= '\uD840' && c <= '\uD87F')); // high surrogates of the supplementary ideographic planes

        /// <summary>Quotes deeper than this count as this deep.</summary>
        const int MaxDepth = 3;

        const byte Letter = 1, Digit = 2, Joiner = 4;

        /// <summary>The class of each ASCII character: most of any message, so one table lookup each.</summary>
        static readonly byte[] Ascii = AsciiClasses();

        static byte[] AsciiClasses()
        {
            var table = new byte[128];
            for (var c = 'a'; c <= 'z'; c++) table[c] = Letter;
            for (var c = 'A'; c <= 'Z'; c++) table[c] = Letter;
            for (var c = '0'; c <= '9'; c++) table[c] = Digit;
            foreach (var c in ".,-_+@/:%#=?&~") table[c] = Joiner; // they hold a URL, an address, a date or an amount together
            return table;
        }

        static bool IsWordChar(char c)
        {
            if (c < 128) return (Ascii[c] & (Letter | Digit)) != 0;
            if (char.IsLetterOrDigit(c)) return true;
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            return category == UnicodeCategory.NonSpacingMark || category == UnicodeCategory.SpacingCombiningMark;
        }

        static bool IsJoiner(char c) => c < 128 && Ascii[c] == Joiner;

        static bool IsDigit(char c) => c < 128 ? Ascii[c] == Digit : char.IsDigit(c);

        static bool IsAscii(string s)
        {
            foreach (var c in s) if (c >= 128) return false;
            return true;
        }

        sealed class Writer
        {
            readonly StringBuilder _sb;
            bool _inCjk;
            int _depth;

            /// <summary>The quote depth of what is written next: each word gets as many "&gt;" in front.</summary>
            public int Depth
            {
                set
                {
                    value = Math.Min(value, MaxDepth);
                    if (value != _depth) _inCjk = false;
                    _depth = value;
                }
            }

            public Writer(int capacity) => _sb = new StringBuilder(capacity);

            public override string ToString() => _sb.ToString();

            [MethodImpl(ContentHash.HotPath)]
            public void Append(string text)
            {
                if (text.Length == 0) return;
                if (!IsAscii(text)) text = text.Normalize(NormalizationForm.FormKC);
                var n = text.Length;
                var i = 0;
                while (i < n)
                {
                    var c = text[i];
                    if (c == '{' && i + 1 < n && text[i + 1] == '{' && Placeholder(text, i) is int next) { i = next; continue; }
                    if (IsCjk(c))
                    {
                        var length = char.IsHighSurrogate(c) && i + 1 < n && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
                        if (!_inCjk) Space();
                        _sb.Append(text, i, length);
                        _inCjk = true;
                        i += length;
                        continue;
                    }
                    if (IsWordChar(c))
                    {
                        var start = i;
                        while (i < n && !IsCjk(text[i]) && (IsWordChar(text[i]) || IsJoiner(text[i]))) i++;
                        Run(text, start, i);
                        continue;
                    }
                    i++;
                }
            }

            /// <summary>A merge placeholder <c>{{ Field }}</c>: kept as <c>{{field}}</c>. Returns where it ends, or null.</summary>
            int? Placeholder(string text, int i)
            {
                var end = text.IndexOf("}}", i + 2, StringComparison.Ordinal);
                if (end < 0 || end - i > 130) return null;
                var name = text.Substring(i + 2, end - i - 2).Trim();
                if (name.Length == 0 || name.IndexOf('{') >= 0 || name.IndexOf('}') >= 0) return null;
                Token("{{" + name.ToLowerInvariant() + "}}");
                return end + 2;
            }

            [MethodImpl(ContentHash.HotPath)]
            void Run(string s, int start, int end)
            {
                while (end > start && !IsWordChar(s[end - 1])) end--;
                if (end == start) return;
                if (StartsWith(s, start, end, "http://") || StartsWith(s, start, end, "https://") || StartsWith(s, start, end, "www."))
                {
                    Url(s, start, end);
                    return;
                }
                var at = s.IndexOf('@', start, end - start);
                if (at > start && s.IndexOf('.', at, end - at) > at + 1)
                {
                    Token("{email}");
                    return;
                }
                var lastWasNumber = false;
                var i = start;
                while (i < end)
                {
                    if (!IsWordChar(s[i])) { i++; continue; }
                    var pieceStart = i;
                    var digits = 0;
                    while (i < end && IsWordChar(s[i])) { if (IsDigit(s[i])) digits++; i++; }
                    var length = i - pieceStart;
                    if (digits == length)
                    {
                        // 2026-12-03, 1,234.50, 10:30: one number however it is punctuated
                        if (!lastWasNumber) Token("{num}");
                        lastWasNumber = true;
                        continue;
                    }
                    lastWasNumber = false;
                    if (digits > 0 || length >= LongTokenLength) Token("{tok}"); // x86, 24x, INV-20431, order ids: what a merge changes
                    else Word(s, pieceStart, i);
                }
            }

            void Url(string s, int start, int end)
            {
                var scheme = s.IndexOf("://", start, end - start, StringComparison.Ordinal);
                var host = scheme < 0 ? start : scheme + 3;
                var hostEnd = host;
                while (hostEnd < end && s[hostEnd] != '/' && s[hostEnd] != '?' && s[hostEnd] != '#' && s[hostEnd] != ':') hostEnd++;
                var at = s.IndexOf('@', host, hostEnd - host);
                if (at >= 0) host = at + 1;
                if (StartsWith(s, host, hostEnd, "www.")) host += 4;
                Space();
                _sb.Append("{url:");
                for (var k = host; k < hostEnd; k++) _sb.Append(char.ToLowerInvariant(s[k]));
                _sb.Append('}');
            }

            [MethodImpl(ContentHash.HotPath)]
            void Word(string s, int start, int end)
            {
                Space();
                for (var k = start; k < end; k++)
                {
                    var c = s[k];
                    _sb.Append(c >= 'A' && c <= 'Z' ? (char)(c | 0x20) : c < 128 ? c : char.ToLowerInvariant(c));
                }
            }

            public void Token(string token)
            {
                Space();
                _sb.Append(token);
            }

            void Space()
            {
                if (_sb.Length > 0) _sb.Append(' ');
                if (_depth > 0) _sb.Append('>', _depth);
                _inCjk = false;
            }

            /// <summary>Case-insensitive for an ASCII lower-case <paramref name="prefix"/>.</summary>
            static bool StartsWith(string s, int start, int end, string prefix)
            {
                if (end - start < prefix.Length) return false;
                for (var k = 0; k < prefix.Length; k++)
                    if ((s[start + k] | 0x20) != prefix[k] && s[start + k] != prefix[k]) return false;
                return true;
            }
        }
    }
}
