using System;
using System.Net;

namespace MailQuota.Core.Smtp
{
    /// <summary>How the connection is secured; mirrors MailKit's SecureSocketOptions that matter.</summary>
    public enum SmtpSecurity { Auto, SslOnConnect, StartTls, None }

    public sealed class SmtpSettings
    {
        public SmtpSettings(string host, int port, SmtpSecurity security, NetworkCredential? credential)
        {
            if (string.IsNullOrWhiteSpace(host)) throw new ArgumentException("an SMTP server is required", nameof(host));
            Host = host;
            Port = port > 0 ? port : DefaultPort(security);
            Security = security;
            Credential = credential;
        }

        public string Host { get; }
        public int Port { get; }
        public SmtpSecurity Security { get; }
        public NetworkCredential? Credential { get; }
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

        /// <summary>Log in even when the connection is not encrypted (a relay on this host); off by default.</summary>
        public bool AllowUnencryptedAuthentication { get; set; }

        public static int DefaultPort(SmtpSecurity security) =>
            security == SmtpSecurity.SslOnConnect ? 465 : security == SmtpSecurity.StartTls ? 587 : 25;

        /// <summary>Never includes the credential.</summary>
        public override string ToString() => $"{Host}:{Port} ({Security})";
    }
}
