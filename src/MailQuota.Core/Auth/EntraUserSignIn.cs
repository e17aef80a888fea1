using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailQuota.Core.Smtp;
using Microsoft.Identity.Client;

namespace MailQuota.Core.Auth
{
    /// <summary>
    /// A user of Microsoft Entra ID signs in once with a device code (a code typed at
    /// https://microsoft.com/devicelogin on any device, so it works over SSH and in any pwsh); the
    /// sign-in is renewed silently from the token cache afterwards, in this run and the next.
    /// </summary>
    public sealed class EntraUserSignIn : ITokenSource
    {
        static readonly string[] Scopes = { EntraApp.UserScope };
        readonly EntraApp _entra;
        readonly IPublicClientApplication _app;
        readonly string _user;
        readonly Action<string>? _prompt;

        /// <param name="user">The mailbox that signs in (and sends).</param>
        /// <param name="prompt">Shows the device code instructions; null never prompts (a scheduled task): without a saved sign-in it fails.</param>
        public EntraUserSignIn(EntraApp entra, string user, Action<string>? prompt)
        {
            _entra = entra;
            _user = user;
            _prompt = prompt;
            var builder = PublicClientApplicationBuilder.Create(entra.ClientId)
                .WithAuthority(entra.Authority)
                .WithInstanceDiscovery(entra.InstanceDiscovery)
                .WithDefaultRedirectUri();
            if (entra.HttpClientFactory != null) builder = builder.WithHttpClientFactory(entra.HttpClientFactory);
            _app = builder.Build();
        }

        /// <summary>MSAL's cache of the user's tokens, to keep the sign-in between runs (<see cref="TokenCacheFile"/>).</summary>
        public ITokenCache Cache => _app.UserTokenCache;

        public string Description => $"Microsoft Entra ID {_entra}, signed in as the user {_user} (device code)";

        public AccessToken GetToken(bool renew, CancellationToken cancellationToken)
        {
            var account = Task.Run(() => _app.GetAccountsAsync()).GetAwaiter().GetResult()
                .FirstOrDefault(a => string.Equals(a.Username, _user, StringComparison.OrdinalIgnoreCase));
            AuthenticationResult result;
            if (account != null)
            {
                try
                {
                    result = EntraErrors.Run(() => _app.AcquireTokenSilent(Scopes, account).WithForceRefresh(renew).ExecuteAsync(cancellationToken), _entra);
                    return Token(result);
                }
                catch (SignInException e) when (_prompt != null && e.InnerException is MsalUiRequiredException)
                {
                    // The saved sign-in no longer works: sign in again below.
                }
            }
            if (_prompt == null)
                throw new SignInException("OAuthSignInRequired", $"{_user} has no saved sign-in for {_entra} on this computer (or it has run out).",
                    "Sign in once interactively: run the same command with -DeviceCode and follow the instructions; later runs (and scheduled tasks of the same user) use the saved sign-in.");
            var prompt = _prompt;
            result = EntraErrors.Run(() => _app.AcquireTokenWithDeviceCode(Scopes, code =>
            {
                prompt(code.Message);
                return Task.CompletedTask;
            }).ExecuteAsync(cancellationToken), _entra);
            if (!string.Equals(result.Account?.Username, _user, StringComparison.OrdinalIgnoreCase))
                throw new SignInException("OAuthWrongUser", $"The device code was used to sign in as {result.Account?.Username}, but the mail goes out as {_user}.",
                    $"Sign in as {_user} (the From address), or change -From.");
            return Token(result);
        }

        static AccessToken Token(AuthenticationResult result) => new AccessToken(result.AccessToken, result.ExpiresOn - DateTimeOffset.UtcNow);
    }
}
