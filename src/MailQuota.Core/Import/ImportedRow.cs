namespace MailQuota.Core.Import
{
    /// <summary>
    /// A row that comes out of an import: a recipient to send to, or a row refused with the reason.
    /// Duplicates and excluded addresses do not come out; the <see cref="ImportSummary"/> counts them.
    /// </summary>
    public sealed class ImportedRow
    {
        ImportedRow(int line, string[] fields, string? address, string? name, string? errorId, string? reason)
        {
            Line = line;
            Fields = fields;
            Address = address;
            Name = name;
            ErrorId = errorId;
            Reason = reason;
        }

        internal static ImportedRow Recipient(int line, string[] fields, string address, string? name) =>
            new ImportedRow(line, fields, address, name, null, null);

        internal static ImportedRow Refused(int line, string[] fields, string? cell, string? name, string errorId, string reason) =>
            new ImportedRow(line, fields, cell, name, errorId, reason);

        public bool IsValid => ErrorId == null;

        /// <summary>The line of the file on which the row starts.</summary>
        public int Line { get; }

        /// <summary>Every field as read, by column index (<see cref="RecipientColumns.Properties"/>).</summary>
        public string[] Fields { get; }

        /// <summary>The checked address; for a refused row, the cell as written.</summary>
        public string? Address { get; }
        public string? Name { get; }

        /// <summary>For a refused row: InvalidAddress, NoAddress, HeaderInjection or ColumnCount.</summary>
        public string? ErrorId { get; }
        public string? Reason { get; }

        /// <summary>The field of a column, or null when the row is shorter than the header.</summary>
        public string? Field(int index) => index < Fields.Length ? Fields[index] : null;
    }
}
