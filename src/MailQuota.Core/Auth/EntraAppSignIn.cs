using System;
using System.Net;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using Microsoft.Identity.Client;

namespace MailQuota.Core.Auth
{
    /// <summary>
    /// App-only sign-in to Exchange Online (scheduled tasks, no user): the OAuth 2.0 client
    /// credentials flow with a certificate or a client secret, through MSAL.
    /// </summary>
    public sealed class EntraAppSignIn : ITokenSource
    {
        static readonly string[] Scopes = { EntraApp.AppOnlyScope };
        readonly EntraApp _entra;
        readonly IConfidentialClientApplication _app;
        readonly string _credential;

        EntraAppSignIn(EntraApp entra, Func<ConfidentialClientApplicationBuilder, ConfidentialClientApplicationBuilder> credential, string describe)
        {
            _entra = entra;
            _credential = describe;
            var builder = ConfidentialClientApplicationBuilder.Create(entra.ClientId)
                .WithAuthority(entra.Authority)
                .WithInstanceDiscovery(entra.InstanceDiscovery);
            if (entra.HttpClientFactory != null) builder = builder.WithHttpClientFactory(entra.HttpClientFactory);
            _app = credential(builder).Build();
        }

        public static EntraAppSignIn WithCertificate(EntraApp entra, X509Certificate2 certificate) =>
            new EntraAppSignIn(entra, b => b.WithCertificate(certificate, true), "certificate " + certificate.Thumbprint);

        public static EntraAppSignIn WithSecret(EntraApp entra, SecureString secret)
        {
            var plain = new NetworkCredential("", secret).Password;
            if (string.IsNullOrEmpty(plain)) throw new ArgumentException("the client secret is empty", nameof(secret));
            return new EntraAppSignIn(entra, b => b.WithClientSecret(plain), "client secret");
        }

        /// <summary>MSAL's cache of app tokens, to keep them between runs (<see cref="TokenCacheFile"/>).</summary>
        public ITokenCache Cache => _app.AppTokenCache;

        public string Description => $"Microsoft Entra ID {_entra}, app-only with a {_credential}";

        public AccessToken GetToken(bool renew, CancellationToken cancellationToken)
        {
            var result = EntraErrors.Run(() => _app.AcquireTokenForClient(Scopes).WithForceRefresh(renew).ExecuteAsync(cancellationToken), _entra);
            return new AccessToken(result.AccessToken, result.ExpiresOn - DateTimeOffset.UtcNow);
        }
    }
}
