using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace MailQuota.Core.Import
{
    /// <summary>
    /// What the header row means: which column holds the address, which the display name, and the
    /// property name under which every column is kept for merge fields. Headers are compared
    /// without case, spaces, hyphens, underscores, dots or a stray byte-order mark, with full-width
    /// letters folded, so " Email ", "E-mail", "EMAIL_ADDRESS" and "Ｅｍａｉｌ" are all found.
    /// A file whose first row is an address has no header: its columns are Column1, Column2…
    /// </summary>
    public sealed class RecipientColumns
    {
        /// <summary>The property that carries the checked address (what Send-ThrottledMail binds first after To).</summary>
        public const string AddressProperty = "Email";
        /// <summary>The property that carries the display name.</summary>
        public const string NameProperty = "Name";

        /// <summary>Address headers, most specific first: the first one present wins.</summary>
        public static readonly IReadOnlyList<string> AddressAliases = new[]
        {
            "Email", "E-mail", "EmailAddress", "Mail", "To", "Address", "邮箱", "电子邮箱", "邮件地址", "电子邮件", "电子邮件地址", "邮箱地址",
        };

        public static readonly IReadOnlyList<string> NameAliases = new[] { "Name", "DisplayName", "FullName", "姓名", "名字" };

        /// <summary>
        /// Property names an unrelated column may not take: ours, and To, which Send-ThrottledMail
        /// would bind before Email and so send to the wrong column.
        /// </summary>
        static readonly string[] Reserved = { AddressProperty, NameProperty, "To" };

        RecipientColumns(IReadOnlyList<string> headers, int addressIndex, int nameIndex, bool hasHeader, IReadOnlyList<ColumnProperty> properties, IReadOnlyList<string> notes)
        {
            Headers = headers;
            AddressIndex = addressIndex;
            NameIndex = nameIndex;
            HasHeader = hasHeader;
            Properties = properties;
            Notes = notes;
        }

        /// <summary>The header cells as cleaned (trimmed, byte-order mark removed), or Column1… without a header.</summary>
        public IReadOnlyList<string> Headers { get; }
        public int AddressIndex { get; }
        /// <summary>-1 when the file has no name column.</summary>
        public int NameIndex { get; }
        public bool HasHeader { get; }
        /// <summary>The columns kept as properties besides Email and Name, in file order.</summary>
        public IReadOnlyList<ColumnProperty> Properties { get; }
        /// <summary>What was renamed and why, for a warning.</summary>
        public IReadOnlyList<string> Notes { get; }

        public string AddressHeader => Headers[AddressIndex];
        public string? NameHeader => NameIndex < 0 ? null : Headers[NameIndex];

        /// <summary>
        /// Reads the first row. Throws <see cref="RecipientFileException"/> when no column holds addresses
        /// or a requested column is missing.
        /// </summary>
        public static RecipientColumns Find(IReadOnlyList<string> firstRow, string? addressColumn, string? nameColumn, string path)
        {
            var headers = TrimTrailingEmpty(firstRow.Select(RecipientAddress.Trim).ToList());
            var keys = headers.Select(Key).ToList();
            var hasHeader = true;

            int addressIndex;
            if (!string.IsNullOrWhiteSpace(addressColumn))
            {
                addressIndex = keys.IndexOf(Key(addressColumn!));
                if (addressIndex < 0) throw MissingColumn(path, "the address column", addressColumn!, headers);
            }
            else
            {
                addressIndex = FirstAlias(keys, AddressAliases);
                if (addressIndex < 0)
                {
                    addressIndex = headers.FindIndex(h => RecipientAddress.Check(h, out _, out _) != null);
                    if (addressIndex < 0) throw NoAddressColumn(path, headers);
                    hasHeader = false;
                    headers = headers.Select((_, i) => "Column" + (i + 1)).ToList();
                    keys = headers.Select(Key).ToList();
                }
            }

            int nameIndex;
            if (!string.IsNullOrWhiteSpace(nameColumn))
            {
                nameIndex = keys.IndexOf(Key(nameColumn!));
                if (nameIndex < 0) throw MissingColumn(path, "the name column", nameColumn!, headers);
            }
            else
            {
                nameIndex = hasHeader ? FirstAlias(keys, NameAliases) : -1;
            }

            var notes = new List<string>();
            var taken = new HashSet<string>(Reserved, StringComparer.OrdinalIgnoreCase);
            var properties = new List<ColumnProperty>();
            for (var i = 0; i < headers.Count; i++)
            {
                var header = headers[i];
                if (i == addressIndex && (Same(header, AddressProperty) || Same(header, "To"))) continue;
                if (i == nameIndex && Same(header, NameProperty)) continue;
                var name = header;
                if (name.Length == 0)
                {
                    name = "Column" + (i + 1);
                    notes.Add($"column {i + 1} has no header: it is kept as '{name}'");
                }
                else if (taken.Contains(name))
                {
                    name = $"{header}_{i + 1}";
                    notes.Add(Array.Exists(Reserved, r => Same(r, header))
                        ? $"column {i + 1} '{header}' is not the {(Same(header, NameProperty) ? "name" : "address")} column: it is kept as '{name}'"
                        : $"column {i + 1} repeats the header '{header}': it is kept as '{name}'");
                }
                taken.Add(name);
                properties.Add(new ColumnProperty(i, name));
            }
            return new RecipientColumns(headers, addressIndex, nameIndex, hasHeader, properties, notes);
        }

        /// <summary>The header as compared: no case, spaces, '-', '_', '.', byte-order mark; full-width folded.</summary>
        public static string Key(string header)
        {
            var b = new StringBuilder(header.Length);
            foreach (var c in header.Normalize(NormalizationForm.FormKC))
            {
                if (char.IsWhiteSpace(c) || c == '-' || c == '_' || c == '.' || c == '\uFEFF' || c == '\u200B') continue;
                b.Append(char.ToLowerInvariant(c));
            }
            return b.ToString();
        }

        static int FirstAlias(List<string> keys, IReadOnlyList<string> aliases)
        {
            foreach (var alias in aliases)
            {
                var i = keys.IndexOf(Key(alias));
                if (i >= 0) return i;
            }
            return -1;
        }

        static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

        static List<string> TrimTrailingEmpty(List<string> headers)
        {
            var n = headers.Count;
            while (n > 1 && headers[n - 1].Length == 0) n--;
            return headers.GetRange(0, n);
        }

        static RecipientFileException MissingColumn(string path, string which, string column, List<string> headers) =>
            new RecipientFileException(path, "NoSuchColumn", $"{which} '{column}' is not a column of the file (its columns: {List(headers)})");

        static RecipientFileException NoAddressColumn(string path, List<string> headers)
        {
            var hint = headers.Any(h => h.IndexOf('\0') >= 0)
                ? "; the header holds NUL characters, so the file is probably UTF-16 without a byte-order mark: read it as Unicode (or BigEndianUnicode)"
                : "; name the address column";
            return new RecipientFileException(path, "NoAddressColumn",
                $"no column holds e-mail addresses: expected a header such as {string.Join(", ", AddressAliases)} (its columns: {List(headers)}){hint}");
        }

        static string List(List<string> headers) => string.Join(", ", headers.Select(h => "'" + h.Replace("\0", "") + "'"));
    }

    /// <summary>One column kept as a property of the output row.</summary>
    public readonly struct ColumnProperty
    {
        public ColumnProperty(int index, string name) { Index = index; Name = name; }
        public int Index { get; }
        public string Name { get; }
    }
}
