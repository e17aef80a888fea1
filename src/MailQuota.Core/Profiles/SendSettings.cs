using MailQuota.Core.Quota;
using MailQuota.Core.Smtp;

namespace MailQuota.Core.Profiles
{
    /// <summary>
    /// Where and under what limits a run sends: a profile's values with every value given explicitly
    /// on top. The profile's port is kept only with the profile's security mode; another mode gets
    /// its own usual port unless one is given.
    /// </summary>
    public sealed class SendSettings
    {
        SendSettings(string? host, int port, SmtpSecurity security, QuotaPolicy given, SendProfile? profile)
        {
            Host = host; Port = port; Security = security; Given = given; Profile = profile;
        }

        /// <summary>Null when neither the caller nor the profile names a server.</summary>
        public string? Host { get; }

        /// <summary>0 means the usual port of <see cref="Security"/>.</summary>
        public int Port { get; }
        public SmtpSecurity Security { get; }

        /// <summary>The limits given explicitly, which override the profile's.</summary>
        public QuotaPolicy Given { get; }
        public SendProfile? Profile { get; }

        /// <summary>The profile's limits under the explicit ones; null without a profile (the account's remembered limits apply).</summary>
        public QuotaPolicy? ProfilePolicy => Profile?.Policy.With(Given);

        public static SendSettings Resolve(SendProfile? profile, string? host, int? port, SmtpSecurity? security, QuotaPolicy given)
        {
            var chosenHost = string.IsNullOrWhiteSpace(host) ? profile?.SmtpServer : host;
            var chosenSecurity = security ?? profile?.SecureSocketOptions ?? SmtpSecurity.Auto;
            var chosenPort = port is int p && p > 0 ? p
                : profile != null && chosenSecurity == profile.SecureSocketOptions ? profile.Port
                : 0;
            return new SendSettings(chosenHost, chosenPort, chosenSecurity, given, profile);
        }
    }
}
