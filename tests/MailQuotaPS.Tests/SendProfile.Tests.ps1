BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    $script:Server = Start-Smtp4dev
    function New-TestProfilePath { Join-Path ([IO.Path]::GetTempPath()) "mqps-profiles-$([guid]::NewGuid().ToString('N'))/profiles.json" }
}
AfterAll { if ($script:Server) { Stop-Smtp4dev $script:Server } }

Describe 'The profile, send-log and alert cmdlets' {
    It 'are exported, declare their output types, and the writing ones support -WhatIf and -Confirm' {
        $outputs = @{
            'Get-SendProfile' = 'MailQuota.Core.Profiles.SendProfile'
            'New-SendProfile' = 'MailQuota.Core.Profiles.SendProfile'
            'Set-SendProfile' = 'MailQuota.Core.Profiles.SendProfile'
            'Get-SendLog'     = 'MailQuota.Core.Monitoring.SendLogEntry'
            'Clear-SendLog'   = 'MailQuota.Core.Monitoring.SendLogCleared'
        }
        foreach ($name in $outputs.Keys) { (Get-Command $name -Module MailQuotaPS).OutputType.Name | Should -Contain $outputs[$name] }
        foreach ($name in 'New-SendProfile', 'Set-SendProfile', 'Remove-SendProfile', 'Clear-SendLog') {
            (Get-Command $name -Module MailQuotaPS).Parameters.Keys | Should -Contain 'WhatIf'
            (Get-Command $name -Module MailQuotaPS).Parameters.Keys | Should -Contain 'Confirm'
        }
        foreach ($name in 'Send-ThrottledMail', 'Get-SendQuota') { (Get-Command $name).Parameters.Keys | Should -Contain 'Profile' }
    }
}

Describe 'Built-in provider profiles' {
    It 'lists every required provider with host, port, TLS, limits, source and the date checked' {
        $profiles = Get-SendProfile -ProfilePath (New-TestProfilePath)
        $expected = @{
            AliyunQiye       = 'smtp.qiye.aliyun.com', 465, 'SslOnConnect'
            AliyunDirectMail = 'smtpdm.aliyun.com', 465, 'SslOnConnect'
            ExchangeOnline   = 'smtp.office365.com', 587, 'StartTls'
            GoogleWorkspace  = 'smtp.gmail.com', 587, 'StartTls'
            AmazonSesSandbox = 'email-smtp.us-east-1.amazonaws.com', 587, 'StartTls'
        }
        foreach ($name in $expected.Keys) {
            $p = $profiles | Where-Object Name -EQ $name
            $p | Should -Not -BeNullOrEmpty -Because $name
            $p.SmtpServer, $p.Port, "$($p.SecureSocketOptions)" | Should -Be $expected[$name]
            $p.BuiltIn | Should -BeTrue
            $p.Limits | Should -Not -BeNullOrEmpty
            $p.Source | Should -Not -BeNullOrEmpty
            $p.CheckedOn | Should -Be ([datetime]'2026-11-27')
        }
        ($profiles | Where-Object Name -EQ AliyunQiye).Description | Should -Match 'confidential.*conservative'
        ($profiles | Where-Object Name -EQ AliyunDirectMail).WindowKind | Should -Be 'Calendar'
    }

    It 'shows them in a table that fits 120 columns without cutting a host name' {
        $text = Get-SendProfile -ProfilePath (New-TestProfilePath) | Out-String -Width 120
        $text -split "`n" | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 120 }
        $text | Should -Match 'email-smtp\.us-east-1\.amazonaws\.com'
        $text | Should -Match 'GoogleWorkspaceTrial\*'
        $text | Should -Match 'days from midnight Asia/Shanghai'
    }
}

Describe 'User profiles' {
    BeforeEach { $script:Path = New-TestProfilePath }

    It 'are created, changed and removed in the profile file' {
        $p = New-SendProfile OfficeRelay -SmtpServer relay.contoso.test -Port 2525 -SecureSocketOptions None -MaxPerMinute 40 -MaxRecipientsPerDay 5000 -ProfilePath $Path
        $p.BuiltIn | Should -BeFalse
        $p.Limits | Should -Be '40 msg/min, 5000 rcpt/day'
        $changed = Set-SendProfile OfficeRelay -MaxPerHour 100 -ProfilePath $Path -PassThru
        $changed.Limits | Should -Be '40 msg/min, 100 msg/hour, 5000 rcpt/day'
        $changed.SmtpServer | Should -Be 'relay.contoso.test'
        $json = Get-Content $Path -Raw | ConvertFrom-Json
        $json.Profiles.Name | Should -Be 'OfficeRelay'
        $json.Profiles.Policy.MessagesPerHour | Should -Be 100
        Remove-SendProfile OfficeRelay -ProfilePath $Path
        Get-SendProfile OfficeRelay -ProfilePath $Path -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'ProfileNotFound*'
    }

    It 'copy a built-in profile with -BasedOn and keep its limits and source' {
        $p = New-SendProfile MyExchange -BasedOn ExchangeOnline -MaxRecipientsPerDay 2000 -ProfilePath $Path
        $p.SmtpServer | Should -Be 'smtp.office365.com'
        $p.Policy.MessagesPerMinute | Should -Be 30
        $p.Policy.RecipientsPerDay | Should -Be 2000
        $p.Source | Should -BeLike '*Exchange Online limits*'
    }

    It 'take a calendar window with a Windows or IANA time zone, and refuse one they cannot find' {
        (New-SendProfile Dm1 -MaxRecipientsPerDay 10 -WindowKind Calendar -ResetTimeZone 'China Standard Time' -ProfilePath $Path).ResetTimeZone | Should -Be 'China Standard Time'
        New-SendProfile Dm2 -MaxRecipientsPerDay 10 -WindowKind Calendar -ResetTimeZone 'Mars/Base' -ProfilePath $Path -ErrorAction SilentlyContinue -ErrorVariable e
        $e[0].FullyQualifiedErrorId | Should -BeLike 'InvalidProfile*'
        $e[0].Exception.Message | Should -BeLike "*'Mars/Base'*"
        $e[0].TargetObject | Should -Be 'Dm2'
    }

    It 'refuse to shadow, change or remove a built-in profile' {
        New-SendProfile ExchangeOnline -ProfilePath $Path -ErrorAction SilentlyContinue -ErrorVariable e1
        Set-SendProfile AliyunQiye -MaxPerMinute 1 -ProfilePath $Path -ErrorAction SilentlyContinue -ErrorVariable e2
        Remove-SendProfile AliyunQiye -ProfilePath $Path -ErrorAction SilentlyContinue -ErrorVariable e3
        foreach ($e in $e1, $e2, $e3) { $e[0].FullyQualifiedErrorId | Should -BeLike 'BuiltInProfileReadOnly*' }
        Test-Path $Path | Should -BeFalse
    }

    It '-WhatIf writes nothing' {
        New-SendProfile Dry -SmtpServer dry.test -ProfilePath $Path -WhatIf | Should -BeNullOrEmpty
        Test-Path $Path | Should -BeFalse
        New-SendProfile Wet -SmtpServer wet.test -ProfilePath $Path | Out-Null
        Set-SendProfile Wet -Port 1 -ProfilePath $Path -WhatIf
        Remove-SendProfile Wet -ProfilePath $Path -WhatIf
        (Get-SendProfile Wet -ProfilePath $Path).Port | Should -Be 0
    }

    It 'a broken profile file is reported and the built-in profiles still list' {
        New-Item -ItemType Directory (Split-Path $Path) -Force | Out-Null
        Set-Content $Path '{ "Profiles": [ {'
        $all = Get-SendProfile -ProfilePath $Path -ErrorAction SilentlyContinue -ErrorVariable e
        $e[0].FullyQualifiedErrorId | Should -BeLike 'ProfileFileInvalid*'
        $all.Name | Should -Contain 'ExchangeOnline'
    }

    It 'complete -Profile with built-in and user profiles' {
        New-SendProfile AcmeRelay -SmtpServer acme.test -ProfilePath $Path | Out-Null
        foreach ($command in 'Send-ThrottledMail', 'Get-SendQuota') {
            $line = "$command -ProfilePath '$Path' -Profile A"
            $names = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
            $names | Should -Contain 'AliyunQiye' -Because $command
            $names | Should -Contain 'AmazonSesSandbox'
            $names | Should -Contain 'AcmeRelay'
            $names | Should -Not -Contain 'ExchangeOnline'
        }
    }
}

Describe 'Send-ThrottledMail -Profile' {
    BeforeEach { Clear-Smtp4dev $Server }

    It 'names the profile''s server, port and TLS and touches nothing under -WhatIf' {
        $ledger = New-TestLedgerPath
        $r = 'w@example.test' | Send-ThrottledMail -Profile AliyunQiye -From 'notices@example.test' -Subject 's' -Body 'b' -LedgerPath $ledger -WhatIf -Verbose 4>&1
        ($r | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" |
            Should -Match 'Profile AliyunQiye: smtp\.qiye\.aliyun\.com:465 \(SslOnConnect\), 10 msg/min, 200 msg/hour.*checked 2026-11-27'
        ($r | Where-Object Status -EQ 'WhatIf').Recipient | Should -Be 'w@example.test'
        Test-Path $ledger | Should -BeFalse
    }

    It 'connects with the profile''s port and TLS mode when only the host is given' {
        $ledger = New-TestLedgerPath
        { 'p@example.test' | Send-ThrottledMail -Profile AliyunQiye -SmtpServer 127.0.0.1 -From 'notices@example.test' -Subject 's' -Body 'b' -LedgerPath $ledger -ErrorAction Stop } |
            Should -Throw -ExpectedMessage 'Cannot send through 127.0.0.1:465 (SslOnConnect)*'
        { 't@example.test' | Send-ThrottledMail -Profile AliyunQiye -SmtpServer 127.0.0.1 -Port $Server.SmtpPort -From 'notices@example.test' -Subject 's' -Body 'b' -LedgerPath $ledger -ErrorAction Stop } |
            Should -Throw -ExpectedMessage "Cannot send through 127.0.0.1:$($Server.SmtpPort) (SslOnConnect)*"
        @(Get-Smtp4devMessage $Server).Count | Should -Be 0
    }

    It 'sends under the profile''s limits, explicit values override them, and Get-SendQuota -Profile shows them with the use' {
        $ledger = New-TestLedgerPath
        $r = 1..3 | ForEach-Object { "staff$_@example.test" } |
            Send-ThrottledMail -Profile AliyunQiye -SmtpServer 127.0.0.1 -Port $Server.SmtpPort -SecureSocketOptions None -MinInterval 0 `
                -From 'notices@example.test' -Subject 'Hello' -Body 'b' -LedgerPath $ledger -WarningVariable warnings
        $r.Status | Should -Be @('Sent', 'Sent', 'Sent')
        $warnings | Should -BeNullOrEmpty
        @(Get-Smtp4devMessage $Server).Count | Should -Be 3

        $quota = Get-SendQuota -Profile AliyunQiye -Account notices@example.test -LedgerPath $ledger
        $quota | ForEach-Object { "$($_.Window) $($_.Unit) $($_.Limit) $($_.Used)" } |
            Should -Be @('Minute Messages 10 3', 'Hour Messages 200 3', 'Day Messages 1000 3', 'Day Recipients 1000 3')
        ($quota | Where-Object Window -EQ Minute).Remaining | Should -Be 7

        # the account remembers the profile's limits (with the explicit MinInterval), so a later run needs neither
        $remembered = Get-SendQuota -Account notices@example.test -LedgerPath $ledger
        $remembered.Limit | Should -Be @(10, 200, 1000, 1000)
        $stored = [MailQuota.Core.Storage.Sqlite.SqliteLedger]::new($ledger)
        try { $stored.GetPolicy('notices@example.test').MinInterval | Should -Be ([TimeSpan]::Zero) } finally { $stored.Dispose() } # the explicit value, not the profile's 2 s
        $next = 'staff4@example.test' | Send-ThrottledMail -SmtpServer 127.0.0.1 -Port $Server.SmtpPort -From 'notices@example.test' -Subject 'Hello' -Body 'b' -LedgerPath $ledger -Verbose 4>&1
        $next.Status | Should -Be 'Sent'
        ($next | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -match '10 messages per minute.*remembered policy' | Should -HaveCount 1
    }

    It 'counts two senders under one login as one account on a provider that counts per login' {
        $profiles = New-TestProfilePath
        $ledger = New-TestLedgerPath
        (New-SendProfile LoginRelay -SmtpServer 127.0.0.1 -Port $Server.SmtpPort -SecureSocketOptions None -MaxPerDay 50 -CountsPer Login -ProfilePath $profiles).CountsPer |
            Should -Be 'Login'
        $cred = [pscredential]::new('Mailer@Example.test', (ConvertTo-SecureString 'x-Pa55' -AsPlainText -Force))
        $send = @{ Profile = 'LoginRelay'; ProfilePath = $profiles; LedgerPath = $ledger; Credential = $cred; AllowUnencryptedAuthentication = $true; Subject = 's'; Body = 'b' }
        ('a1@example.test', 'a2@example.test' | Send-ThrottledMail @send -From 'sales@example.test').Status | Should -Be @('Sent', 'Sent')
        ('b1@example.test' | Send-ThrottledMail @send -From 'Support@example.test').Status | Should -Be 'Sent'
        (Get-Smtp4devMessage $Server).from | Sort-Object -Unique | Should -Be @('sales@example.test', 'Support@example.test')

        # one account, the login's, with one window holding all three messages
        $quota = @(Get-SendQuota -LedgerPath $ledger)
        $quota.Account | Sort-Object -Unique | Should -Be 'mailer@example.test'
        ($quota | Where-Object Window -EQ Day).Used | Should -Be 3

        # without a login, or on a profile that counts per sender, each -From is its own account
        Set-SendProfile LoginRelay -CountsPer Sender -ProfilePath $profiles
        $send.Remove('Credential')
        'c1@example.test' | Send-ThrottledMail @send -From 'sales@example.test' | Out-Null
        (Get-SendQuota -LedgerPath $ledger).Account | Sort-Object -Unique | Should -Be @('mailer@example.test', 'sales@example.test')
    }

    It 'shows a profile''s whole quota for an account that has not sent yet' {
        $quota = Get-SendQuota -Profile ExchangeOnline -Account 'new@example.test' -LedgerPath (New-TestLedgerPath)
        $quota | ForEach-Object { "$($_.Window) $($_.Unit) $($_.Limit) $($_.Remaining)" } | Should -Be @('Minute Messages 30 30', 'Day Recipients 10000 10000')
    }

    It 'stops before any row when the profile does not exist' {
        $ledger = New-TestLedgerPath
        { 'x@example.test' | Send-ThrottledMail -Profile NoSuchProvider -From 'a@example.test' -Subject 's' -Body 'b' -LedgerPath $ledger -ErrorAction Stop } |
            Should -Throw -ExpectedMessage "There is no profile 'NoSuchProvider'. Known profiles: AliyunQiye*"
        Test-Path $ledger | Should -BeFalse
    }

    It 'a custom profile saved in one pwsh process is used by a second one, as a scheduled task would' {
        $profiles = New-TestProfilePath
        $ledger = New-TestLedgerPath
        $saved = Invoke-ChildPwsh "`$env:MAILQUOTAPS_PROFILES = '$profiles'; Import-Module '$ModulePath'
            New-SendProfile LocalRelay -SmtpServer 127.0.0.1 -Port $($Server.SmtpPort) -SecureSocketOptions None -MaxPerMinute 7 -MaxPerDay 70 -Description 'the test relay' | Out-Null
            'saved'"
        $saved.ExitCode | Should -Be 0
        $saved.Output | Should -Contain 'saved'

        $task = Invoke-ChildPwsh "`$env:MAILQUOTAPS_PROFILES = '$profiles'; `$env:MAILQUOTAPS_LEDGER = '$ledger'; Import-Module '$ModulePath'
            'a@example.test', 'b@example.test' | Send-ThrottledMail -Profile LocalRelay -From 'task@example.test' -Subject 'Nightly' -Body 'report' |
                ForEach-Object { 'result ' + `$_.Status }"
        $task.ExitCode | Should -Be 0
        $task.Output | Where-Object { $_ -like 'result *' } | Should -Be @('result Sent', 'result Sent')
        (Get-Smtp4devMessage $Server).subject | Should -Be @('Nightly', 'Nightly')
        $quota = Get-SendQuota -LedgerPath $ledger -Account task@example.test
        $quota | ForEach-Object { "$($_.Window) $($_.Limit) $($_.Used)" } | Should -Be @('Minute 7 2', 'Day 70 2')
    }
}
