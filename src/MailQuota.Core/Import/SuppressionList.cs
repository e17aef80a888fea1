using System.Collections.Generic;
using System.Threading;

namespace MailQuota.Core.Import
{
    /// <summary>
    /// Addresses never to import: read from suppression files (a plain list of addresses, or any
    /// recipient file: its address column is found as for an import) and from the ledger's hard
    /// bounces. Kept as fingerprints, so case and the form of the domain do not matter.
    /// </summary>
    public sealed class SuppressionList
    {
        readonly HashSet<ulong> _fingerprints = new HashSet<ulong>();

        public int Count => _fingerprints.Count;

        public bool Contains(ulong fingerprint) => _fingerprints.Contains(fingerprint);

        /// <summary>
        /// Adds every address of the file. Rows that hold no address are counted in the summary
        /// (Refused, with their first lines), not fatal: they cannot match a valid recipient anyway. Throws <see cref="RecipientFileException"/> when the file
        /// cannot be read, since importing without it would mail people who asked not to be.
        /// </summary>
        public ImportSummary AddFile(string path, CancellationToken cancellationToken)
        {
            var summary = new ImportSummary(path);
            using (var file = RecipientFile.Open(path, new RecipientImportOptions()))
            {
                var index = file.Columns.AddressIndex;
                while (file.Read())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var cell = index < file.Fields.Length ? file.Fields[index] : null;
                    if (RecipientAddress.Trim(cell).Length == 0) continue;
                    summary.Rows++;
                    var address = RecipientAddress.Check(cell, out _, out _);
                    if (address == null)
                    {
                        summary.AddRefused(file.Line);
                        continue;
                    }
                    if (_fingerprints.Add(address.Fingerprint)) summary.Imported++;
                }
            }
            return summary;
        }

        /// <summary>Adds the recipients the ledger saw bounce for good; returns how many.</summary>
        public int AddBounces(IBounceSource source)
        {
            var added = 0;
            foreach (var recipient in source.HardBouncedRecipients())
            {
                var address = RecipientAddress.Check(recipient, out _, out _);
                if (address != null && _fingerprints.Add(address.Fingerprint)) added++;
            }
            return added;
        }
    }
}
