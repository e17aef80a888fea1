BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    . (Join-Path $PSScriptRoot 'SendHistory.ps1')
    $script:Server = Start-Smtp4dev
}
AfterAll { if ($script:Server) { Stop-Smtp4dev $script:Server } }

Describe 'Volume alerts in Send-ThrottledMail' {
    BeforeAll {
        $script:Ledger = New-TestLedgerPath
        $account = 'bulk@example.test'
        $now = [DateTimeOffset]::UtcNow
        # A week of history: two busy hours a day, 30 and 50 recipients (the usual busy hour: 40).
        $end = [DateTimeOffset]::new($now.AddHours(-1).UtcTicks - $now.AddHours(-1).UtcTicks % [TimeSpan]::TicksPerHour, [TimeSpan]::Zero)
        $history = foreach ($day in 1..7) {
            $first = $end.AddDays(-$day).AddHours(1)
            0..29 | ForEach-Object { $first.AddMinutes($_) }
            0..49 | ForEach-Object { $first.AddHours(1).AddSeconds($_ * 60) }
        }
        Add-TestSend $Ledger $account -At $history
        # The last hour so far: 195 recipients, five short of 5 x 40.
        Add-TestSend $Ledger $account -At (0..194 | ForEach-Object { $now.AddMinutes(-50).AddSeconds($_ * 15) })

        Clear-Smtp4dev $Server
        $script:Runs = [System.Collections.Generic.List[object]]::new()
        $script:Results = 1..10 | ForEach-Object { "spike$_@example.test" } |
            Send-ThrottledMail -SmtpServer 127.0.0.1 -Port $Server.SmtpPort -From $account -Subject 'Now' -Body 'b' `
                -MaxPerMinute 1000 -MaxPerHour 5000 -MaxPerDay 5000 -LedgerPath $Ledger `
                -OnAlert { $script:Runs.Add($_) } -WarningVariable warnings -WarningAction SilentlyContinue
        $script:Warnings = $warnings
    }

    It 'sends every row' {
        $Results.Status | Sort-Object -Unique | Should -Be 'Sent'
        @(Get-Smtp4devMessage $Server).Count | Should -Be 10
    }

    It 'writes one warning when the last hour reaches five times the usual busy hour' {
        $Warnings.Count | Should -Be 1
        "$($Warnings[0])" | Should -Be 'bulk@example.test: 200 recipients in the last hour, 5.0 times its usual 40 an hour (the median busy hour of the previous 7 days).'
    }

    It 'records exactly one alert row in the ledger' {
        $rows = @(Invoke-LedgerQuery $Ledger 'SELECT account, kind, observed, threshold, message FROM alerts')
        $rows.Count | Should -Be 1
        $rows[0].account | Should -Be 'bulk@example.test'
        $rows[0].kind | Should -Be 'VolumeSpike'
        $rows[0].observed | Should -Be 200
        $rows[0].message | Should -Be "$($Warnings[0])"
    }

    It 'runs the -OnAlert block exactly once, with the alert as $_' {
        $Runs.Count | Should -Be 1
        $Runs[0].Kind | Should -Be 'VolumeSpike'
        $Runs[0].Observed | Should -Be 200
        $Runs[0].Id | Should -Be (Invoke-LedgerQuery $Ledger 'SELECT id FROM alerts').id
    }

    It 'raises nothing new in a later run while the alert is open' {
        $again = 'late@example.test' | Send-ThrottledMail -SmtpServer 127.0.0.1 -Port $Server.SmtpPort -From 'bulk@example.test' -Subject 'Now' -Body 'b' `
            -LedgerPath $Ledger -OnAlert { throw 'must not run' } -WarningVariable w -ErrorAction Stop
        $again.Status | Should -Be 'Sent'
        $w | Should -BeNullOrEmpty
        (Invoke-LedgerQuery $Ledger 'SELECT COUNT(*) AS n FROM alerts').n | Should -Be 1
    }

    It 'Get-SendQuota shows the open alert as a warning and on the account''s rows, within 120 columns' {
        $quota = Get-SendQuota -Account 'bulk@example.test' -LedgerPath $Ledger -WarningVariable w -WarningAction SilentlyContinue
        "$w" | Should -BeLike 'Open alert since *: bulk@example.test: 200 recipients in the last hour*'
        $quota | ForEach-Object { $_.Alerts.Kind | Should -Be 'VolumeSpike' }
        $text = $quota | Out-String -Width 120
        $text -split "`n" | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 120 }
        $text | Should -Match 'Day\s+Messages\s+5000\s+\d+\s+\d+ [\d-]+ [\d:]+ volume 200/h'
    }

    It 'reports a failing -OnAlert block as an error and goes on' {
        $ledger = New-TestLedgerPath
        Add-TestSend $ledger 'fail@example.test' -At (0..98 | ForEach-Object { [DateTimeOffset]::UtcNow.AddMinutes(-30).AddSeconds($_) })
        $r = 'x@example.test', 'y@example.test' | Send-ThrottledMail -SmtpServer 127.0.0.1 -Port $Server.SmtpPort -From 'fail@example.test' -Subject 's' -Body 'b' `
            -MaxPerMinute 1000 -LedgerPath $ledger -OnAlert { throw 'pager is down' } -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $r.Status | Should -Be @('Sent', 'Sent')
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'OnAlertFailed*'
        $errs[0].Exception.Message | Should -Match 'pager is down'
    }
}
