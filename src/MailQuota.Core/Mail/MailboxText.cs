using System;
using MimeKit;

namespace MailQuota.Core.Mail
{
    /// <summary>
    /// One mailbox given as text ('IT Notices &lt;notices@contoso.com&gt;' or a bare address), as the
    /// cmdlets receive -From and -UndisclosedTo. The cmdlets hand addresses to the core as text:
    /// their assembly lives in PowerShell's shared load context and must not touch MimeKit types,
    /// which load in the module's private one.
    /// </summary>
    public static class MailboxText
    {
        /// <summary>True when <paramref name="text"/> is one mailbox with a local part and a domain; <paramref name="address"/> is its bare address.</summary>
        public static bool TryParse(string? text, out string address)
        {
            address = "";
            if (text == null || !MailboxAddress.TryParse(text, out var mailbox) || mailbox.Address.IndexOf('@') <= 0) return false;
            address = mailbox.Address;
            return true;
        }

        /// <summary>Throws <see cref="ArgumentException"/> when the text is not one mailbox with an address.</summary>
        internal static MailboxAddress Parse(string text, string parameter)
        {
            if (!MailboxAddress.TryParse(text, out var mailbox) || mailbox.Address.IndexOf('@') <= 0)
                throw new ArgumentException($"'{text}' is not a valid e-mail address.", parameter);
            return mailbox;
        }
    }
}
