using System;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using MailQuota.Core.Mail;

namespace MailQuota.Core.Campaigns
{
    /// <summary>
    /// The campaign of a run when none is given: the same account sending the same templates (subject,
    /// bodies, copies, headers, attachments) is the same campaign, so rerunning the command after a
    /// crash or a deferral sends only what is left.
    /// </summary>
    public static class CampaignKey
    {
        public static string Derive(string account, MessageTemplate template)
        {
            var parts = new[] { account.ToLowerInvariant(), template.From.Address.ToLowerInvariant() }
                .Concat(template.Headers.Select(h => h.Key))
                .Concat(template.Texts().Select(t => t.ToString()));
            using var sha = SHA256.Create();
            var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(string.Join("\u001f", parts)));
            return "auto-" + string.Concat(hash.Take(8).Select(b => b.ToString("x2")));
        }

        /// <summary>The key of a row within its campaign: the recipient address, lower-cased.</summary>
        public static string RowKey(string address) => address.ToLowerInvariant();
    }
}
