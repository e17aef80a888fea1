using System;
using System.Collections.Generic;

namespace MailQuota.Core.Mail
{
    /// <summary>One input row: the recipient and every column, for merge fields.</summary>
    public sealed class MailRow
    {
        public MailRow(int number, string? address, string? name, IReadOnlyDictionary<string, string?> fields)
        {
            Number = number;
            Address = address?.Trim();
            Name = string.IsNullOrWhiteSpace(name) ? null : name!.Trim();
            Fields = fields;
        }

        /// <summary>1-based position of the row in the input.</summary>
        public int Number { get; }
        public string? Address { get; }
        public string? Name { get; }
        public IReadOnlyDictionary<string, string?> Fields { get; }

        public static IReadOnlyDictionary<string, string?> NoFields { get; } =
            new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
    }
}
