using System;

namespace MailQuota.Core.Smtp
{
    /// <summary>
    /// A credential was given but the connection is not encrypted (no TLS asked for, or the server
    /// offered no STARTTLS): logging in would send the password in clear, so the transport refuses
    /// before AUTH. Nothing was sent.
    /// </summary>
    public sealed class UnencryptedAuthenticationException : Exception
    {
        public const string ErrorId = "UnencryptedAuthentication";

        public UnencryptedAuthenticationException(string server)
            : base($"The connection to {server} is not encrypted, so logging in would send the password in clear; nothing was sent. " +
                   "Use TLS (SslOnConnect or StartTls), or allow unencrypted authentication explicitly for a relay on this host.")
        {
        }
    }
}
