using MailQuota.Core.Time;
using System;
using System.Security;
using MailQuota.Core.Smtp;

namespace MailQuota.Core.Auth
{
    /// <summary>The token source a profile's sign-in asks for, with the secrets given at run time.</summary>
    public static class TokenSources
    {
        /// <param name="clientSecret">Entra app-only without a certificate, and a Google user: the OAuth client's secret.</param>
        /// <param name="certificatePassword">The password of a PFX file.</param>
        /// <param name="note">Told where tokens are kept, or why not (for the verbose stream).</param>
        /// <param name="mailbox">The sending mailbox: the user who signs in, or whom a Google service account acts as.</param>
        /// <param name="prompt">Shows a device code sign-in's instructions, or the address a Google user opens; null never prompts.</param>
        public static ITokenSource Create(SignInSettings settings, string mailbox, SecureString? clientSecret, SecureString? certificatePassword, IClock clock,
            Action<string> note, Action<string>? prompt = null)
        {
            var testEndpoint = TestSignInEndpoint.FromEnvironment();
            if (testEndpoint != null) note($"TEST ONLY: signing in against the loopback token endpoint {testEndpoint} ({TestSignInEndpoint.Variable}).");
            EntraApp Entra()
            {
                var entra = new EntraApp(settings.TenantId!, settings.ClientId!);
                if (testEndpoint == null) return entra;
                entra.InstanceDiscovery = false;
                entra.HttpClientFactory = TestSignInEndpoint.MsalHttp(testEndpoint);
                return entra;
            }
            // A user's sign-in is kept only where it is protected, or in the file the user named.
            TokenCacheFile? UserCache(string prefix)
            {
                var userCache = TokenCacheFile.Open(prefix + settings.ClientId, settings.TokenCachePath, out var none);
                note(userCache != null ? $"The sign-in is kept in {userCache.Where}." : $"The sign-in is not kept for the next run: {none}; give the profile a -TokenCachePath (a file only you can read, not encrypted) to keep it.");
                return userCache;
            }
            switch (settings.Method)
            {
                case SignInMethod.EntraApp:
                    var app = Entra();
                    var source = settings.CertificateThumbprint != null ? EntraAppSignIn.WithCertificate(app, SigningCertificate.FromStore(settings.CertificateThumbprint, clock))
                        : settings.CertificatePath != null ? EntraAppSignIn.WithCertificate(app, SigningCertificate.FromFile(settings.CertificatePath, certificatePassword, clock))
                        : clientSecret != null ? EntraAppSignIn.WithSecret(app, clientSecret)
                        : throw new SignInException("OAuthCredentialMissing", $"The app {settings.ClientId} signs in with a certificate or a client secret, and neither was given.",
                            "Give -ClientSecret (e.g. (Read-Host -AsSecureString)), or put -CertificateThumbprint or -CertificatePath in the profile (Set-SendProfile).");
                    // App tokens are cheap to get again: without a protected store they stay in memory.
                    var cache = TokenCacheFile.Open("entra-app-" + settings.ClientId, settings.TokenCachePath, out var unavailable);
                    if (cache != null) cache.Attach(source.Cache);
                    note(cache != null ? $"App tokens are kept in {cache.Where}." : $"App tokens are not kept between runs: {unavailable}.");
                    return source;
                case SignInMethod.EntraUser:
                    var user = new EntraUserSignIn(Entra(), mailbox, prompt);
                    UserCache("entra-user-")?.Attach(user.Cache);
                    return user;
                case SignInMethod.GoogleUser:
                    var googleCache = UserCache("google-user-");
                    return new GoogleUserSignIn(settings.ClientId!, clientSecret, mailbox, new GoogleTokenStore(googleCache), prompt,
                        testEndpoint == null ? null : TestSignInEndpoint.GoogleHttp(testEndpoint));
                case SignInMethod.GoogleServiceAccount:
                    return GoogleServiceAccountSignIn.FromKeyFile(settings.ServiceAccountKeyPath!, mailbox);
                default:
                    throw new SignInException("SignInMethodNotSupported", $"This version cannot sign in with {settings.Method} yet.",
                        "Use -SignIn EntraApp, or a password with -Credential.");
            }
        }
    }
}
