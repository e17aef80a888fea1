using System.Collections.Generic;
using System.Threading;

namespace MailQuota.Core.Import
{
    /// <summary>
    /// One import run over one or more files: each row is checked, corrected where the slip is
    /// obvious, dropped when its address is excluded or came earlier (in any file of the run, case
    /// ignored), and handed on as it is read.
    /// </summary>
    public sealed class RecipientImport
    {
        readonly SuppressionList _exclusions;
        readonly HashSet<ulong> _seen = new HashSet<ulong>();

        public RecipientImport(SuppressionList exclusions) => _exclusions = exclusions;

        /// <summary>The rows of the file to send to or to report, in file order; the summary counts the rest.</summary>
        public IEnumerable<ImportedRow> Read(RecipientFile file, ImportSummary summary, CancellationToken cancellationToken)
        {
            var columns = file.Columns;
            var width = columns.Headers.Count;
            while (file.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var fields = file.Fields;
                if (AllEmpty(fields))
                {
                    summary.EmptyRows++;
                    continue;
                }
                summary.Rows++;
                var cell = columns.AddressIndex < fields.Length ? fields[columns.AddressIndex] : null;
                var nameCell = columns.NameIndex >= 0 && columns.NameIndex < fields.Length ? RecipientAddress.Trim(fields[columns.NameIndex]) : "";

                var extra = ExtraFields(fields, width);
                if (extra > 0)
                {
                    summary.AddRefused(file.Line);
                    yield return ImportedRow.Refused(file.Line, fields, cell, nameCell, "ColumnCount",
                        $"it has {width + extra} fields but the header has {width} (a '{Printable(file.Delimiter)}' inside a value that is not quoted?)");
                    continue;
                }
                var address = RecipientAddress.Check(cell, out var errorId, out var reason);
                if (address == null)
                {
                    if (errorId == "NoAddress") reason = $"the address column '{columns.AddressHeader}' is empty";
                    summary.AddRefused(file.Line);
                    yield return ImportedRow.Refused(file.Line, fields, cell, nameCell, errorId, reason);
                    continue;
                }
                if (nameCell.IndexOf('\n') >= 0 || nameCell.IndexOf('\r') >= 0)
                {
                    summary.AddRefused(file.Line);
                    yield return ImportedRow.Refused(file.Line, fields, cell, nameCell, "HeaderInjection", $"the name in column '{columns.NameHeader}' contains a line break");
                    continue;
                }
                if (_exclusions.Contains(address.Fingerprint))
                {
                    summary.Excluded++;
                    continue;
                }
                if (!_seen.Add(address.Fingerprint))
                {
                    summary.AddDuplicate(file.Line);
                    continue;
                }
                if (address.Corrected) summary.AddCorrection(file.Line, cell, address.Address);
                summary.Imported++;
                yield return ImportedRow.Recipient(file.Line, fields, address.Address, nameCell.Length > 0 ? nameCell : address.Name);
            }
        }

        static bool AllEmpty(string[] fields)
        {
            foreach (var f in fields)
                if (RecipientAddress.Trim(f).Length > 0) return false;
            return true;
        }

        /// <summary>Non-empty fields beyond the header's columns (trailing empty ones are harmless).</summary>
        static int ExtraFields(string[] fields, int width)
        {
            var last = fields.Length - 1;
            while (last >= width && RecipientAddress.Trim(fields[last]).Length == 0) last--;
            return last >= width ? last - width + 1 : 0;
        }

        static string Printable(char delimiter) => delimiter == '\t' ? "tab" : delimiter.ToString();
    }
}
