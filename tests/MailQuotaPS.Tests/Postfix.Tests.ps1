BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    Import-Module (Join-Path $PSScriptRoot '../Postfix.psm1') -Force
    $script:Unavailable = Get-PostfixUnavailableReason
    # A developer's machine may lack Postfix; CI installs it (.ci/run), so there a skip is a failure.
    if ($Unavailable -and $env:CI) { throw "CI must run the Postfix tests, but: $Unavailable" }
}

Describe 'Send-ThrottledMail against a real Postfix relay with an anvil rate limit' {
    BeforeEach {
        if ($Unavailable) { return }
        # 20 messages per 30 s per client; past it Postfix answers MAIL with 450 4.7.1 and, since it
        # pipelines, the RCPT and DATA behind it with 503 5.5.1.
        $script:Postfix = Start-Postfix -MessageRateLimit 20 -RateWindow 30s
    }
    AfterEach { if ($script:Postfix) { Stop-Postfix $script:Postfix; $script:Postfix = $null } }

    It 'delivers all 60 rows exactly once in one run, cuts the pace at the first 450 and fails no row on the 503s' {
        if ($Unavailable) { Set-ItResult -Skipped -Because $Unavailable; return }
        $rows = 1..60 | ForEach-Object { [pscustomobject]@{ Email = "user$_@example.test"; Name = "User $_" } }
        $r = $rows | Send-ThrottledMail -SmtpServer 127.0.0.1 -Port $Postfix.SmtpPort -SecureSocketOptions None `
            -From 'notices@corp.test' -Subject 'Hi {{Name}}' -Body 'Dear {{Name}}, the notice.' -MaxPerMinute 120 `
            -LedgerPath (New-TestLedgerPath) -Campaign 'postfix' -ErrorVariable errs

        $r.Count | Should -Be 60
        @($r | Where-Object Status -NE 'Sent').Count | Should -Be 0
        $errs.Count | Should -Be 0

        # What Postfix itself says: every message delivered (discarded) once, and how often it throttled.
        # Its queue manager delivers after smtpd took the message: poll its log until all 60 are there.
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ($true) {
            $log = Get-PostfixLog $Postfix
            $sent = @($log | Select-String 'status=sent')
            if ($sent.Count -ge 60 -or [DateTime]::UtcNow -gt $deadline) { break }
            Start-Sleep -Milliseconds 200
        }
        $sent.Count | Should -Be 60
        $to = $sent | ForEach-Object { if ($_.Line -match 'to=<([^>]+)>') { $Matches[1] } }
        @($to | Sort-Object -Unique).Count | Should -Be 60
        $throttles = @($log | Select-String 'rate limit exceeded').Count
        Write-Host "    Postfix throttle replies (450 4.7.1): $throttles, $($throttles - 1) after the first"
        $throttles | Should -BeGreaterThan 0          # the limit was really reached
        $throttles | Should -BeLessOrEqual 8          # the pace was cut: at the policy's 2/s the relay would refuse dozens
        # After a throttled message finally goes, the next one waits the cut pace (the 1 s floor
        # less one recovery step), where the policy alone would send every 0.5 s.
        $bySent = @($r | Sort-Object SentAt)
        $retried = @($r | Where-Object Attempts -GT 1)
        $retried.Count | Should -BeGreaterThan 0
        $firstRetried = $retried | Sort-Object SentAt | Select-Object -First 1
        $next = $bySent | Where-Object { $_.SentAt -gt $firstRetried.SentAt } | Select-Object -First 1
        ($next.SentAt - $firstRetried.SentAt).TotalSeconds | Should -BeGreaterOrEqual 0.85
    }
}
