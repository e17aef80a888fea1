@{
    Description = @'
New-SendProfile saves a profile of your own in your profile file (per user; -ProfilePath or $env:MAILQUOTAPS_PROFILES override it), so scripts and scheduled tasks can say -Profile Name instead of repeating a server and its limits. -BasedOn copies a built-in or user profile; the values given change the copy. The file is locked while it is written, so several processes can save profiles at once.
'@
    Parameters  = @{
        MaxPerMinute            = 'At most this many messages in any minute.'
        MaxPerHour              = 'At most this many messages in any hour.'
        MaxPerDay               = 'At most this many messages in a day (rolling 24 hours, or the calendar day with -WindowKind Calendar).'
        MaxPerMonth             = 'At most this many messages in a calendar month.'
        MaxRecipientsPerMinute  = 'At most this many recipients in any minute.'
        MaxRecipientsPerHour    = 'At most this many recipients in any hour.'
        MaxRecipientsPerDay     = 'At most this many recipients in a day.'
        MaxRecipientsPerMonth   = 'At most this many recipients in a calendar month.'
        MaxRecipientsPerMessage = 'The most recipients the provider accepts in one message.'
        MinInterval             = 'The least time between two messages, e.g. ([TimeSpan]''0:0:2'').'
        SmtpServer              = 'The SMTP server host name.'
        Port                    = 'The SMTP port.'
        SecureSocketOptions     = 'Auto, SslOnConnect, StartTls or None.'
        Name                    = 'The profile''s name.'
        CountsPer               = 'Whom the provider counts its quota against: Login (the user a run signs in as with -Credential or OAuth 2.0, whatever -From says; Exchange Online, Google Workspace and Amazon SES count this way) or Sender (each From address; the default).'
        MaxConnections          = 'SMTP connections a run opens at once by default, as the provider documents its concurrency (1-32; Exchange Online allows 3). Send-ThrottledMail -MaxConnections overrides it for one run; more connections only help when the server is far away (20-100 ms), and they share the one quota and pace.'
        Description             = 'What the profile is for and where its numbers come from.'
        Source                  = 'Where the limits were read (a URL or document).'
        CheckedOn               = 'When the limits were last checked against the source.'
        SignIn                  = 'How the profile signs in with OAuth 2.0: EntraApp (app-only, certificate or client secret; for scheduled tasks), EntraUser (a user, device code), GoogleServiceAccount (domain-wide delegation), GoogleUser (a Google user, a browser sign-in once; give it by name), or None (a password given with -Credential). Inferred from the values below when omitted.'
        TenantId                = 'Microsoft Entra ID: the Directory (tenant) ID, or a domain such as contoso.onmicrosoft.com.'
        ClientId                = 'Microsoft Entra ID: the Application (client) ID of the app registration. Google user (-SignIn GoogleUser): the Client ID of the OAuth client of type Desktop app; its secret is given to Send-ThrottledMail -ClientSecret.'
        CertificateThumbprint   = 'Entra app-only: the thumbprint of the app''s certificate (with its private key) in Cert:\CurrentUser\My or Cert:\LocalMachine\My.'
        CertificatePath         = 'Entra app-only: a PFX file with the app''s certificate; its password is given to Send-ThrottledMail -CertificatePassword.'
        ServiceAccountKeyPath   = 'Google: the service account''s JSON key file (keep it readable by you only).'
        TokenCachePath          = 'A token cache file of your choosing, readable by you only; on Linux and macOS the tokens in it are not encrypted. Omitted, tokens are kept in the platform''s protected store (DPAPI, Keychain, libsecret).'
    }
    Examples    = @(
        @{ Code = 'New-SendProfile -Name Contoso -Provider ExchangeOnline -TenantId contoso.onmicrosoft.com -ClientId 3f2a9c1e-0000-4000-8000-1234567890ab -CertificateThumbprint 1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D'; Remarks = 'Exchange Online''s limits, signing in app-only with a certificate (see the README section "Exchange Online app-only"). The profile holds identifiers only.' }
        @{ Code = 'New-SendProfile -Name MyGmail -Provider GoogleWorkspace -SignIn GoogleUser -ClientId 123456789012-abc.apps.googleusercontent.com'; Remarks = 'Gmail''s limits, signing in as a Google user: the first Send-ThrottledMail -ClientSecret $secret -BrowserSignIn shows an address to open in a browser; later runs use the saved refresh token (see the README section "Google user").' }
        @{ Code = 'New-SendProfile -Name ContosoRelay -SmtpServer relay.contoso.com -Port 25 -SecureSocketOptions StartTls -MaxPerMinute 120 -MaxPerDay 20000'; Remarks = 'A profile for the company relay.' }
        @{ Code = 'New-SendProfile -Name M365Slow -BasedOn ExchangeOnline -MaxPerMinute 10'; Remarks = 'Exchange Online''s profile, but slower.' }
    )
}
