BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    . (Join-Path $PSScriptRoot 'SendHistory.ps1')
    $script:Server = Start-Smtp4dev
}
AfterAll { if ($script:Server) { Stop-Smtp4dev $script:Server } }

Describe 'Get-SendLog' {
    BeforeAll {
        $script:Ledger = New-TestLedgerPath
        $now = [DateTimeOffset]::UtcNow
        # campaign history written through the core, oldest first (the ledger keeps each account's
        # times in order): failed and sent rows of two campaigns...
        Add-TestSend $Ledger 'hr@contoso.test' -Campaign 'Payroll-Nov' -Status Failed -Reply '550 5.1.1 user unknown' -At $now.AddHours(-3) -Recipient 'gone1@contoso.test'
        Add-TestSend $Ledger 'hr@contoso.test' -Campaign 'Payroll-Nov' -At $now.AddHours(-3).AddMinutes(1) -Recipient 'ok@contoso.test'
        Add-TestSend $Ledger 'hr@contoso.test' -Campaign 'Payroll-Nov' -Status Failed -Reply '550 5.1.1 user unknown' -At $now.AddHours(-2) -Recipient 'gone2@fabrikam.test'
        Add-TestSend $Ledger 'hr@contoso.test' -Campaign 'Payroll-Dec' -Status Failed -Reply '550 5.1.1 user unknown' -At $now.AddHours(-1) -Recipient 'other@contoso.test'
        Add-TestSend $Ledger 'it@contoso.test' -Campaign 'Payroll-Nov' -Status Failed -Reply '554 reject by content spam' -At $now.AddMinutes(-30) -Recipient 'it1@contoso.test'
        # ...and real sends through the server
        $script:Sent = 1..3 | ForEach-Object { "staff$_@contoso.test" } |
            Send-ThrottledMail -SmtpServer 127.0.0.1 -Port $Server.SmtpPort -From 'hr@contoso.test' -Subject 'Payslip' -Body 'b' -MaxPerMinute 100 -LedgerPath $Ledger
    }

    It '-Campaign X -Status Failed | Export-Csv lists exactly the failed rows of that campaign' {
        $csv = Join-Path ([IO.Path]::GetTempPath()) "audit-$([guid]::NewGuid().ToString('N')).csv"
        Get-SendLog -Campaign 'Payroll-Nov' -Status Failed -LedgerPath $Ledger | Export-Csv $csv -NoTypeInformation
        $rows = Import-Csv $csv
        $rows.Recipient | Should -Be @('gone1@contoso.test', 'gone2@fabrikam.test', 'it1@contoso.test')
        $rows.Status | Sort-Object -Unique | Should -Be 'Failed'
        $rows.Campaign | Sort-Object -Unique | Should -Be 'Payroll-Nov'
        $rows[2].Reply | Should -Be '554 reject by content spam'
        $columns = $rows[0].PSObject.Properties.Name
        foreach ($c in 'Time', 'Account', 'Campaign', 'Recipient', 'Status', 'MessageId', 'Reply', 'Attempts') { $columns | Should -Contain $c }
        $rows | ForEach-Object { $_.MessageId | Should -Not -BeNullOrEmpty; $_.Attempts | Should -Be 1 }
    }

    It 'shows what Send-ThrottledMail sent, with the message id and the server''s reply' {
        $log = Get-SendLog -Account 'hr@contoso.test' -Status Sent -Recipient 'staff*' -LedgerPath $Ledger
        $log.Recipient | Should -Be @('staff1@contoso.test', 'staff2@contoso.test', 'staff3@contoso.test')
        $log.MessageId | Should -Be $Sent.MessageId
        $log | ForEach-Object { $_.Reply | Should -Match '^250 ' ; $_.Campaign | Should -BeLike 'auto-*' }   # a campaign derived from account and content
        [math]::Abs(($log[0].Time - $Sent[0].SentAt).TotalSeconds) | Should -BeLessThan 1
    }

    It 'filters by recipient wildcard, account and time range' {
        (Get-SendLog -Recipient '*@FABRIKAM.test' -LedgerPath $Ledger).Recipient | Should -Be 'gone2@fabrikam.test'
        (Get-SendLog IT* -LedgerPath $Ledger).Recipient | Should -Be 'it1@contoso.test'
        $window = Get-SendLog -After (Get-Date).AddMinutes(-150) -Before (Get-Date).AddMinutes(-10) -LedgerPath $Ledger
        $window.Recipient | Should -Be @('gone2@fabrikam.test', 'other@contoso.test', 'it1@contoso.test')
    }

    It 'shows as Sent, in another process, what a run waiting for its next input row has sent' {
        # A run writes a Sent with its next reservation; here its input stops after three rows (as
        # Get-Content -Wait would) until the test lets the fourth through.
        $ledger = New-TestLedgerPath
        $release = "$ledger.release"
        $child = @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
Import-Module '$ModulePath'
& { 1..3 | ForEach-Object { "waiting`$_@contoso.test" }; while (-not (Test-Path '$release')) { Start-Sleep -Milliseconds 20 }; 'waiting4@contoso.test' } |
    Send-ThrottledMail -SmtpServer 127.0.0.1 -Port $($Server.SmtpPort) -From 'wait@contoso.test' -Subject 'Notice' -Body 'b' -MaxPerMinute 100 -LedgerPath '$ledger' -InformationAction Ignore |
    ForEach-Object { [Console]::Out.WriteLine("result `$(`$_.Recipient) `$(`$_.Status)") }
"@
        $process = Start-ChildPwsh $child
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (@(Get-Smtp4devMessage $Server | Where-Object { $_.to -like 'waiting*' }).Count -lt 3) {
                if ($process.HasExited -or [DateTime]::UtcNow -gt $deadline) { throw "the three messages did not arrive (child exited: $($process.HasExited))" }
                Start-Sleep -Milliseconds 100
            }
            # The server has a message a moment before the run has its reply: wait for the three replies.
            while (@(Get-SendLog -Status Sent -LedgerPath $ledger).Count -lt 3) {
                if ($process.HasExited -or [DateTime]::UtcNow -gt $deadline) { throw "the three messages do not read Sent (child exited: $($process.HasExited))" }
                Start-Sleep -Milliseconds 100
            }
            $process.HasExited | Should -BeFalse -Because 'the run waits for its fourth row'

            $log = @(Get-SendLog -Recipient 'waiting*' -LedgerPath $ledger)
            $log.Recipient | Should -Be @('waiting1@contoso.test', 'waiting2@contoso.test', 'waiting3@contoso.test')
            $log | ForEach-Object { $_.Status | Should -Be 'Sent'; $_.Reply | Should -Match '^250 ' }
            @(Get-SendLog -Status InFlight -LedgerPath $ledger).Count | Should -Be 0
            # Read from the running run's go-ahead journal, which the reader left in place: only the
            # journal of a process that ended is folded into the ledger and removed.
            @(Get-ChildItem "$ledger-goahead-*.log").Count | Should -Be 1

            New-Item -ItemType File $release | Out-Null
            $output = $process.StandardOutput.ReadToEnd()
            $process.WaitForExit()
            $process.ExitCode | Should -Be 0
            ($output -split "`n" | Where-Object { $_ -like 'result *' }).Count | Should -Be 4
            (Get-SendLog -Status Sent -LedgerPath $ledger).Recipient | Should -Be (1..4 | ForEach-Object { "waiting$_@contoso.test" })
        }
        finally { if (-not $process.HasExited) { $process.Kill() } }
    }

    It 'has a table view that fits 120 columns' {
        $text = Get-SendLog -LedgerPath $Ledger | Out-String -Width 120
        $lines = $text -split "`n"
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 120 }
        $lines[1] | Should -Match '^Time\s+Account\s+Campaign\s+Recipient\s+Status\s+Att\s+Reply'
        $text | Should -Match 'gone2@fabrikam\.test\s+Failed\s+1 550 5\.1\.1'
    }
}

Describe 'Clear-SendLog' {
    It 'deletes old sends but refuses to forget sends that still count against a quota' {
        $ledger = New-TestLedgerPath
        $now = [DateTimeOffset]::UtcNow
        Add-TestSend $ledger 'hr@contoso.test' -At $now.AddDays(-40), $now.AddDays(-35) -Recipient 'old1@contoso.test', 'old2@contoso.test'
        Add-TestSend $ledger 'hr@contoso.test' -At $now.AddHours(-1) -Recipient 'recent@contoso.test'

        { Clear-SendLog -Before (Get-Date) -LedgerPath $ledger -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'BeforeInsideQuotaWindow,MailQuotaPS.ClearSendLogCommand'
        Clear-SendLog -Before (Get-Date).AddDays(-30) -LedgerPath $ledger -WhatIf
        (Get-SendLog -LedgerPath $ledger).Count | Should -Be 3

        $cleared = Clear-SendLog -Before (Get-Date).AddDays(-30) -LedgerPath $ledger -Confirm:$false
        $cleared.Sends | Should -Be 2
        (Get-SendLog -LedgerPath $ledger).Recipient | Should -Be 'recent@contoso.test'
    }

    It 'asks for confirmation by default (ConfirmImpact High)' {
        $attribute = [MailQuotaPS.ClearSendLogCommand].GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $attribute.ConfirmImpact | Should -Be 'High'
        $attribute.SupportsShouldProcess | Should -BeTrue
    }
}
