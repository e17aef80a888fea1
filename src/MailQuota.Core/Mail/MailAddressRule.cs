using System;
using MimeKit;

namespace MailQuota.Core.Mail
{
    /// <summary>
    /// The one rule for addresses (senders, recipients, headers, imported rows) and for the account
    /// key that the ledger counts by. The cmdlets hand addresses over as text: their assembly lives in
    /// PowerShell's shared load context and must not touch MimeKit types, which load in the module's
    /// private one.
    /// </summary>
    public static class MailAddressRule
    {
        /// <summary>An address a server can deliver to: one mailbox with a local part, an @ and a domain.</summary>
        public static bool TryParse(string? text, out MailboxAddress mailbox)
        {
            mailbox = null!;
            if (string.IsNullOrWhiteSpace(text) || !MailboxAddress.TryParse(ParserOptions.Default, text, out var parsed) || !IsUsable(parsed!)) return false;
            mailbox = parsed!;
            return true;
        }

        /// <summary>As <see cref="TryParse(string?, out MailboxAddress)"/>, for callers that keep text ('IT &lt;it@contoso.com&gt;' gives 'it@contoso.com').</summary>
        public static bool TryParseAddress(string? text, out string address)
        {
            address = TryParse(text, out var mailbox) ? mailbox.Address : "";
            return address.Length > 0;
        }

        /// <summary>The mailbox; an <see cref="ArgumentException"/> naming <paramref name="what"/> when the text is not one usable address.</summary>
        public static MailboxAddress Parse(string text, string what) =>
            TryParse(text, out var mailbox) ? mailbox : throw new ArgumentException($"'{text}' is not a valid e-mail address.", what);

        /// <summary>A parsed address a server can deliver to: a local part, an @ and a domain.</summary>
        public static bool IsUsable(MailboxAddress mailbox) =>
            mailbox.Address.IndexOf('@') > 0 && !mailbox.Address.EndsWith("@", StringComparison.Ordinal);

        /// <summary>
        /// The account a run counts against: the one given, else the sender's address; trimmed and
        /// lower-cased, so 'Sales@contoso.com' and 'sales@contoso.com' are one account with one quota.
        /// </summary>
        public static string AccountKey(string? account, string fromAddress) =>
            (string.IsNullOrWhiteSpace(account) ? fromAddress : account!).Trim().ToLowerInvariant();

        public static string AccountKey(string? account, MailboxAddress from) => AccountKey(account, from.Address);
    }
}
