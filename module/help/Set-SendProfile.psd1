@{
    Description = @'
Set-SendProfile changes the values given on one of your own profiles and keeps everything else. Built-in profiles are read-only: copy one with New-SendProfile -BasedOn.
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
        Name                    = 'The profile to change.'
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
        @{ Code = 'Set-SendProfile Contoso -CertificateThumbprint 9F8E7D6C5B4A39281706F5E4D3C2B1A098765432'; Remarks = 'After renewing the app''s certificate: the profile signs in with the new one.' }
        @{ Code = 'Set-SendProfile ContosoRelay -MaxPerMinute 60 -PassThru'; Remarks = 'Halves the relay profile''s pace and shows the result.' }
    )
}
