using System;
using System.Management.Automation;
using MailQuota.Core.Auth;
using MailQuota.Core.Profiles;
using MailQuota.Core.Quota;
using MailQuota.Core.Smtp;

namespace MailQuotaPS
{
    /// <summary>The values New-SendProfile and Set-SendProfile write into a profile; only those given are written.</summary>
    public abstract class ProfileParametersCmdlet : PSCmdlet
    {
        [Parameter] public string? SmtpServer { get; set; }
        [Parameter, ValidateRange(0, 65535)] public int? Port { get; set; }
        [Parameter] public SmtpSecurity? SecureSocketOptions { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxPerMinute { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxPerHour { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxPerDay { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxPerMonth { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxRecipientsPerMinute { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxRecipientsPerHour { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxRecipientsPerDay { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxRecipientsPerMonth { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxRecipientsPerMessage { get; set; }
        [ValidateNonNegativeTimeSpan]
        [Parameter] public TimeSpan? MinInterval { get; set; }

        /// <summary>Rolling, or Calendar: day and month limits restart at midnight in -ResetTimeZone.</summary>
        [Parameter] public QuotaWindowKind? WindowKind { get; set; }

        /// <summary>The provider's time zone, a Windows id ('China Standard Time') or an IANA id ('Asia/Shanghai').</summary>
        [Parameter] public string? ResetTimeZone { get; set; }

        /// <summary>Whom the provider counts its quota against: Login (the user a run signs in as, whatever -From says) or Sender (each -From address).</summary>
        [Parameter] public CountedPer? CountsPer { get; set; }

        /// <summary>SMTP connections a run opens at once by default (the provider's documented concurrency); Send-ThrottledMail's -MaxConnections overrides it.</summary>
        [Parameter, ValidateRange(1, SendProfile.MaxConnectionsAllowed)]
        public int? MaxConnections { get; set; }

        [Parameter] public string? Description { get; set; }
        [Parameter] public string? Source { get; set; }
        [Parameter] public DateTime? CheckedOn { get; set; }

        /// <summary>The user's profile file; $env:MAILQUOTAPS_PROFILES or the user's configuration folder when omitted.</summary>
        [Parameter] public string? ProfilePath { get; set; }

        /// <summary>How the profile signs in: EntraApp, EntraUser, GoogleServiceAccount, GoogleUser, or None (a password); inferred from the values below when omitted.</summary>
        [Parameter] public SignInMethod? SignIn { get; set; }

        /// <summary>Microsoft Entra ID: the directory (tenant) id, or a domain such as contoso.onmicrosoft.com.</summary>
        [Parameter] public string? TenantId { get; set; }

        /// <summary>Microsoft Entra ID: the app registration's application (client) id; Google user: the OAuth client id (Desktop app).</summary>
        [Parameter] public string? ClientId { get; set; }

        /// <summary>Entra app-only: the thumbprint of the app's certificate in Cert:\CurrentUser\My or Cert:\LocalMachine\My.</summary>
        [Parameter] public string? CertificateThumbprint { get; set; }

        /// <summary>Entra app-only: a PFX file with the app's certificate (its password is given to Send-ThrottledMail).</summary>
        [Parameter] public string? CertificatePath { get; set; }

        /// <summary>Google: the service account's JSON key file.</summary>
        [Parameter] public string? ServiceAccountKeyPath { get; set; }

        /// <summary>A token cache file readable by you only (tokens in clear on Linux and macOS); the platform's protected store when omitted.</summary>
        [Parameter] public string? TokenCachePath { get; set; }

        protected ProfileCatalog Catalog() => new ProfileCatalog(ProfileLocation.Resolve(ProfilePath));

        /// <summary>Writes every value given on the command line into <paramref name="profile"/>.</summary>
        protected void ApplyTo(SendProfile profile)
        {
            if (SmtpServer != null) profile.SmtpServer = SmtpServer;
            if (Port is int port) profile.Port = port;
            if (SecureSocketOptions is SmtpSecurity security) profile.SecureSocketOptions = security;
            profile.Policy = profile.Policy.With(new QuotaPolicy
            {
                MessagesPerMinute = MaxPerMinute,
                MessagesPerHour = MaxPerHour,
                MessagesPerDay = MaxPerDay,
                MessagesPerMonth = MaxPerMonth,
                RecipientsPerMinute = MaxRecipientsPerMinute,
                RecipientsPerHour = MaxRecipientsPerHour,
                RecipientsPerDay = MaxRecipientsPerDay,
                RecipientsPerMonth = MaxRecipientsPerMonth,
                MaxRecipientsPerMessage = MaxRecipientsPerMessage,
                MinInterval = MinInterval,
                WindowKind = WindowKind,
                ResetTimeZone = ResetTimeZone,
            });
            if (WindowKind == QuotaWindowKind.Rolling && ResetTimeZone == null) profile.Policy.ResetTimeZone = null;
            if (CountsPer is CountedPer countedPer) profile.CountsPer = countedPer;
            if (MaxConnections is int connections) profile.MaxConnections = connections;
            if (Description != null) profile.Description = Description;
            if (Source != null) profile.Source = Source;
            if (CheckedOn is DateTime checkedOn) profile.CheckedOn = checkedOn;
            ApplySignIn(profile);
        }

        /// <summary>Writes the sign-in identifiers given; the method is the one given, else the profile's, else inferred from them.</summary>
        void ApplySignIn(SendProfile profile)
        {
            if (SignIn == SignInMethod.None)
            {
                profile.SignIn = null;
                return;
            }
            if (SignIn == null && TenantId == null && ClientId == null && CertificateThumbprint == null && CertificatePath == null && ServiceAccountKeyPath == null && TokenCachePath == null) return;
            var settings = profile.SignIn ??= new SignInSettings();
            if (TenantId != null) settings.TenantId = TenantId;
            if (ClientId != null) settings.ClientId = ClientId;
            if (CertificateThumbprint != null) settings.CertificateThumbprint = CertificateThumbprint;
            if (CertificatePath != null) settings.CertificatePath = FullPath(CertificatePath);
            if (ServiceAccountKeyPath != null) settings.ServiceAccountKeyPath = FullPath(ServiceAccountKeyPath);
            if (TokenCachePath != null) settings.TokenCachePath = FullPath(TokenCachePath);
            settings.Method = SignIn
                ?? (settings.Method != SignInMethod.None ? settings.Method
                : settings.ServiceAccountKeyPath != null ? SignInMethod.GoogleServiceAccount
                : SignInMethod.EntraApp);
        }

        string FullPath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
    }
}
