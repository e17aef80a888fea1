using System;
using System.Text.Json.Serialization;

namespace MailQuota.Core.Auth
{
    /// <summary>How a profile signs in to SMTP with OAuth 2.0 (none: a password, or no sign-in).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter))]
    public enum SignInMethod
    {
        None,
        /// <summary>Microsoft Entra ID, app-only (client credentials): a certificate or a client secret; for scheduled tasks.</summary>
        EntraApp,
        /// <summary>Microsoft Entra ID, a user signing in once with a device code; the sign-in is kept in the protected token cache.</summary>
        EntraUser,
        /// <summary>Google Workspace: a service account with domain-wide delegation acting as the sending user.</summary>
        GoogleServiceAccount,
        /// <summary>Google: a user authorises an OAuth client (Desktop app) once in a browser; the refresh token is kept in the protected token cache.</summary>
        GoogleUser,
    }

    /// <summary>
    /// The identifiers a profile keeps to sign in: tenant, app, certificate thumbprint, file paths.
    /// Never a secret: client secrets and passwords come at run time as SecureStrings, tokens from
    /// the protected cache.
    /// </summary>
    public sealed class SignInSettings
    {
        public SignInMethod Method { get; set; }

        /// <summary>Entra: the directory (tenant) id or a verified domain (contoso.onmicrosoft.com).</summary>
        public string? TenantId { get; set; }

        /// <summary>Entra: the app registration's application (client) id. Google user: the OAuth client id.</summary>
        public string? ClientId { get; set; }

        /// <summary>Entra app-only: the certificate in CurrentUser\My or LocalMachine\My.</summary>
        public string? CertificateThumbprint { get; set; }

        /// <summary>Entra app-only: a PFX file; its password comes at run time.</summary>
        public string? CertificatePath { get; set; }

        /// <summary>Google: the service account's JSON key file (keep it readable by you only).</summary>
        public string? ServiceAccountKeyPath { get; set; }

        /// <summary>
        /// A file of your choosing for the token cache, readable by you only; on Linux and macOS the
        /// tokens in it are not encrypted. Null keeps them in the platform's protected store.
        /// </summary>
        public string? TokenCachePath { get; set; }

        public SignInSettings Copy() => (SignInSettings)MemberwiseClone();

        /// <summary>What is missing or contradictory, or null.</summary>
        public string? Problem()
        {
            switch (Method)
            {
                case SignInMethod.EntraApp:
                case SignInMethod.EntraUser:
                    if (string.IsNullOrWhiteSpace(TenantId) || string.IsNullOrWhiteSpace(ClientId))
                        return $"signing in with {Method} needs -TenantId and -ClientId";
                    if (Method == SignInMethod.EntraUser && (CertificateThumbprint != null || CertificatePath != null))
                        return "a user signs in with a device code, not a certificate: use -SignIn EntraApp for a certificate";
                    if (CertificateThumbprint != null && CertificatePath != null)
                        return "give -CertificateThumbprint or -CertificatePath, not both";
                    return null;
                case SignInMethod.GoogleServiceAccount:
                    return string.IsNullOrWhiteSpace(ServiceAccountKeyPath) ? "signing in with a Google service account needs -ServiceAccountKeyPath" : null;
                case SignInMethod.GoogleUser:
                    if (string.IsNullOrWhiteSpace(ClientId)) return "signing in as a Google user needs -ClientId (the OAuth client of type Desktop app)";
                    return TenantId != null || CertificateThumbprint != null || CertificatePath != null || ServiceAccountKeyPath != null
                        ? "a Google user signs in with -ClientId alone (its secret at run time), without -TenantId, a certificate or -ServiceAccountKeyPath (Set-SendProfile -SignIn None clears them first)"
                        : null;
                default:
                    return null;
            }
        }

        /// <summary>How it signs in, for Get-SendProfile and the log: identifiers only.</summary>
        public override string ToString() => Method switch
        {
            SignInMethod.EntraApp => $"Entra ID app-only: app {ClientId} in tenant {TenantId}, "
                + (CertificateThumbprint != null ? $"certificate {CertificateThumbprint}" : CertificatePath != null ? $"certificate file {CertificatePath}" : "client secret given at run time"),
            SignInMethod.EntraUser => $"Entra ID user (device code): app {ClientId} in tenant {TenantId}",
            SignInMethod.GoogleServiceAccount => $"Google service account key {ServiceAccountKeyPath}, acting as the sender",
            SignInMethod.GoogleUser => $"Google user (browser sign-in once): OAuth client {ClientId}",
            _ => "password (-Credential) or none",
        };
    }
}
