using System;
using System.Net;
using System.Net.Http;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Flows;
using Google.Apis.Auth.OAuth2.Responses;
using Google.Apis.Util.Store;
using MailQuota.Core.Smtp;

namespace MailQuota.Core.Auth
{
    /// <summary>
    /// A Google user (Gmail or Workspace) authorises the app once in a browser (an OAuth client of
    /// type Desktop app; the browser returns to a loopback address on this computer, PKCE); the
    /// refresh token is kept in the protected <see cref="TokenCacheFile"/> and later runs renew
    /// access tokens from it without asking.
    /// </summary>
    public sealed class GoogleUserSignIn : ITokenSource
    {
        /// <summary>How long the browser sign-in may take before the run gives up.</summary>
        public static readonly TimeSpan BrowserTimeout = TimeSpan.FromMinutes(5);

        readonly PkceGoogleAuthorizationCodeFlow _flow;
        readonly string _clientId;
        readonly string _user;
        readonly Action<string>? _prompt;

        /// <param name="user">The mailbox that signs in (and sends).</param>
        /// <param name="store">Where the user's tokens are kept (<see cref="GoogleTokenStore"/>).</param>
        /// <param name="prompt">Shows the address to open in a browser; null never prompts (a scheduled task): without a saved sign-in it fails.</param>
        /// <param name="http">How the token endpoint is reached; null is Google's own HTTP client (tests: <see cref="TestSignInEndpoint"/>).</param>
        public GoogleUserSignIn(string clientId, SecureString? clientSecret, string user, IDataStore store, Action<string>? prompt, Google.Apis.Http.IHttpClientFactory? http = null)
        {
            if (string.IsNullOrWhiteSpace(clientId)) throw new ArgumentException("an OAuth client id is required", nameof(clientId));
            var secret = clientSecret == null ? null : new NetworkCredential("", clientSecret).Password;
            if (string.IsNullOrEmpty(secret))
                throw new SignInException("OAuthCredentialMissing", $"The Google OAuth client {clientId} signs in with its client secret, and none was given.",
                    "Give -ClientSecret (e.g. (Read-Host -AsSecureString)): the client secret of the Desktop app client in Google Cloud console > APIs & Services > Credentials.");
            _clientId = clientId.Trim();
            _user = user;
            _prompt = prompt;
            var initializer = new GoogleAuthorizationCodeFlow.Initializer
            {
                ClientSecrets = new ClientSecrets { ClientId = _clientId, ClientSecret = secret },
                Scopes = new[] { GoogleServiceAccountSignIn.Scope },
                DataStore = store,
                LoginHint = user,
                // Asked each time the browser is used, so Google hands out a refresh token again.
                Prompt = "consent",
            };
            if (http != null) initializer.HttpClientFactory = http;
            _flow = new PkceGoogleAuthorizationCodeFlow(initializer);
        }

        public string Description => $"Google OAuth client {_clientId}, signed in as the user {_user} (browser sign-in once, then the saved refresh token)";

        public AccessToken GetToken(bool renew, CancellationToken cancellationToken)
        {
            try
            {
                return Task.Run(() => Fetch(renew, cancellationToken)).GetAwaiter().GetResult();
            }
            catch (TokenResponseException e)
            {
                throw Refused(e);
            }
            catch (HttpRequestException e)
            {
                throw new SignInException("OAuthTokenEndpointUnreachable", $"Cannot reach Google's token endpoint to sign in as {_user}: {e.Message}",
                    "Check the network, the proxy and the firewall; the run sent nothing more.", e);
            }
        }

        async Task<AccessToken> Fetch(bool renew, CancellationToken cancellationToken)
        {
            var saved = await _flow.LoadTokenAsync(_user, cancellationToken).ConfigureAwait(false);
            if (saved?.RefreshToken != null)
            {
                var credential = new UserCredential(_flow, _user, saved);
                try
                {
                    if (renew || saved.IsStale) await credential.RefreshTokenAsync(cancellationToken).ConfigureAwait(false);
                    return Token(credential.Token);
                }
                catch (TokenResponseException e) when (_prompt != null && e.Error?.Error == "invalid_grant")
                {
                    // The saved sign-in no longer works (Google dropped it from the store): sign in again below.
                }
            }
            if (_prompt == null)
                throw new SignInException("OAuthSignInRequired", $"{_user} has no saved Google sign-in for the OAuth client {_clientId} on this computer (or it was revoked).",
                    "Sign in once interactively: run the same command with -BrowserSignIn and open the address it shows; later runs (and scheduled tasks of the same user) use the saved sign-in.");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(BrowserTimeout);
            try
            {
                var signedIn = await new AuthorizationCodeInstalledApp(_flow, new PrintedUrlReceiver(_user, _prompt))
                    .AuthorizeAsync(_user, timeout.Token).ConfigureAwait(false);
                return Token(signedIn.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new SignInException("OAuthSignInTimedOut", $"The browser sign-in of {_user} was not completed within {BrowserTimeout.TotalMinutes:0} minutes.",
                    "Run again with -BrowserSignIn and open the address it shows in a browser on this computer (over SSH, see the README: Google user sign-in over SSH).");
            }
        }

        static AccessToken Token(TokenResponse token) =>
            new AccessToken(token.AccessToken, token.IssuedUtc.AddSeconds(token.ExpiresInSeconds ?? 3600) - DateTime.UtcNow);

        SignInException Refused(TokenResponseException e)
        {
            var error = e.Error?.Error ?? "";
            var description = e.Error?.ErrorDescription ?? e.Message;
            var message = $"Google refused to sign in {_user} with the OAuth client {_clientId}: {error}: {description}";
            switch (error)
            {
                case "invalid_grant":
                    return new SignInException("OAuthSignInExpired", message,
                        "The saved sign-in was revoked or has expired (the user removed the app's access, changed the password, or the OAuth consent screen is in Testing, where refresh tokens last 7 days): sign in again with -BrowserSignIn.", e);
                case "invalid_client":
                case "unauthorized_client":
                    return new SignInException("GoogleClientRejected", message,
                        "Check -ClientId and -ClientSecret: both come from the OAuth client of type Desktop app (Google Cloud console > APIs & Services > Credentials); a deleted client or a reset secret needs the new values.", e);
                case "access_denied":
                case "admin_policy_enforced":
                case "org_internal":
                    return new SignInException("OAuthConsentMissing", message,
                        "The user did not allow the app, or the Workspace administrator blocks it: allow the scope https://mail.google.com/ on the consent page; in the Admin console (Security > Access and data control > API controls > App access control) trust the OAuth client.", e);
                default:
                    return new SignInException("GoogleSignInFailed", message, "Check the OAuth client, its consent screen and the scope https://mail.google.com/ (see the README).", e);
            }
        }

        /// <summary>Google's loopback receiver on 127.0.0.1 that shows the address instead of starting a browser, so it works over SSH too.</summary>
        sealed class PrintedUrlReceiver : LocalServerCodeReceiver
        {
            const string ClosePage = "<html><head><title>MailQuotaPS</title></head><body>Signed in: MailQuotaPS goes on sending. You can close this page.</body></html>";
            readonly string _user;
            readonly Action<string> _prompt;

            public PrintedUrlReceiver(string user, Action<string> prompt) : base(ClosePage, CallbackUriChooserStrategy.ForceLoopbackIp)
            {
                _user = user;
                _prompt = prompt;
            }

            protected override bool OpenBrowser(string url)
            {
                _prompt($"To sign in as {_user}, open this address in a browser and allow the app to send mail: {url} (the browser returns to {RedirectUri} on this computer; over SSH see the README).");
                return true;
            }
        }
    }
}
