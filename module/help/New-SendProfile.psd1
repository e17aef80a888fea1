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
        Description             = 'What the profile is for and where its numbers come from.'
        Source                  = 'Where the limits were read (a URL or document).'
        CheckedOn               = 'When the limits were last checked against the source.'
    }
    Examples    = @(
        @{ Code = 'New-SendProfile -Name ContosoRelay -SmtpServer relay.contoso.com -Port 25 -SecureSocketOptions StartTls -MaxPerMinute 120 -MaxPerDay 20000'; Remarks = 'A profile for the company relay.' }
        @{ Code = 'New-SendProfile -Name M365Slow -BasedOn ExchangeOnline -MaxPerMinute 10'; Remarks = 'Exchange Online''s profile, but slower.' }
    )
}
