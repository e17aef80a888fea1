@{
    Synopsis    = 'Shows each quota window of a sending account: limit, used, remaining and when it frees up.'
    Description = @'
Get-SendQuota reads the ledger and writes one object per window of each account's remembered policy: Account, Window (Minute, Hour or Day), Unit (Messages or Recipients), Limit, Used, Remaining and ResetsAt, the time the oldest use in the window leaves it. Windows are rolling (or calendar days and months in the provider's time zone, for profiles that say so) and exact: they count the ledger's own rows, including sends by other processes of this host.

Held tells how the account is held back after its server pushed back: '1 msg per 4 s' (a reduced pace that recovers with each accepted message), 'cooling to 16:25:01' (a pause after a throttle reply) or 'suspended to 11-28 16:15' (the provider's quota is used up until its window resets; a warning says so too). Alerts lists open volume alerts of the account, which are also written as warnings.
'@
    Parameters  = @{
        Account    = 'The accounts to show (wildcards allowed). All accounts in the ledger when omitted.'
        LedgerPath = 'The ledger file. Defaults to $env:MAILQUOTAPS_LEDGER, else MailQuotaPS/ledger.db in the local application data folder.'
        Profile    = 'Show the limits of this provider profile with the use of its account so far.'
        ProfilePath = 'The user profile file; $env:MAILQUOTAPS_PROFILES or the user''s configuration folder when omitted.'
    }
    Examples    = @(
        @{ Code = 'Get-SendQuota'; Remarks = 'Every window of every account in the default ledger.' }
        @{ Code = 'Get-SendQuota -Account notices@contoso.com | Where-Object Remaining -lt 10'; Remarks = 'The windows of one account that are nearly used up.' }
    )
}
