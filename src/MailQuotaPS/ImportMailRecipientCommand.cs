using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using MailQuota.Core.Import;
using MailQuota.Core.Storage.Sqlite;

namespace MailQuotaPS
{
    /// <summary>
    /// Reads recipient lists as administrators have them (GBK exports from Chinese Excel,
    /// semicolon-separated files from European locales, tab-separated dumps, headers such as
    /// 邮箱, E-mail or " Email "), checks every address, drops duplicates and suppressed addresses,
    /// and writes one object per recipient as it reads: Email, Name, then every column under its
    /// own header for merge fields. Pipe it straight into Send-ThrottledMail.
    /// </summary>
    /// <example>
    /// <code>Import-MailRecipient staff.csv | Send-ThrottledMail -From hr@contoso.com -Subject 'Hi {{Name}}' -Body '…'</code>
    /// </example>
    [Cmdlet(VerbsData.Import, "MailRecipient", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(MailRecipient))]
    public sealed class ImportMailRecipientCommand : LedgerCmdlet
    {
        const string PathSet = "Path";
        const string LiteralPathSet = "LiteralPath";

        /// <summary>Files to read; wildcards allowed.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>Files to read, taken as written (no wildcards); bound from Get-ChildItem's PSPath.</summary>
        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        public string[] LiteralPath { get; set; } = Array.Empty<string>();

        /// <summary>
        /// The files' encoding (utf8, unicode, bigendianunicode, gb18030, windows-1252, a code page
        /// number…). Without it: the byte-order mark, else UTF-8 when every byte is valid UTF-8, else
        /// GB18030 with a warning.
        /// </summary>
        [Parameter]
        [EncodingTransformation]
        public Encoding? Encoding { get; set; }

        /// <summary>The field delimiter. Without it, sniffed among comma, semicolon, tab and pipe.</summary>
        [Parameter]
        public char? Delimiter { get; set; }

        /// <summary>The column that holds the addresses, when none of the usual headers does.</summary>
        [Parameter]
        public string? AddressColumn { get; set; }

        /// <summary>The column that holds the display names, when none of the usual headers does.</summary>
        [Parameter]
        public string? NameColumn { get; set; }

        /// <summary>Suppression lists: files of addresses (one a line, or a CSV with an address column) never to import.</summary>
        [Parameter]
        public string[]? Exclude { get; set; }

        /// <summary>Also drop the addresses that bounced for good (mailbox unknown) in the ledger.</summary>
        [Parameter]
        public SwitchParameter ExcludeBounced { get; set; }

        RecipientImportOptions _options = null!;
        RecipientImport _import = null!;

        protected override void BeginProcessing()
        {
            _options = new RecipientImportOptions { Encoding = Encoding, Delimiter = Delimiter, AddressColumn = AddressColumn, NameColumn = NameColumn };
            var exclusions = new SuppressionList();
            foreach (var path in ResolveExcludePaths()) LoadSuppressionFile(exclusions, path);
            if (ExcludeBounced) LoadBounces(exclusions);
            _import = new RecipientImport(exclusions);
        }

        protected override void ProcessRecord()
        {
            var literal = ParameterSetName == LiteralPathSet;
            foreach (var given in literal ? LiteralPath : Path)
                foreach (var path in ResolvePaths(given, literal))
                    ImportFile(path);
        }

        void ImportFile(string path)
        {
            RecipientFile file;
            try { file = RecipientFile.Open(path, _options); }
            catch (RecipientFileException e)
            {
                WriteError(FileError(e));
                return;
            }
            catch (IOException e)
            {
                WriteError(FileError(new RecipientFileException(path, "FileUnreadable", e.Message.TrimEnd('.'), e)));
                return;
            }
            using (file)
            {
                ReportFormat(file);
                var layout = new RecipientLayout(file.Columns);
                var summary = new ImportSummary(path);
                try
                {
                    foreach (var row in _import.Read(file, summary, CancelToken))
                    {
                        if (row.IsValid) WriteObject(new MailRecipient(layout, row.Address!, row.Name, row.Fields));
                        else WriteError(RowError(file, row, layout));
                    }
                }
                catch (RecipientFileException e) { WriteError(FileError(e)); }
                catch (IOException e) { WriteError(FileError(new RecipientFileException(path, "FileUnreadable", $"reading stopped after line {file.LastLine}: {e.Message.TrimEnd('.')}", e))); }
                catch (OperationCanceledException) { throw new PipelineStoppedException(); }
                ReportSummary(summary);
            }
        }

        /// <summary>The refused row is the target, as the file has it (Email is the cell as written).</summary>
        static ErrorRecord RowError(RecipientFile file, ImportedRow row, RecipientLayout layout) =>
            new ErrorRecord(new InvalidDataException($"{file.Path} line {row.Line}: {row.Reason}."), row.ErrorId, ErrorCategory.InvalidData,
                new MailRecipient(layout, row.Address ?? "", row.Name, row.Fields));

        static ErrorRecord FileError(RecipientFileException e) =>
            new ErrorRecord(e, e.ErrorId, e.ErrorId == "FileNotFound" ? ErrorCategory.ObjectNotFound : e.ErrorId == "FileUnreadable" ? ErrorCategory.ReadError : ErrorCategory.InvalidData, e.Path)
            {
                ErrorDetails = e.ErrorId == "NoAddressColumn" || e.ErrorId == "NoSuchColumn"
                    ? new ErrorDetails(e.Message) { RecommendedAction = "Name the columns with -AddressColumn and -NameColumn; give -Encoding Unicode for a UTF-16 file without a byte-order mark." }
                    : null,
            };

        void ReportFormat(RecipientFile file)
        {
            var encoding = file.Encoding;
            if (encoding.Source == EncodingSource.Gb18030Fallback)
                WriteWarning($"{file.Path} is not valid UTF-8 (from line {encoding.FirstNonUtf8Line} on): it was read as GB18030, the encoding of Chinese Excel. If names look wrong, give -Encoding with the file's encoding.");
            if (encoding.ContradictingByteOrderMark != null)
                WriteWarning($"{file.Path} starts with a {encoding.ContradictingByteOrderMark} byte-order mark, but -Encoding says {encoding.Encoding.WebName}: it was read as {encoding.Encoding.WebName}.");
            foreach (var note in file.Columns.Notes) WriteWarning($"{file.Path}: {note}.");

            var columns = file.Columns;
            var delimiter = file.Delimiter == '\t' ? "tab" : $"'{file.Delimiter}'";
            var name = columns.NameHeader == null ? "no name column" : $"names from '{columns.NameHeader}'";
            var header = columns.HasHeader ? "" : ", no header row";
            WriteVerbose($"{file.Path}: encoding {encoding}, delimiter {delimiter} ({(file.DelimiterSniffed ? "sniffed" : "given")}){header}, addresses from '{columns.AddressHeader}', {name}.");
        }

        void ReportSummary(ImportSummary s)
        {
            if (s.Rows == 0)
                WriteWarning($"{s.Path} has a header but no rows{(s.EmptyRows > 0 ? " (only empty ones)" : "")}: nothing was imported from it.");
            if (s.Duplicates > 0)
                WriteWarning($"{s.Path}: {Count(s.Duplicates, "duplicate address was", "duplicate addresses were")} dropped, the first of each kept (case ignored): {Lines(s.DuplicateLines, s.Duplicates)}.");
            if (s.Corrected > 0)
                WriteWarning($"{s.Path}: {Count(s.Corrected, "address was", "addresses were")} corrected: {string.Join("; ", s.Corrections)}{(s.Corrected > s.Corrections.Count ? "; …" : "")}.");
            var empty = s.EmptyRows > 0 ? $", {Count(s.EmptyRows, "empty row", "empty rows")} skipped" : "";
            WriteVerbose($"{s.Path}: {Count(s.Rows, "row", "rows")}: {s.Imported} imported, {s.Refused} refused, {s.Duplicates} duplicate, {s.Excluded} excluded{empty}.");
        }

        void LoadSuppressionFile(SuppressionList exclusions, string path)
        {
            ImportSummary summary;
            try { summary = exclusions.AddFile(path, CancelToken); }
            catch (RecipientFileException e)
            {
                // Importing without the list would mail people who asked not to be mailed.
                ThrowTerminatingError(new ErrorRecord(new InvalidOperationException($"Cannot read the suppression list: {e.Message}", e), "Exclude" + e.ErrorId, ErrorCategory.InvalidData, path));
                return;
            }
            catch (IOException e)
            {
                ThrowTerminatingError(new ErrorRecord(new InvalidOperationException($"Cannot read the suppression list {path}: {e.Message}", e), "ExcludeFileUnreadable", ErrorCategory.ReadError, path));
                return;
            }
            if (summary.Refused > 0)
                WriteWarning($"{path}: {Count(summary.Refused, "row holds", "rows hold")} no valid address and cannot exclude anything: {Lines(summary.RefusedLines, summary.Refused)}.");
            WriteVerbose($"{path}: {Count(summary.Imported, "address", "addresses")} to exclude.");
        }

        void LoadBounces(SuppressionList exclusions)
        {
            if (!LedgerExists())
            {
                WriteWarning($"There is no ledger at {LedgerLocation.Resolve(LedgerPath)} yet: no bounces to exclude.");
                return;
            }
            using var ledger = OpenLedger();
            var added = exclusions.AddBounces(ledger);
            WriteVerbose($"{ledger.Location}: {Count(added, "address", "addresses")} bounced for good, to exclude.");
        }

        IEnumerable<string> ResolveExcludePaths()
        {
            foreach (var given in Exclude ?? Array.Empty<string>())
            {
                IReadOnlyCollection<string> resolved;
                try { resolved = SessionState.Path.GetResolvedProviderPathFromPSPath(given, out _); }
                catch (ItemNotFoundException e)
                {
                    ThrowTerminatingError(new ErrorRecord(new InvalidOperationException($"Cannot read the suppression list: {e.Message}", e), "ExcludeFileNotFound", ErrorCategory.ObjectNotFound, given));
                    yield break;
                }
                // A pattern that matches nothing must not quietly mean "exclude nobody".
                if (resolved.Count == 0)
                    ThrowTerminatingError(new ErrorRecord(new InvalidOperationException($"Cannot read the suppression list: no file matches '{given}'."), "ExcludeFileNotFound", ErrorCategory.ObjectNotFound, given));
                foreach (var path in resolved) yield return path;
            }
        }

        IEnumerable<string> ResolvePaths(string given, bool literal)
        {
            if (literal)
                return new[] { SessionState.Path.GetUnresolvedProviderPathFromPSPath(given) };
            try
            {
                var resolved = SessionState.Path.GetResolvedProviderPathFromPSPath(given, out _);
                if (resolved.Count == 0)
                    WriteError(new ErrorRecord(new ItemNotFoundException($"No file matches '{given}'."), "FileNotFound", ErrorCategory.ObjectNotFound, given));
                return resolved;
            }
            catch (ItemNotFoundException e)
            {
                WriteError(new ErrorRecord(e, "FileNotFound", ErrorCategory.ObjectNotFound, given));
                return Array.Empty<string>();
            }
        }

        static string Count(int n, string one, string many) => n == 1 ? $"1 {one}" : $"{n:N0} {many}";

        static string Lines(IReadOnlyList<int> lines, int total) =>
            (lines.Count == 1 ? "line " : "lines ") + string.Join(", ", lines.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture))) + (total > lines.Count ? ", …" : "");
    }
}
