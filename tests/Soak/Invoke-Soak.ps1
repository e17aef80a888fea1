<#
.SYNOPSIS
    Fault-injection soak: a campaign sent through a server that fails at random, by a process
    killed at random, rerun until done; then what the server took is compared with the ledger.
.DESCRIPTION
    The scripted SMTP server (tests/ScriptedSmtpServer) drops connections at the DATA command, takes
    messages and loses their reply, throttles (454) and refuses with 421 and a hang-up, at random
    from -Seed. Real pwsh processes send the campaign (a CSV of -Rows rows, one SQLite ledger) with
    Send-ThrottledMail; the first -Kills of them are killed with SIGKILL at random moments (also from
    -Seed: some a few milliseconds after the process reported a row, some the moment the server
    took a message, before the process could record its reply), after which the same command is
    run again, without -RetryUnknown, until every row is
    Sent or Unknown. A row Unknown in the ledger was handed over (the end of its data was sent) and
    its outcome never learnt: its reply was lost, or its process was killed after the handover.
    Retrying those would deliver them twice, so the rerun never does.

    Then it counts, per row, the messages the server took (its record names each recipient and
    whether the reply to it was lost) and the row's last status in the ledger, and prints:
    rows, delivered once, delivered twice, lost, Unknown (with how many of those had their reply
    really lost, and how many were killed after the handover). It exits 1 when a row was delivered
    twice or never, when the ledger calls a delivered row anything but Sent or Unknown, or when a
    row is Unknown that neither lost its reply nor was in flight at a kill.
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Soak
    dotnet pwsh ./tests/Soak/Invoke-Soak.ps1 -Rows 200 -Kills 2 -Seed 7 -MaxConnections 4
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/MailQuotaPS'),
    [ValidateRange(1, 100000)] [int] $Rows = 1000,
    [ValidateRange(0, 1000)] [int] $Kills = 8,
    [int] $Seed = 20261130,
    [string] $Faults = 'drop=0.02,lose=0.02,throttle=0.005,close=0.005',
    [int] $MaxRuns = 40,
    [ValidateRange(1, 32)] [int] $MaxConnections = 1
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
Import-Module $ModulePath -Force
Import-Module (Join-Path $PSScriptRoot '../ScriptedSmtp.psm1') -Force

$started = [Diagnostics.Stopwatch]::StartNew()
$random = [Random]::new($Seed)
$work = Join-Path ([IO.Path]::GetTempPath()) "mqps-soak-$([guid]::NewGuid().ToString('N'))"
New-Item -ItemType Directory $work | Out-Null
$csv = Join-Path $work 'campaign.csv'
$ledger = Join-Path $work 'ledger.db'
$addresses = 1..$Rows | ForEach-Object { 'soak{0:d5}@example.test' -f $_ }
$addresses | ForEach-Object { [pscustomobject]@{ Email = $_; Name = $_.Split('@')[0] } } | Export-Csv $csv -NoTypeInformation

$server = Start-ScriptedSmtp -Faults $Faults -Seed $Seed
Write-Host "Soak: $Rows rows, seed $Seed, faults $Faults, $Kills kills, $MaxConnections connection(s); server on port $($server.Port), ledger $ledger"

# One sending process: the campaign, as a scheduled task would run it. Each result is one line.
$send = @"
`$ErrorActionPreference = 'SilentlyContinue'
`$ProgressPreference = 'SilentlyContinue'
Import-Module '$ModulePath'
Import-Csv '$csv' | Send-ThrottledMail -SmtpServer 127.0.0.1 -Port $($server.Port) -SecureSocketOptions None ``
    -From 'soak@example.test' -Subject 'Soak {{Name}}' -Body 'Hello {{Name}}, this is row {{Name}} of the soak.' ``
    -CampaignId soak -LedgerPath '$ledger' -MaxPerMinute 60000 -MinInterval 0 -MaxAttempts 20 -MaxConnections $MaxConnections -WarningAction SilentlyContinue 2>`$null |
    ForEach-Object { 'result ' + `$_.Recipient + ' ' + `$_.Status }
"@
$exe = (Get-Process -Id $PID).Path
$prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
$encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($send))

# How many messages the server has taken so far (lines of its record), read as the record grows.
$record = [IO.FileStream]::new($server.Log, 'OpenOrCreate', 'Read', 'ReadWrite, Delete')
$script:taken = 0
function Get-TakenCount {
    $buffer = [byte[]]::new(65536)
    while (($n = $record.Read($buffer, 0, $buffer.Length)) -gt 0) {
        $script:taken += [Text.Encoding]::UTF8.GetString($buffer, 0, $n).Split("`n").Count - 1
    }
    $script:taken
}

# Runs the sending process. With $KillAfter it is killed (SIGKILL on Linux and macOS): in 'results'
# mode $Delay ms after it reported that many new sends (rows skipped as sent before do not count),
# a random moment in the life of a later message; in 'taken' mode as soon as the server has taken
# that many more messages, most often before the process recorded the reply: a kill after the
# handover. Returns the statuses it reported and whether it was killed.
function Invoke-SendingProcess([int] $KillAfter, [int] $Delay, [string] $Mode) {
    $info = [Diagnostics.ProcessStartInfo]::new($exe)
    foreach ($a in @($prefix) + @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true   # the wait notes and errors of its rows: not needed here
    $info.UseShellExecute = $false
    $process = [Diagnostics.Process]::Start($info)
    $null = $process.StandardError.ReadToEndAsync()
    $statuses = @{}
    $killed = $false
    if ($KillAfter -gt 0 -and $Mode -eq 'taken') {
        $output = $process.StandardOutput.ReadToEndAsync()
        $target = (Get-TakenCount) + $KillAfter
        while (-not $process.HasExited) {
            if ((Get-TakenCount) -ge $target) { $process.Kill(); $killed = $true; break }
            [Threading.Thread]::Sleep(1)   # polls the record: the kill's moment, not a synchronisation
        }
        $lines = $output.Result -split "`n"
    }
    else {
        $sent = 0
        $lines = while ($null -ne ($line = $process.StandardOutput.ReadLine())) {
            $line
            if ($KillAfter -gt 0 -and $line -match '^result \S+ (\S+)$' -and $Matches[1] -ne 'Skipped' -and ++$sent -ge $KillAfter) {
                [Threading.Thread]::Sleep($Delay)
                $process.Kill()
                $killed = $true
                break
            }
        }
    }
    foreach ($line in $lines) { if ($line -match '^result (\S+) (\S+)') { $statuses[$Matches[1]] = $Matches[2] } }
    $process.WaitForExit()
    [pscustomobject]@{ Statuses = $statuses; Killed = $killed; ExitCode = $process.ExitCode }
}

# --- send, kill, rerun until every row is Sent or Unknown
$runs = 0
$killsDone = 0
$done = $false
$settled = 0   # rows Sent or Unknown after the last run
while (-not $done) {
    if (++$runs -gt $MaxRuns) { throw "The campaign was not done after $MaxRuns runs." }
    $killsLeft = $Kills - $killsDone
    # spread the kills over the rows still to send, so each lands before the campaign is done
    $spacing = [Math]::Max(2, [int](2 * ($Rows - $settled) / ($killsLeft + 1)))
    $run = if ($killsLeft -gt 0) {
        Invoke-SendingProcess -KillAfter $random.Next(1, $spacing) -Delay $random.Next(0, 25) -Mode @('results', 'taken')[$random.Next(2)]
    } else { Invoke-SendingProcess }
    if ($run.Killed) { $killsDone++ }
    $settled = @($run.Statuses.Values | Where-Object { $_ -in 'Sent', 'Skipped', 'Unknown' }).Count
    $counts = ($run.Statuses.Values | Group-Object | Sort-Object Name | ForEach-Object { "$($_.Name) $($_.Count)" }) -join ', '
    Write-Host ("run {0,2}: {1}{2}" -f $runs, $(if ($run.Killed) { 'killed; ' } else { "exit $($run.ExitCode); " }), $counts)
    $done = -not $run.Killed -and $run.Statuses.Count -eq $Rows -and
        @($run.Statuses.Values | Where-Object { $_ -notin 'Sent', 'Skipped', 'Unknown' }).Count -eq 0
}

# --- compare what the server took with what the ledger says
$taken = @{}       # recipient -> messages the server took for it
$replyLost = @{}   # recipient -> messages taken whose reply was lost
foreach ($line in [IO.File]::ReadAllLines($server.Log)) {
    $entry = $line | ConvertFrom-Json
    foreach ($to in $entry.to) {
        $key = $to.ToLowerInvariant()
        $taken[$key] = 1 + $(if ($taken.ContainsKey($key)) { $taken[$key] } else { 0 })
        if ($entry.replyLost) { $replyLost[$key] = $true }
    }
}
$record.Dispose()
$faultCounts = Stop-ScriptedSmtp $server

$last = @{}        # recipient -> the row's last status in the ledger (its latest send)
$abandoned = @{}   # recipients with a send left InFlight: its process was killed before the go-ahead
Get-SendLog -LedgerPath $ledger -Campaign soak | Sort-Object Id | ForEach-Object {
    $key = $_.Recipient.ToLowerInvariant()
    if ($last.ContainsKey($key) -and $last[$key] -eq 'InFlight') { $abandoned[$key] = $true }
    $last[$key] = "$($_.Status)"
}

$once = 0; $twice = 0; $lost = 0; $unknown = 0; $unknownReplyLost = 0; $unknownKilled = 0; $misrecorded = 0
foreach ($address in $addresses) {
    $n = if ($taken.ContainsKey($address)) { $taken[$address] } else { 0 }
    $status = if ($last.ContainsKey($address)) { $last[$address] } else { 'none' }
    if ($n -eq 1) { $once++ } elseif ($n -gt 1) { $twice++; Write-Host "delivered $n times: $address (ledger: $status)" } else { $lost++; Write-Host "lost: $address (ledger: $status)" }
    if ($status -in 'Unknown', 'InFlight') {
        $unknown++
        if ($replyLost.ContainsKey($address)) { $unknownReplyLost++ } elseif ($n -gt 0) { $unknownKilled++ }
    }
    elseif ($n -gt 0 -and $status -ne 'Sent') { $misrecorded++; Write-Host "delivered but recorded $($status): $address" }
}
# Each kill leaves at most one message in flight (one connection, one row a message).
$unexplained = $unknown - $unknownReplyLost - [Math]::Min($unknownKilled, $killsDone)

Write-Host ''
Write-Host "Soak seed ${Seed}: $Rows rows, $killsDone kills, $runs runs, server $faultCounts, $([int]$started.Elapsed.TotalSeconds) s"
Write-Host "rows $Rows, delivered once $once, delivered twice $twice, lost $lost, Unknown $unknown (reply really lost $unknownReplyLost, killed after handover $unknownKilled), unexplained Unknown $unexplained, delivered but not recorded Sent $misrecorded; killed before the go-ahead and sent again $($abandoned.Count)"
Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
if ($twice -or $lost -or $unexplained -or $misrecorded -or $once -ne $Rows) {
    Write-Host 'SOAK FAILED'
    exit 1
}
Write-Host 'SOAK PASSED'
