using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using MailQuota.Core.Mail;

namespace MailQuotaPS
{
    /// <summary>
    /// Turns a pipeline object into a <see cref="MailRow"/>: every property (or hashtable key) as a
    /// merge field, the recipient from To/Email/EmailAddress/Mail/Address and the name from
    /// Name/DisplayName, a plain string as the address.
    /// </summary>
    static class PipelineRow
    {
        static readonly string[] AddressColumns = { "To", "Email", "EmailAddress", "Mail", "Address" };
        static readonly string[] NameColumns = { "Name", "DisplayName" };

        /// <param name="input">The pipeline object (any object, a hashtable, or an address string).</param>
        /// <param name="number">The row's 1-based position in the input.</param>
        /// <param name="to">The address bound from the row by parameter binding, if any.</param>
        /// <param name="name">The name bound likewise.</param>
        public static MailRow Read(PSObject? input, int number, string? to = null, string? name = null)
        {
            var fields = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            var address = to;
            var baseObject = input?.BaseObject;
            if (baseObject is IDictionary dictionary)
            {
                foreach (DictionaryEntry entry in dictionary)
                    fields[entry.Key?.ToString() ?? ""] = AsText(entry.Value);
            }
            else if (baseObject is string text && !(input!.Properties["To"] is { }))
            {
                address ??= text;
            }
            else if (input != null)
            {
                foreach (var property in input.Properties)
                {
                    if (!property.IsGettable) continue;
                    try { fields[property.Name] = AsText(property.Value); }
                    catch (GetValueException) { }
                }
            }
            address ??= First(fields, AddressColumns);
            name ??= First(fields, NameColumns);
            if (address != null) fields["To"] = address;
            if (name != null && !fields.ContainsKey("Name")) fields["Name"] = name;
            return new MailRow(number, address, name, fields);
        }

        static string? First(Dictionary<string, string?> fields, string[] keys)
        {
            foreach (var key in keys)
                if (fields.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value)) return value;
            return null;
        }

        internal static string? AsText(object? value) => value == null ? null : LanguagePrimitives.ConvertTo<string>(value);
    }
}
