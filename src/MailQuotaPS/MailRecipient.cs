using System;
using System.Collections.Generic;
using MailQuota.Core.Import;

namespace MailQuotaPS
{
    /// <summary>
    /// One recipient from Import-MailRecipient: the checked address (Email), the display name
    /// (Name) and every column of the file under its own header, for merge fields. PowerShell sees
    /// the columns as properties through <see cref="MailRecipientAdapter"/>, so the object pipes
    /// into Send-ThrottledMail, Export-Csv or Select-Object like any row, at a fraction of the cost
    /// of a PSObject with note properties.
    /// </summary>
    public sealed class MailRecipient
    {
        internal MailRecipient(RecipientLayout layout, string email, string? name, string?[] fields)
        {
            Layout = layout;
            Email = email;
            Name = name;
            Fields = fields;
        }

        public string Email { get; set; }
        public string? Name { get; set; }

        internal RecipientLayout Layout { get; }
        internal string?[] Fields { get; }

        internal string? Field(int index)
        {
            var field = Layout.FieldIndexes[index];
            return field < Fields.Length ? Fields[field] : null;
        }

        internal void SetField(int index, string? value)
        {
            var field = Layout.FieldIndexes[index];
            if (field < Fields.Length) Fields[field] = value;
        }

        public override string ToString() => Name == null ? Email : $"{Name} <{Email}>";
    }

    /// <summary>The property names of the rows of one file, shared by all of them.</summary>
    sealed class RecipientLayout
    {
        public const int EmailIndex = -1;
        public const int NameIndex = -2;
        readonly Dictionary<string, int> _byName = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);

        public RecipientLayout(RecipientColumns columns)
        {
            var names = new string[columns.Properties.Count];
            var indexes = new int[names.Length];
            for (var i = 0; i < names.Length; i++)
            {
                names[i] = columns.Properties[i].Name;
                indexes[i] = columns.Properties[i].Index;
                _byName[names[i]] = i;
            }
            _byName[RecipientColumns.AddressProperty] = EmailIndex;
            _byName[RecipientColumns.NameProperty] = NameIndex;
            Names = names;
            FieldIndexes = indexes;
        }

        /// <summary>The column properties in file order (Email and Name come before them).</summary>
        public string[] Names { get; }
        public int[] FieldIndexes { get; }

        /// <summary>EmailIndex, NameIndex, a column property's position, or int.MinValue when unknown.</summary>
        public int IndexOf(string name) => _byName.TryGetValue(name, out var i) ? i : int.MinValue;
    }
}
