# The fleet ledger end to end: the cmdlets on a PostgreSQL ledger in a throwaway cluster
# (tests/Postgres.psm1). Skipped with the reason where PostgreSQL is missing; under CI that fails.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    . (Join-Path $PSScriptRoot 'SendHistory.ps1')
    Import-Module (Join-Path $PSScriptRoot '../Postgres.psm1') -Force
    $script:Unavailable = Get-PostgresUnavailableReason
    if ($Unavailable -and $env:CI) { throw "CI must run the PostgreSQL tests, but: $Unavailable" }
    if (-not $Unavailable) { $script:Cluster = Start-PostgresCluster }
    $script:Server = Start-Smtp4dev
}
AfterAll {
    if ($script:Server) { Stop-Smtp4dev $script:Server }
    if ($script:Cluster) { Stop-PostgresCluster $script:Cluster }
}

Describe 'The cmdlets on a PostgreSQL ledger' {
    BeforeEach {
        if ($Unavailable) { Set-ItResult -Skipped -Because $Unavailable; return }
        Clear-Smtp4dev $Server
        $script:Ledger = New-PostgresLedgerDatabase $Cluster
        $script:Send = @{ SmtpServer = '127.0.0.1'; Port = $Server.SmtpPort; SecureSocketOptions = 'None'; From = 'hr@contoso.test'; LedgerPath = $Ledger }
    }

    It 'Send-ThrottledMail sends, Get-SendQuota counts, Get-SendLog lists, and a rerun sends nothing twice' {
        $rows = 1..4 | ForEach-Object { [pscustomobject]@{ Email = "staff$_@contoso.test"; Name = "Staff $_" } }
        $sent = @($rows | Send-ThrottledMail @Send -Subject 'Notice' -Body 'Hello {{Name}}' -MaxPerMinute 30 -Campaign 'pg-notice')
        $sent.Status | Should -Be (@('Sent') * 4)
        $quota = Get-SendQuota -LedgerPath $Ledger -Account hr@contoso.test
        ($quota | Where-Object Window -EQ 'Minute').Used | Should -Be 4
        ($quota | Where-Object Window -EQ 'Minute').Limit | Should -Be 30
        $log = @(Get-SendLog -LedgerPath $Ledger -Campaign 'pg-notice')
        $log.Recipient | Should -Be $rows.Email
        $log.MessageId | Should -Be $sent.MessageId
        $again = @($rows | Send-ThrottledMail @Send -Subject 'Notice' -Body 'Hello {{Name}}' -MaxPerMinute 30 -Campaign 'pg-notice')
        $again.Status | Sort-Object -Unique | Should -Be 'Skipped'
        @(Get-Smtp4devMessage $Server).Count | Should -Be 4
    }

    It 'takes the connection from $env:MAILQUOTAPS_LEDGER as a postgresql:// URI' {
        $database = ($Ledger -split ';' | Where-Object { $_ -like 'Database=*' }) -replace '^Database='
        $env:MAILQUOTAPS_LEDGER = "postgresql://postgres@127.0.0.1:$($Cluster.Port)/${database}?sslmode=disable"
        try {
            $send = $Send.Clone(); $send.Remove('LedgerPath')
            'one@contoso.test' | Send-ThrottledMail @send -Subject 'S' -Body 'B' -MaxPerMinute 10 | Out-Null
            (Get-SendLog).Recipient | Should -Be 'one@contoso.test'
        }
        finally { Remove-Item Env:MAILQUOTAPS_LEDGER }
        (Get-SendLog -LedgerPath $Ledger).Recipient | Should -Be 'one@contoso.test'
    }

    It 'Clear-SendLog deletes old sends and the windows stay exact' {
        $now = [DateTimeOffset]::UtcNow
        Add-TestSend $Ledger 'hr@contoso.test' -At $now.AddDays(-40), $now.AddDays(-35) -Campaign 'old'
        'new@contoso.test' | Send-ThrottledMail @Send -Subject 'S' -Body 'B' -MaxPerDay 100 | Out-Null
        $cleared = Clear-SendLog -Before (Get-Date).AddDays(-30) -LedgerPath $Ledger -Confirm:$false
        $cleared.Sends | Should -Be 2
        (Get-SendLog -LedgerPath $Ledger).Recipient | Should -Be 'new@contoso.test'
        (Get-SendQuota -LedgerPath $Ledger -Account hr@contoso.test | Where-Object Window -EQ 'Day').Used | Should -Be 1
    }

    It 'Import-MailRecipient -ExcludeBounced leaves out the hard bounces the ledger holds' {
        Add-TestSend $Ledger 'hr@contoso.test' -At ([DateTimeOffset]::UtcNow.AddHours(-1)) -Recipient 'gone@contoso.test' -Status Failed -Reply '550 5.1.1 <gone@contoso.test>: user unknown'
        $csv = Join-Path ([IO.Path]::GetTempPath()) "pg-import-$([guid]::NewGuid().ToString('N')).csv"
        "Email,Name`r`ngone@contoso.test,Gone`r`nstay@contoso.test,Stay`r`n" | Set-Content $csv -Encoding utf8
        try {
            $rows = @(Import-MailRecipient $csv -ExcludeBounced -LedgerPath $Ledger -Verbose 4>&1)
            @($rows | Where-Object { $_ -is [MailQuotaPS.MailRecipient] }).Email | Should -Be 'stay@contoso.test'
            ($rows | Where-Object { $_ -is [Management.Automation.VerboseRecord] }).Message | Should -Contain "'$(($Ledger -split ';' | Where-Object { $_ -like 'Database=*' }) -replace '^Database=')' on 127.0.0.1:$($Cluster.Port): 1 address bounced for good, to exclude."
        }
        finally { Remove-Item $csv }
    }

    It 'Test-MailContentDuplication compares with the sends another process made through the database' {
        $body = "Dear {{Name}}, your payslip for November is ready: {{Amount}}. Regards, Payroll"
        $rows = 1..3 | ForEach-Object { [pscustomobject]@{ Email = "p$_@contoso.test"; Name = "Person $_"; Amount = "$(1000 + $_).00" } }
        $rows | Send-ThrottledMail @Send -Subject 'Payslip' -Body $body -MaxPerMinute 30 | Out-Null
        $new = [pscustomobject]@{ Email = 'new@contoso.test'; Name = 'Someone New'; Amount = '77.00' }
        $r = $new | Test-MailContentDuplication -Subject 'Payslip' -Body $body -From 'hr@contoso.test' -LedgerPath $Ledger -MaxNearDuplicatesPerHour 10
        $r.NearDuplicateCount | Should -Be 3
        $r.Similarity | Should -BeGreaterThan 0.7
    }

    It 'signs in with -LedgerCredential and never shows the password, not even in verbose output or errors' {
        $asSecret = $Ledger -replace 'Username=postgres', 'Username=mq_secret'
        $password = 's3cret-Pa55-word'
        $credential = [pscredential]::new('mq_secret', (ConvertTo-SecureString $password -AsPlainText -Force))
        $out = 'c@contoso.test' | Send-ThrottledMail @Send -LedgerPath $asSecret -LedgerCredential $credential -Subject 'S' -Body 'B' -MaxPerMinute 10 -Verbose 4>&1 *>&1 | Out-String
        $out | Should -Match "ledger 't_"
        $out | Should -Not -Match $password
        (Get-SendLog -LedgerPath $asSecret -LedgerCredential $credential).Recipient | Should -Be 'c@contoso.test'

        $wrong = [pscredential]::new('mq_secret', (ConvertTo-SecureString 'Wr0ng-Pa55-guess' -AsPlainText -Force))
        $err = { Get-SendLog -LedgerPath $asSecret -LedgerCredential $wrong -ErrorAction Stop } | Should -Throw -ErrorId 'LedgerUnavailable,MailQuotaPS.GetSendLogCommand' -PassThru
        "$err $($err.Exception)" | Should -Not -Match 'Wr0ng-Pa55-guess'
        $err.Exception.Message | Should -Match 'password authentication failed'
        { Get-SendLog -LedgerPath "$asSecret;Password=$password" -ErrorAction Stop } | Should -Throw -ErrorId 'LedgerConnectionInvalid,MailQuotaPS.GetSendLogCommand'
    }

    It 'Copy-SendLedger moves a file''s history: the windows used still count, and a second copy adds nothing' {
        $file = New-TestLedgerPath
        $rows = 1..3 | ForEach-Object { "moved$_@contoso.test" }
        $rows | Send-ThrottledMail @Send -LedgerPath $file -Subject 'S' -Body 'B' -MaxPerMinute 4 -Campaign 'move' | Out-Null
        Copy-SendLedger -From $file -To $Ledger -WhatIf
        @(Get-SendLog -LedgerPath $Ledger).Count | Should -Be 0
        $first = Copy-SendLedger -From $file -To $Ledger
        $first.Sends | Should -Be 3
        $first.CampaignRows | Should -Be 3
        (Copy-SendLedger -From $file -To $Ledger).Sends | Should -Be 0
        (Get-SendLog -LedgerPath $Ledger).Recipient | Should -Be $rows
        # The campaign's rerun on the database skips the copied rows, and the minute has one message left.
        $again = @($rows + 'new@contoso.test' + 'later@contoso.test' | Send-ThrottledMail @Send -Subject 'S' -Body 'B' -MaxPerMinute 4 -Campaign 'move' -MaxWait 00:00:00 -ErrorAction SilentlyContinue)
        @($again | Where-Object Status -EQ Skipped).Count | Should -Be 3
        @($again | Where-Object Status -EQ Sent).Recipient | Should -Be 'new@contoso.test'
        @($again | Where-Object Status -EQ Deferred).Recipient | Should -Be 'later@contoso.test'
        { Copy-SendLedger -From $Ledger -To $file -ErrorAction Stop } | Should -Throw -ErrorId 'LedgerCopyDirection,MailQuotaPS.CopySendLedgerCommand'
    }
}
