using System;
using System.Globalization;
using System.Text;

namespace MailQuota.Core.Import
{
    /// <summary>
    /// Encodings by the names administrators give them. On .NET (Core) the code-page encodings,
    /// GB18030 among them, exist only once CodePagesEncodingProvider is registered: every lookup
    /// here goes through this class, whose static constructor registers it.
    /// </summary>
    public static class TextEncodings
    {
        static TextEncodings() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

        /// <summary>GB18030, the superset of GBK that Chinese Windows and Excel write.</summary>
        public static Encoding Gb18030 => Encoding.GetEncoding(54936);

        /// <summary>
        /// Resolves PowerShell's names (utf8, utf8BOM, utf8NoBOM, unicode, bigendianunicode, utf32,
        /// bigendianutf32, ascii), any name .NET knows (gb18030, gbk, windows-1252, shift_jis…) or a
        /// code page number. Throws ArgumentException naming the value when none matches.
        /// </summary>
        public static Encoding Resolve(string name)
        {
            var key = (name ?? "").Trim();
            switch (key.ToLowerInvariant())
            {
                case "utf8":
                case "utf8bom":
                case "utf8nobom":
                    return new UTF8Encoding(false);
                case "unicode": return Encoding.Unicode;
                case "bigendianunicode": return Encoding.BigEndianUnicode;
                case "utf32": return Encoding.UTF32;
                case "bigendianutf32": return new UTF32Encoding(true, true);
                case "ascii": return Encoding.ASCII;
            }
            try
            {
                return int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var codePage)
                    ? Encoding.GetEncoding(codePage)
                    : Encoding.GetEncoding(key);
            }
            catch (Exception e) when (e is ArgumentException || e is NotSupportedException)
            {
                throw new ArgumentException($"'{name}' is not an encoding name or code page this system knows (examples: utf8, unicode, bigendianunicode, gb18030, windows-1252, 936).", e);
            }
        }
    }
}
