using System;
using System.Text.RegularExpressions;

namespace MailQuota.Core.Smtp
{
    /// <summary>
    /// Tells a hard bounce (the mailbox does not exist) from every other refusal, so that only dead
    /// addresses are suppressed. The enhanced status code decides when there is one: 5.1.x about the
    /// destination (5.1.0–5.1.6, 5.1.10) is a hard bounce; 5.1.7 and 5.1.8 are about the sender, and
    /// 5.2.x, 5.4.x, 5.7.x (full mailbox, quota, policy, spam) are not. Without one, a 550, 551 or 553
    /// reply counts only when its text says the user or mailbox is unknown: the same 550 also carries
    /// quota and content refusals (Gmail's "550 5.4.5 Daily user sending limit exceeded", Tencent's
    /// "550 Mail content denied").
    /// </summary>
    public static class HardBounce
    {
        static readonly Regex ReplyCode = new Regex(@"^\s*(\d{3})\b", RegexOptions.CultureInvariant);
        static readonly Regex EnhancedCode = new Regex(@"\b([245])\.(\d{1,3})\.(\d{1,3})\b", RegexOptions.CultureInvariant);

        static readonly string[] UnknownMailbox =
        {
            "user unknown", "unknown user", "no such user", "user not found", "no such mailbox", "mailbox not found",
            "no such recipient", "unknown recipient", "recipient not found", "recipientnotfound", "invalid recipient",
            "invalid mailbox", "not a valid mailbox", "does not exist", "doesn't exist",
        };

        /// <summary>True when the reply (as the ledger stores it: "550 5.1.1 User unknown") is a hard bounce.</summary>
        public static bool IsHardBounce(string? reply)
        {
            if (string.IsNullOrWhiteSpace(reply)) return false;
            var code = ReplyCode.Match(reply);
            if (!code.Success || code.Groups[1].Value[0] != '5') return false;
            var enhanced = EnhancedCode.Match(reply);
            if (enhanced.Success)
            {
                if (enhanced.Groups[1].Value != "5" || enhanced.Groups[2].Value != "1") return false;
                var detail = int.Parse(enhanced.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
                return detail <= 6 || detail == 10;
            }
            var c = code.Groups[1].Value;
            if (c != "550" && c != "551" && c != "553") return false;
            foreach (var phrase in UnknownMailbox)
                if (reply!.IndexOf(phrase, StringComparison.OrdinalIgnoreCase) >= 0) return true;
            return false;
        }
    }
}
