using System;
using MimeKit;

namespace MailQuota.Core.Mail
{
    /// <summary>
    /// The one rule for addresses (senders, recipients, headers, imported rows) and for the account
    /// key that the ledger counts by.
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

        /// <summary>A parsed address a server can deliver to: a local part, an @ and a domain.</summary>
        public static bool IsUsable(MailboxAddress mailbox) =>
            mailbox.Address.IndexOf('@') > 0 && !mailbox.Address.EndsWith("@", StringComparison.Ordinal);

        /// <summary>The account a run counts against: the one given, else the sender's address, lower-cased.</summary>
        public static string AccountKey(string? account, MailboxAddress from) =>
            string.IsNullOrWhiteSpace(account) ? from.Address.ToLowerInvariant() : account!;
    }
}
