using System;
using System.Globalization;
using System.IO;
using CsvHelper;
using CsvHelper.Configuration;

namespace MailQuota.Core.Import
{
    /// <summary>
    /// One recipient file open for reading, row by row (nothing is kept but the current row):
    /// encoding detected, delimiter sniffed, header understood. CsvHelper parses: quoted fields,
    /// doubled quotes, line breaks inside quotes, blank lines skipped.
    /// </summary>
    public sealed class RecipientFile : IDisposable
    {
        /// <summary>32K characters: the largest buffer that stays off the large-object heap.</summary>
        const int BufferSize = 1 << 15;
        /// <summary>A longer field is an unclosed quote swallowing the rest of the file, not data.</summary>
        public const int MaxFieldLength = 1 << 20;

        readonly Stream _stream;
        readonly CsvParser _parser;
        string[]? _pendingFirstRow;
        int _previousLastLine;

        RecipientFile(string path, Stream stream, DetectedEncoding encoding, CsvParser parser)
        {
            Path = path;
            _stream = stream;
            Encoding = encoding;
            _parser = parser;
        }

        public string Path { get; }
        public DetectedEncoding Encoding { get; }
        public char Delimiter { get; private set; }
        /// <summary>True when the delimiter was sniffed rather than given.</summary>
        public bool DelimiterSniffed { get; private set; }
        public RecipientColumns Columns { get; private set; } = null!;

        /// <summary>The fields of the current row (after <see cref="Read"/>).</summary>
        public string[] Fields { get; private set; } = Array.Empty<string>();

        /// <summary>The line on which the current row starts (1-based, physical lines of the file).</summary>
        public int Line { get; private set; }

        /// <summary>The line on which the current row ends: later than <see cref="Line"/> when a quoted field spans lines.</summary>
        public int LastLine { get; private set; }

        /// <summary>Opens the file and reads its header. Throws <see cref="RecipientFileException"/> when it cannot be imported.</summary>
        public static RecipientFile Open(string path, RecipientImportOptions options)
        {
            if (Directory.Exists(path)) throw new RecipientFileException(path, "FileUnreadable", "it is a folder, not a file");
            Stream stream;
            try { stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new RecipientFileException(path, e is FileNotFoundException || e is DirectoryNotFoundException ? "FileNotFound" : "FileUnreadable", e.Message.TrimEnd('.'), e);
            }
            try
            {
                // Detection reads the file once before parsing it: a pipe or a device cannot be read twice.
                if (!stream.CanSeek) throw new RecipientFileException(path, "FileUnreadable", "it is not a regular file (a pipe or a device): save it to a file first");
                var encoding = EncodingDetector.Detect(stream, options.Encoding);
                var reader = new StreamReader(stream, encoding.Encoding, false, BufferSize);
                var config = new CsvConfiguration(CultureInfo.InvariantCulture)
                {
                    BufferSize = BufferSize,
                    Delimiter = (options.Delimiter ?? ',').ToString(),
                    DetectDelimiter = options.Delimiter == null,
                    GetDelimiter = args => (DelimiterSniffer.Sniff(args.Text) ?? ',').ToString(),
                    BadDataFound = null,
                    MissingFieldFound = null,
                    IgnoreBlankLines = true,
                    MaxFieldSize = MaxFieldLength,
                    CacheFields = false,
                };
                var file = new RecipientFile(path, stream, encoding, new CsvParser(reader, config));
                file.DelimiterSniffed = options.Delimiter == null;
                file.ReadHeader(options);
                return file;
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }

        void ReadHeader(RecipientImportOptions options)
        {
            if (!ReadRecord()) throw new RecipientFileException(Path, "EmptyFile", "the file is empty");
            Delimiter = _parser.Delimiter[0];
            Columns = RecipientColumns.Find(Fields, options.AddressColumn, options.NameColumn, Path);
            if (!Columns.HasHeader) _pendingFirstRow = Fields;
        }

        /// <summary>Moves to the next row; false at the end of the file.</summary>
        public bool Read()
        {
            if (_pendingFirstRow != null)
            {
                Fields = _pendingFirstRow;
                _pendingFirstRow = null;
                return true;
            }
            return ReadRecord();
        }

        bool ReadRecord()
        {
            try
            {
                if (!_parser.Read()) return false;
            }
            catch (MaxFieldSizeException e)
            {
                throw new RecipientFileException(Path, "FieldTooLong",
                    $"from line {_previousLastLine + 1} on, one field runs longer than {MaxFieldLength:N0} characters: a quote that is never closed? The rest of the file was not read", e);
            }
            Fields = _parser.Record ?? Array.Empty<string>();
            LastLine = _parser.RawRow;
            // Blank lines before the row are skipped by the parser: count back from its last line.
            Line = LastLine - _previousLastLine == 1 ? LastLine : LastLine - LineBreaksWithin(_parser.RawRecord);
            _previousLastLine = LastLine;
            return true;
        }

        /// <summary>Line breaks inside a raw record, not counting the one that ends it.</summary>
        static int LineBreaksWithin(string raw)
        {
            var end = raw.Length;
            if (end > 0 && raw[end - 1] == '\n') end--;
            if (end > 0 && raw[end - 1] == '\r') end--;
            var breaks = 0;
            for (var i = 0; i < end; i++)
            {
                if (raw[i] == '\n') breaks++;
                else if (raw[i] == '\r' && (i + 1 >= end || raw[i + 1] != '\n')) breaks++;
            }
            return breaks;
        }

        public void Dispose()
        {
            _parser.Dispose();
            _stream.Dispose();
        }
    }
}
