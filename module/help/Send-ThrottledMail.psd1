@{
    Synopsis    = 'Sends one message per pipeline row within the sending account''s quota, waiting instead of getting the account blocked.'
    Description = @'
Send-ThrottledMail sends each row as it arrives from the pipeline (Import-Csv, a database query, Get-ADUser...). The recipient comes from the row's To, Email, EmailAddress, Mail or Address property, the display name from Name or DisplayName, and every property is a merge field for {{Column}} placeholders in -Subject, -Body and -HtmlBody (names are case-insensitive; HTML bodies get the values HTML-encoded).

Before each message the cmdlet reserves quota for the account in a SQLite ledger shared by every PowerShell process of the user on this host. When a per-minute, per-hour or per-day window (messages or recipients) is full, or the minimum interval has not passed, it waits until capacity frees up; the progress bar shows what it waits for and the seconds left, and -InformationAction Continue or -Verbose prints each wait. Ctrl+C stops at once and leaves the ledger consistent.

The limits given are remembered for the account (the From address; or, under a profile that counts per login, the user signed in as; or -Account), so later runs need not repeat them. With none given and none remembered a conservative default applies and a warning says so.

Each row produces one result object (Row, Recipient, Status, MessageId, SentAt, Attempts, Reply). A row that cannot be sent as given (bad address, missing merge field, a line break that would smuggle a header) is Invalid and uses no quota; a server refusal is Failed with the reply; both are also written as non-terminating errors naming the row, and the run goes on. -WhatIf composes and checks every row but touches neither the server nor the ledger. The credential is never written anywhere.
'@
    Parameters  = @{
        InputObject             = 'The row. Any object (its properties are the merge fields), a hashtable, or an address string.'
        To                      = 'The recipient address. Bound from the row''s To, Email, EmailAddress, Mail or Address property.'
        Name                    = 'The recipient''s display name. Bound from the row''s Name or DisplayName property.'
        From                    = 'The sender address, e.g. ''IT Notices <notices@contoso.com>''. It is also the quota account, unless -Account is given or the profile counts per login and the run signs in (then the login is the account).'
        Subject                 = 'The subject template. {{Column}} placeholders are replaced by the row''s values.'
        Body                    = 'The plain-text body template with {{Column}} placeholders. Give -Body, -HtmlBody or both.'
        HtmlBody                = 'The HTML body template with {{Column}} placeholders; merged values are HTML-encoded.'
        SmtpServer              = 'The SMTP server host name. Defaults to $PSEmailServer.'
        Port                    = 'The SMTP port. Defaults to 465 with SslOnConnect, 587 with StartTls, otherwise 25.'
        Credential              = 'The account to log in with. Never written to the screen, a log or the ledger.'
        ClientSecret            = 'The client secret (a SecureString) of the profile''s Entra app, when the profile signs in app-only without a certificate, or of its Google OAuth client (-SignIn GoogleUser). Never written to the screen, a log, the ledger or the profile.'
        CertificatePassword     = 'The password of the profile''s certificate file (-CertificatePath), as a SecureString.'
        DeviceCode              = 'For a profile that signs in as a user (-SignIn EntraUser): when there is no saved sign-in (or it ran out), show a code to enter at https://microsoft.com/devicelogin on any device. Without it such a run stops with OAuthSignInRequired instead of waiting for a person (scheduled tasks).'
        BrowserSignIn           = 'For a profile that signs in as a Google user (-SignIn GoogleUser): when there is no saved sign-in (or it was revoked), show an address to open in a browser; Google returns the browser to http://127.0.0.1:<port>/ on this computer, where the run waits up to 5 minutes (over SSH, forward that port: see the README). The refresh token is then kept in the protected token store. Without it such a run stops with OAuthSignInRequired instead of waiting for a person (scheduled tasks).'
        SecureSocketOptions     = 'How the connection is secured: Auto (TLS when offered), SslOnConnect, StartTls or None.'
        MaxPerMinute            = 'At most this many messages in any rolling minute.'
        MaxPerHour              = 'At most this many messages in any rolling hour.'
        MaxPerDay               = 'At most this many messages in any rolling 24 hours.'
        MaxRecipientsPerHour    = 'At most this many recipients in any rolling hour.'
        MaxRecipientsPerDay     = 'At most this many recipients in any rolling 24 hours (Exchange Online and Gmail count recipients).'
        MaxRecipientsPerMessage = 'The most recipients the provider accepts in one message.'
        MinInterval             = 'The least time between two messages of the account, e.g. ([TimeSpan]''0:0:2'').'
        Account                 = 'The quota account (case-insensitive). Defaults to the login (the -Credential user name, or the OAuth 2.0 mailbox) under a profile that counts per login, else to the From address.'
        LedgerPath              = 'The ledger file. Defaults to $env:MAILQUOTAPS_LEDGER, else MailQuotaPS/ledger.db in the local application data folder. Network paths are refused.'
        Profile                 = 'A provider profile (see Get-SendProfile): its server, port, TLS mode and limits. Explicit parameters override the profile''s values. Tab completion lists the profiles.'
        ProfilePath             = 'The user profile file; $env:MAILQUOTAPS_PROFILES or the user''s configuration folder when omitted.'
        MaxConnections          = 'SMTP connections to open at once (1 to 32), each carrying one message at a time: at 20-100 ms from the server one connection carries only a few messages a second. The connections share the account''s quota and pace (a throttle reply on one slows them all), results come out in input order, and a server that refuses a connection as one too many leaves the run with fewer. Defaults to the profile''s documented concurrency (ExchangeOnline: 3), else 1.'
        OnAlert                 = 'A script block run once for each volume alert raised during the run (volume far above the account''s usual hour, many throttle replies, a quota nearly used up), with the alert as $_.'
    }
    Examples    = @(
        @{
            Code    = @'
New-SendProfile -Name Contoso -Provider ExchangeOnline -TenantId contoso.onmicrosoft.com -ClientId 3f2a9c1e-0000-4000-8000-1234567890ab -CertificateThumbprint 1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D
Import-Csv staff.csv | Send-ThrottledMail -Profile Contoso -From notices@contoso.com -Subject 'Hi {{Name}}' -Body 'Dear {{Name}}, ...'
'@
            Remarks = 'Signs in to Exchange Online app-only with the certificate (OAuth 2.0, XOAUTH2; no password), renews the token before it runs out during a long run, and sends within Exchange Online''s limits. See the README section "Exchange Online app-only" for the app registration and the mailbox permission.'
        }
        @{
            Code    = @'
Import-Csv staff.csv | Send-ThrottledMail -SmtpServer smtp.office365.com -SecureSocketOptions StartTls -Credential $cred `
    -From notices@contoso.com -Subject '{{Name}}: your password expires on {{ExpiresOn}}' `
    -Body "Dear {{Name}},`nplease change your password before {{ExpiresOn}}." -MaxPerMinute 30 -MaxRecipientsPerDay 10000
'@
            Remarks = 'Sends one message per CSV row at no more than 30 a minute and 10,000 recipients a day (Exchange Online''s limits). The limits are remembered for notices@contoso.com.'
        }
        @{
            Code    = 'Import-Csv staff.csv | Send-ThrottledMail -SmtpServer relay.contoso.com -From notices@contoso.com -Subject ''Hi {{Name}}'' -Body ''...'' -MaxConnections 4 -MaxPerMinute 600'
            Remarks = 'Sends over four connections at once, for a relay far enough away that one connection carries only a few messages a second; the four share the 600 a minute.'
        }
        @{
            Code    = 'Import-Csv staff.csv | Send-ThrottledMail -From notices@contoso.com -Subject ''Hi {{Name}}'' -Body ''...'' -WhatIf'
            Remarks = 'Merges and checks every row without connecting to a server or using quota.'
        }
        @{
            Code    = '$r = Import-Csv staff.csv | Send-ThrottledMail -SmtpServer relay.contoso.com -From hr@contoso.com -Subject ''Payslip'' -Body ''...'' -ErrorVariable problems; $r | Where-Object Status -ne Sent'
            Remarks = 'Keeps the results, collects the rows that failed in $problems, and lists every row that was not sent.'
        }
    )
}
