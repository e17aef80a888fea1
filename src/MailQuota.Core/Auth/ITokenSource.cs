using System.Threading;

namespace MailQuota.Core.Auth
{
    /// <summary>Gets access tokens for SMTP from an identity provider (Microsoft Entra ID, Google).</summary>
    public interface ITokenSource
    {
        /// <summary>How it signs in, for the log: identifiers and thumbprints, never a secret.</summary>
        string Description { get; }

        /// <summary>
        /// A token for the SMTP scope. <paramref name="renew"/> asks the identity provider for a new one
        /// past any cache (the one held has run out, or the server refused it). Throws
        /// <see cref="Smtp.SignInException"/> when the provider refuses.
        /// </summary>
        AccessToken GetToken(bool renew, CancellationToken cancellationToken);
    }
}
