# The fleet ledger's acceptance: real pwsh processes standing for hosts whose clocks disagree,
# sending through one PostgreSQL ledger to smtp4dev, counted from the server's own receive times;
# and the database stopped mid-run. Skipped with the reason where PostgreSQL is missing; under CI that fails.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    Import-Module (Join-Path $PSScriptRoot '../Postgres.psm1') -Force
    $script:Unavailable = Get-PostgresUnavailableReason
    if ($Unavailable -and $env:CI) { throw "CI must run the PostgreSQL tests, but: $Unavailable" }
    if (-not $Unavailable) { $script:Cluster = Start-PostgresCluster }
    $script:Server = Start-Smtp4dev

    # Starts a pwsh process as another host would run the module: its own host clock moved by
    # $ClockOffset seconds (the module's test-only MAILQUOTAPS_TEST_HOST_CLOCK_OFFSET), stdout and
    # stderr to files. Returns the process and the files.
    function Start-Host([string] $Script, [double] $ClockOffset) {
        $exe = (Get-Process -Id $PID).Path
        $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
        $full = "`$env:MAILQUOTAPS_TEST_HOST_CLOCK_OFFSET = '$ClockOffset'`nImport-Module '$ModulePath'`n$Script"
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($full))
        $out = Join-Path ([IO.Path]::GetTempPath()) "mqps-host-$([guid]::NewGuid().ToString('N')).out"
        $process = Start-Process -FilePath $exe -ArgumentList ($prefix + @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)) `
            -RedirectStandardOutput $out -RedirectStandardError "$out.err" -PassThru
        [pscustomobject]@{ Process = $process; Out = $out }
    }

    function Wait-Host($Hosts) {
        foreach ($h in $Hosts) {
            if (-not $h.Process.WaitForExit(600000)) { $h.Process.Kill($true); throw 'a host process did not finish in 10 minutes' }
            $h.Process.WaitForExit()   # and its output is flushed
        }
        foreach ($h in $Hosts) {
            [pscustomobject]@{ ExitCode = $h.Process.ExitCode; Output = (Get-Content $h.Out -Raw) + (Get-Content "$($h.Out).err" -Raw) }
            Remove-Item $h.Out, "$($h.Out).err" -ErrorAction SilentlyContinue
        }
    }
}
AfterAll {
    if ($script:Server) { Stop-Smtp4dev $script:Server }
    if ($script:Cluster) { Stop-PostgresCluster $script:Cluster }
}

Describe 'Four hosts with skewed clocks share one quota through PostgreSQL' {
    BeforeEach {
        if ($Unavailable) { Set-ItResult -Skipped -Because $Unavailable; return }
        Clear-Smtp4dev $Server
    }

    It 'the test hook moves a host''s clock: a file ledger keeps its stamp, the PostgreSQL ledger the server''s' {
        $file = New-TestLedgerPath
        $pg = New-PostgresLedgerDatabase $Cluster
        $send = "'x@example.test' | Send-ThrottledMail -SmtpServer 127.0.0.1 -Port $($Server.SmtpPort) -SecureSocketOptions None -From hr@example.test -Subject S -Body B -MaxPerMinute 10"
        $results = Wait-Host @((Start-Host "$send -LedgerPath '$file'" 3600), (Start-Host "$send -LedgerPath '$pg'" 3600))
        $results.ExitCode | Should -Be @(0, 0)
        $now = [DateTimeOffset]::UtcNow
        ((Get-SendLog -LedgerPath $file).ReservedAt - $now).TotalMinutes | Should -BeGreaterThan 55     # the host's clock, an hour ahead
        [math]::Abs(((Get-SendLog -LedgerPath $pg).ReservedAt - $now).TotalSeconds) | Should -BeLessThan 60   # the server's
    }

    It '4 processes x 25 rows at -MaxPerMinute 40: all 100 delivered once, no 60 s at the server holds more than 40' {
        $ledger = New-PostgresLedgerDatabase $Cluster
        $offsets = @(-90, -30, 45, 90)
        $hosts = for ($h = 0; $h -lt 4; $h++) {
            Start-Host @"
`$rows = 1..25 | ForEach-Object { [pscustomobject]@{ Email = "host$h-row`$_@example.test"; Name = "Row `$_" } }
`$r = `$rows | Send-ThrottledMail -SmtpServer 127.0.0.1 -Port $($Server.SmtpPort) -SecureSocketOptions None -From fleet@example.test -Subject 'Fleet {{Name}}' -Body 'Hello {{Name}} from host $h' -MaxPerMinute 40 -Campaign 'fleet-host$h' -LedgerPath '$ledger' -WarningAction SilentlyContinue
"sent=`$(@(`$r | Where-Object Status -EQ Sent).Count)"
"@ $offsets[$h]
        }
        $results = Wait-Host $hosts
        $results.ExitCode | Should -Be @(0, 0, 0, 0)
        foreach ($r in $results) { $r.Output | Should -Match 'sent=25' }

        $messages = @(Get-Smtp4devMessage $Server)
        $messages.Count | Should -Be 100
        @($messages | ForEach-Object { "$($_.to)" } | Sort-Object -Unique).Count | Should -Be 100
        $times = @($messages | ForEach-Object { ([DateTimeOffset]$_.receivedDate).ToUnixTimeMilliseconds() } | Sort-Object)
        $busiest = 0
        for ($i = 0; $i -lt $times.Count; $i++) {
            $n = @($times | Where-Object { $_ -ge $times[$i] -and $_ -lt $times[$i] + 60000 }).Count
            if ($n -gt $busiest) { $busiest = $n }
        }
        Write-Host "    busiest 60 s at the server: $busiest messages; span $([math]::Round(($times[-1] - $times[0]) / 1000)) s"
        $busiest | Should -BeLessOrEqual 40
        $busiest | Should -BeGreaterThan 30                    # and the quota was used, not wasted
    }
}

Describe 'The PostgreSQL server stops in the middle of a run' {
    BeforeEach {
        if ($Unavailable) { Set-ItResult -Skipped -Because $Unavailable; return }
        Clear-Smtp4dev $Server
    }

    It 'ends with LedgerUnavailable naming the rows not sent, and a rerun after the restart sends the rest with 0 duplicates' {
        $ledger = New-PostgresLedgerDatabase $Cluster
        $send = @"
`$rows = 1..30 | ForEach-Object { [pscustomobject]@{ Email = "fault`$_@example.test"; Name = "Row `$_" } }
`$rows | Send-ThrottledMail -SmtpServer 127.0.0.1 -Port $($Server.SmtpPort) -SecureSocketOptions None -From fault@example.test -Subject 'Fault {{Name}}' -Body 'Hello {{Name}}' -MaxPerMinute 600 -MinInterval 00:00:00.3 -Campaign 'fault' -LedgerPath '$ledger' -WarningAction SilentlyContinue | Out-Null
"@
        $run = Start-Host "try { $send } catch { 'ERRORID=' + `$_.FullyQualifiedErrorId; 'ACTION=' + `$_.ErrorDetails.RecommendedAction; exit 3 }" 0
        # Stop the server once some rows are through: the run is mid-way (the rows are 0.3 s apart).
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (@(Get-Smtp4devMessage $Server).Count -lt 5) {
            if ([DateTime]::UtcNow -gt $deadline) { throw 'the run did not start' }
            $null = $run.Process.WaitForExit(100)
        }
        Stop-PostgresServer $Cluster
        try { $result = Wait-Host @($run) }
        finally { Start-PostgresServer $Cluster }
        $result.ExitCode | Should -Be 3
        $result.Output | Should -Match 'ERRORID=LedgerUnavailable,MailQuotaPS.SendThrottledMailCommand'
        $result.Output | Should -Match 'ACTION=Row \d+ was stopped and the rows after it were not sent'
        $before = @(Get-Smtp4devMessage $Server).Count
        $before | Should -BeLessThan 30

        $rows = 1..30 | ForEach-Object { [pscustomobject]@{ Email = "fault$_@example.test"; Name = "Row $_" } }
        $rerun = @($rows | Send-ThrottledMail -SmtpServer 127.0.0.1 -Port $Server.SmtpPort -SecureSocketOptions None -From fault@example.test -Subject 'Fault {{Name}}' -Body 'Hello {{Name}}' -MaxPerMinute 600 -Campaign 'fault' -LedgerPath $ledger -WarningAction SilentlyContinue -ErrorAction SilentlyContinue)
        $delivered = @(Get-Smtp4devMessage $Server | ForEach-Object { "$($_.to)" })
        $duplicates = @($delivered | Group-Object | Where-Object Count -GT 1)
        Write-Host "    before the stop: $before delivered; rerun: $(@($rerun | Where-Object Status -EQ Sent).Count) sent, $(@($rerun | Where-Object Status -NE Sent).Count) skipped or unknown"
        $duplicates.Count | Should -Be 0
        @($delivered | Sort-Object -Unique).Count | Should -Be 30
    }
}
