using System;
using System.Linq;

namespace MailQuota.Core.Monitoring
{
    /// <summary>
    /// Tells a provider pushing back (rate, quota or frequency limits) from other refusals. Every 4xx
    /// reply defers the message; among 5xx replies the provider's own text or enhanced code says it
    /// (PROVIDERS.md: Alibaba sends "too frequently sending" as 554, Exchange and Gmail send daily
    /// quotas as 5xx).
    /// </summary>
    public static class ThrottleReplies
    {
        static readonly string[] ProviderTexts =
        {
            "too frequently sending", "ANTISPAM_BAT", "currently unexpected sending", "SubmissionQuotaExceeded",
            "sender thread limit", "5.4.5", "4.3.2", "Throttling failure", "sending quota", "frequency limited", "MI:SFQ", "RP:QRC",
        };

        public static bool IsThrottle(string? reply)
        {
            if (string.IsNullOrWhiteSpace(reply)) return false;
            var text = reply!.TrimStart();
            if (text.Length >= 3 && text[0] == '4' && char.IsDigit(text[1]) && char.IsDigit(text[2])) return true;
            return ProviderTexts.Any(t => text.IndexOf(t, StringComparison.OrdinalIgnoreCase) >= 0);
        }
    }
}
