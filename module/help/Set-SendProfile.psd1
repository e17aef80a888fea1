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
        Description             = 'What the profile is for and where its numbers come from.'
        Source                  = 'Where the limits were read (a URL or document).'
        CheckedOn               = 'When the limits were last checked against the source.'
    }
    Examples    = @(
        @{ Code = 'Set-SendProfile ContosoRelay -MaxPerMinute 60 -PassThru'; Remarks = 'Halves the relay profile''s pace and shows the result.' }
    )
}
