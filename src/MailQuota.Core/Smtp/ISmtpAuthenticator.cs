using System.Threading;
using MailKit.Net.Smtp;

namespace MailQuota.Core.Smtp
{
    /// <summary>
    /// Signs a freshly connected SMTP client in (OAuth 2.0 with a token, instead of a password).
    /// <see cref="MailKitTransport"/> calls it on every new connection.
    /// </summary>
    public interface ISmtpAuthenticator
    {
        /// <summary>Signs in; throws <see cref="SignInException"/> when the server or the identity provider refuses.</summary>
        void Authenticate(SmtpClient client, CancellationToken cancellationToken);

        /// <summary>
        /// True when the open connection was signed in with a token that has run out (or is about to):
        /// the transport closes it and connects again rather than send on it.
        /// </summary>
        bool SessionExpired { get; }
    }
}
