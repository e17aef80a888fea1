using MailQuota.Core.Smtp;

namespace MailQuota.Core.Profiles
{
    /// <summary>
    /// Where a run sends: a profile's server, port and TLS with every value given explicitly on top
    /// (its limits go to <see cref="Quota.AccountPolicy"/>). The profile's port is kept only with the
    /// profile's security mode; another mode gets its own usual port unless one is given.
    /// </summary>
    public sealed class SendSettings
    {
        SendSettings(string? host, int port, SmtpSecurity security, SendProfile? profile)
        {
            Host = host; Port = port; Security = security; Profile = profile;
        }

        /// <summary>Null when neither the caller nor the profile names a server.</summary>
        public string? Host { get; }

        /// <summary>0 means the usual port of <see cref="Security"/>.</summary>
        public int Port { get; }
        public SmtpSecurity Security { get; }
        public SendProfile? Profile { get; }

        public static SendSettings Resolve(SendProfile? profile, string? host, int? port, SmtpSecurity? security)
        {
            var chosenHost = string.IsNullOrWhiteSpace(host) ? profile?.SmtpServer : host;
            var chosenSecurity = security ?? profile?.SecureSocketOptions ?? SmtpSecurity.Auto;
            var chosenPort = port is int p && p > 0 ? p
                : profile != null && chosenSecurity == profile.SecureSocketOptions ? profile.Port
                : 0;
            return new SendSettings(chosenHost, chosenPort, chosenSecurity, profile);
        }
    }
}
