using System.Text.RegularExpressions;
using MailQuota.Core.Smtp;

namespace MailQuota.Core.Monitoring
{
    /// <summary>
    /// Tells, from a reply as the ledger stores it ("454 4.7.0 text"), whether the provider was pushing
    /// back on rate or quota: the send path's own ReplyClassifier decides, so the alert and the pacing
    /// never disagree about what a throttle is.
    /// </summary>
    public static class ThrottleReplies
    {
        static readonly Regex Stored = new Regex(@"^\s*(\d{3})[ -]?(.*)$", RegexOptions.Singleline | RegexOptions.CultureInvariant);

        public static bool IsThrottle(string? reply)
        {
            if (string.IsNullOrWhiteSpace(reply)) return false;
            var m = Stored.Match(reply);
            var parsed = m.Success ? new SmtpReply(false, int.Parse(m.Groups[1].Value), m.Groups[2].Value) : new SmtpReply(false, 0, reply!);
            var outcome = ReplyClassifier.Classify(parsed).Outcome;
            return outcome == ReplyOutcome.Throttled || outcome == ReplyOutcome.QuotaExhausted;
        }
    }
}
