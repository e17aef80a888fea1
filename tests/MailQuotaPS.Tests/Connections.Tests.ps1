BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    . (Join-Path $PSScriptRoot 'SendHistory.ps1')
    $script:From = 'notices@example.test'
}

Describe 'Send-ThrottledMail -MaxConnections against a server that drops and throttles (scripted SMTP server)' {
    AfterEach { if ($script:Server) { Stop-ScriptedSmtp $script:Server; $script:Server = $null } }

    It 'four connections, one dropped mid-run, throttle replies on others: no duplicates, every row accounted for in input order, the window held' {
        $script:Server = Start-ScriptedSmtp -Rule @(
            'data nth 7 drop => 421 4.4.2 connection dropped'                        # the connection carrying the 7th message hangs up before its data
            'mail after-every 10 => 450 4.7.1 Error: too much mail from 127.0.0.1'   # Postfix's anvil, on whichever connection comes next
        )
        $ledger = New-TestLedgerPath
        $rows = 1..40 | ForEach-Object { [pscustomobject]@{ Email = "c$_@example.test"; Name = "C $_" } }
        $r = $rows | Send-ThrottledMail -SmtpServer 127.0.0.1 -Port $Server.Port -SecureSocketOptions None -From $From -LedgerPath $ledger `
            -Subject 'Hi {{Name}}' -Body 'x' -MaxConnections 4 -MaxPerHour 30 -MaxWait ([TimeSpan]'0:0:5') -ErrorAction SilentlyContinue

        # every row accounted for, in input order: sent, or deferred past the hour's 30
        $r.Count | Should -Be 40
        $r.Row | Should -Be (1..40)
        ($r.Status | Sort-Object -Unique) | ForEach-Object { $_ | Should -BeIn @('Sent', 'Deferred') }
        $sent = @($r | Where-Object Status -EQ 'Sent')
        @($r | Where-Object { $_.Status -eq 'Sent' -and $_.Attempts -gt 1 }).Count | Should -BeGreaterThan 0 -Because 'the dropped and throttled messages went again'

        # no duplicates: the server holds each sent row once and nothing else
        $received = @(Get-ScriptedSmtpMessage $Server).To
        $received.Count | Should -Be $sent.Count
        ($received | Sort-Object -Unique).Count | Should -Be $received.Count
        ($received | Sort-Object) | Should -Be ($sent.Recipient | Sort-Object)

        # the window held: at most 30 sends counted in the hour (a refused attempt counts, a message that never left does not)
        $counted = (Invoke-LedgerQuery $ledger "SELECT COUNT(*) AS n FROM sends WHERE status <> 'Released'").n
        $counted | Should -BeLessOrEqual 30
        $sent.Count | Should -BeLessOrEqual 30
        (Invoke-LedgerQuery $ledger "SELECT COUNT(*) AS n FROM sends WHERE status IN ('InFlight', 'Unknown')").n | Should -Be 0
    }

    It 'takes the connections from the profile when -MaxConnections is not given' {
        (Get-SendProfile ExchangeOnline).MaxConnections | Should -Be 3
        $script:Server = Start-ScriptedSmtp
        $out = 1..3 | ForEach-Object { "p$_@example.test" } |
            Send-ThrottledMail -Profile ExchangeOnline -SmtpServer 127.0.0.1 -Port $Server.Port -SecureSocketOptions None -From $From `
                -Subject 's' -Body 'b' -LedgerPath (New-TestLedgerPath) -Verbose 4>&1
        @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Up to 3 connections*' }).Count | Should -Be 1
        @($out | Where-Object Status -EQ 'Sent').Count | Should -Be 3
    }

    It 'keeps a user profile''s -MaxConnections and opens that many, unless -MaxConnections says otherwise' {
        $profiles = Join-Path ([IO.Path]::GetTempPath()) "mqps-profiles-$([guid]::NewGuid().ToString('N'))/profiles.json"
        $script:Server = Start-ScriptedSmtp
        New-SendProfile FarRelay -SmtpServer 127.0.0.1 -Port $Server.Port -SecureSocketOptions None -MaxPerMinute 600 -MaxConnections 2 -ProfilePath $profiles | Out-Null
        (Set-SendProfile FarRelay -MaxConnections 4 -ProfilePath $profiles -PassThru).MaxConnections | Should -Be 4
        (Get-SendProfile FarRelay -ProfilePath $profiles).MaxConnections | Should -Be 4
        $out = 1..4 | ForEach-Object { "f$_@example.test" } |
            Send-ThrottledMail -Profile FarRelay -ProfilePath $profiles -From $From -Subject 's' -Body 'b' -LedgerPath (New-TestLedgerPath) -Verbose 4>&1
        @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Up to 4 connections*' }).Count | Should -Be 1
        @($out | Where-Object Status -EQ 'Sent').Count | Should -Be 4
        $one = 'g@example.test' | Send-ThrottledMail -Profile FarRelay -ProfilePath $profiles -From $From -Subject 's' -Body 'b' -LedgerPath (New-TestLedgerPath) -MaxConnections 1 -Verbose 4>&1
        @($one | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Up to * connections*' }).Count | Should -Be 0
        Remove-Item (Split-Path $profiles) -Recurse -Force
    }

    It 'refuses more than 32 connections' {
        { 'x@example.test' | Send-ThrottledMail -SmtpServer 127.0.0.1 -From $From -Subject 's' -Body 'b' -MaxConnections 33 -WhatIf } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,MailQuotaPS.SendThrottledMailCommand'
    }
}
