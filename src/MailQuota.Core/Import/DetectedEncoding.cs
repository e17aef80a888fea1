using System.Text;

namespace MailQuota.Core.Import
{
    /// <summary>How the encoding of a file was decided.</summary>
    public enum EncodingSource
    {
        /// <summary>Given by the caller (-Encoding).</summary>
        Given,
        /// <summary>The file starts with a byte-order mark.</summary>
        ByteOrderMark,
        /// <summary>No byte-order mark, and every byte sequence is valid UTF-8.</summary>
        Utf8,
        /// <summary>Not valid UTF-8: read as GB18030, the encoding of Chinese Excel exports.</summary>
        Gb18030Fallback,
    }

    /// <summary>The encoding a file is read with, and how many bytes of byte-order mark to skip.</summary>
    public sealed class DetectedEncoding
    {
        public DetectedEncoding(Encoding encoding, int preambleLength, EncodingSource source)
        {
            Encoding = encoding;
            PreambleLength = preambleLength;
            Source = source;
        }

        public Encoding Encoding { get; }
        public int PreambleLength { get; }
        public EncodingSource Source { get; }

        /// <summary>For <see cref="EncodingSource.Gb18030Fallback"/>: the line of the first byte that is not UTF-8.</summary>
        public int FirstNonUtf8Line { get; internal set; }

        /// <summary>With a given encoding: the encoding of a byte-order mark that contradicts it, else null.</summary>
        public string? ContradictingByteOrderMark { get; internal set; }

        public override string ToString() => Source switch
        {
            EncodingSource.ByteOrderMark => $"{Encoding.WebName} (byte-order mark)",
            EncodingSource.Utf8 => "utf-8 (no byte-order mark)",
            EncodingSource.Gb18030Fallback => $"gb18030 (not valid UTF-8 from line {FirstNonUtf8Line})",
            _ => $"{Encoding.WebName} (given)",
        };
    }
}
