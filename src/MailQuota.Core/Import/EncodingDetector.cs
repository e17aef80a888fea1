using System;
using System.IO;
using System.Text;

namespace MailQuota.Core.Import
{
    /// <summary>
    /// Decides how to decode a file: a byte-order mark wins; without one, a file whose every byte
    /// sequence is valid UTF-8 is UTF-8 (the whole file is checked, in one pass over the bytes, so a
    /// Chinese name on the last line still counts); anything else is read as GB18030, which is what
    /// Chinese Excel writes as "CSV". A given encoding overrides all of this.
    /// </summary>
    public static class EncodingDetector
    {
        /// <summary>Small enough that no buffer lands on the large-object heap (each one there costs a full collection).</summary>
        const int ChunkSize = 1 << 15;

        /// <summary>Detects the encoding and leaves the stream positioned after the byte-order mark.</summary>
        public static DetectedEncoding Detect(Stream stream, Encoding? given)
        {
            stream.Position = 0;
            var head = new byte[4];
            var headLength = ReadUpTo(stream, head);
            var bom = ByteOrderMark(head, headLength, out var bomLength);

            DetectedEncoding detected;
            if (given != null)
            {
                var sameAsBom = bom != null && bom.CodePage == given.CodePage;
                detected = new DetectedEncoding(given, sameAsBom ? bomLength : 0, EncodingSource.Given);
                if (bom != null && !sameAsBom) detected.ContradictingByteOrderMark = bom.WebName;
            }
            else if (bom != null)
            {
                detected = new DetectedEncoding(bom, bomLength, EncodingSource.ByteOrderMark);
            }
            else
            {
                var invalidAt = FirstInvalidUtf8Offset(stream);
                detected = invalidAt < 0
                    ? new DetectedEncoding(new UTF8Encoding(false), 0, EncodingSource.Utf8)
                    : new DetectedEncoding(TextEncodings.Gb18030, 0, EncodingSource.Gb18030Fallback) { FirstNonUtf8Line = LineOf(stream, invalidAt) };
            }
            stream.Position = detected.PreambleLength;
            return detected;
        }

        static Encoding? ByteOrderMark(byte[] b, int n, out int length)
        {
            length = 0;
            if (n >= 4 && b[0] == 0xFF && b[1] == 0xFE && b[2] == 0 && b[3] == 0) { length = 4; return new UTF32Encoding(false, true); }
            if (n >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0xFE && b[3] == 0xFF) { length = 4; return new UTF32Encoding(true, true); }
            if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) { length = 3; return new UTF8Encoding(false); }
            if (n >= 2 && b[0] == 0xFF && b[1] == 0xFE) { length = 2; return new UnicodeEncoding(false, true); }
            if (n >= 2 && b[0] == 0xFE && b[1] == 0xFF) { length = 2; return new UnicodeEncoding(true, true); }
            return null;
        }

        /// <summary>The offset of the first byte that is not part of valid UTF-8, or -1 when all are.</summary>
        static long FirstInvalidUtf8Offset(Stream stream)
        {
            stream.Position = 0;
            var decoder = new UTF8Encoding(false, true).GetDecoder();
            var bytes = new byte[ChunkSize];
            var chars = new char[ChunkSize + 4];
            long offset = 0;
            while (true)
            {
                var n = stream.Read(bytes, 0, bytes.Length);
                try
                {
                    decoder.GetChars(bytes, 0, n, chars, 0, flush: n == 0);
                }
                catch (DecoderFallbackException e)
                {
                    return Math.Max(0, offset + e.Index);
                }
                if (n == 0) return -1;
                offset += n;
            }
        }

        static int LineOf(Stream stream, long offset)
        {
            stream.Position = 0;
            var bytes = new byte[ChunkSize];
            var line = 1;
            long seen = 0;
            while (seen < offset)
            {
                var n = stream.Read(bytes, 0, (int)Math.Min(bytes.Length, offset - seen));
                if (n == 0) break;
                for (var i = 0; i < n; i++)
                    if (bytes[i] == (byte)'\n') line++;
                seen += n;
            }
            return line;
        }

        static int ReadUpTo(Stream stream, byte[] buffer)
        {
            var total = 0;
            while (total < buffer.Length)
            {
                var n = stream.Read(buffer, total, buffer.Length - total);
                if (n == 0) break;
                total += n;
            }
            return total;
        }
    }
}
