using System.Text.RegularExpressions;

namespace MailQuota.Core.Smtp
{
    /// <summary>
    /// Replies that refuse a connection as one too many (Exchange Online's "432 4.3.2 Concurrent
    /// connections limit exceeded" and "sender thread limit exceeded", Postfix's "421 4.7.0 … Error: too
    /// many connections from …", NetEase's "421 HL:ICC"): the sender should open fewer, not merely slow down.
    /// </summary>
    public static class ConnectionLimit
    {
        static readonly Regex TooManyText = new Regex(
            @"too many (concurrent |simultaneous |smtp )?(connections|sessions)|(concurrent|simultaneous) connections|connection (count )?limit|maximum number of (concurrent )?connections|sender thread limit|HL:ICC",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        public static bool TooMany(string text) => TooManyText.IsMatch(text);

        public static bool TooMany(SmtpReply reply) => !reply.Accepted && TooMany(reply.Text);
    }
}
