# Measures the cost of VolumeMonitor.Check per send on a busy account: 7 days x 10,000 sends in the ledger.
# Run: dotnet pwsh ./build.ps1; dotnet pwsh -NoProfile -File bench/Measure-MonitorAndLog.ps1
param([string] $ModulePath = (Join-Path $PSScriptRoot "../out/MailQuotaPS"))
$ErrorActionPreference = "Stop"
Import-Module $ModulePath
Import-Module (Join-Path $PSScriptRoot '../tests/ModuleTypes.psm1'); Register-ModuleTypeName   # the core's types by name
$path = "$([IO.Path]::GetTempPath())mqps-bench-$([guid]::NewGuid().ToString('N')).db"
$account = 'bulk@example.test'
$now = [DateTimeOffset]::UtcNow
$ledger = [MailQuota.Core.Storage.Sqlite.SqliteLedger]::new($path)
$tx = $ledger.BeginReservation($account)
$w = [Diagnostics.Stopwatch]::StartNew()
for ($i = 0; $i -lt 70000; $i++) { $null = $tx.Insert([MailQuota.Core.Quota.ReservationRequest]::new($account, "r$i@example.test", 1), $now.AddSeconds(-8.64 * $i)) }
$tx.Commit(); $tx.Dispose()
"seeded 70000 rows in $([int]$w.Elapsed.TotalSeconds) s"
$policy = ([MailQuota.Core.Profiles.BuiltInProfiles]::All() | Where-Object Name -EQ 'ExchangeOnline').Policy   # 30/min, 10000 rcpt/day
$monitor = [MailQuota.Core.Monitoring.VolumeMonitor]::new($ledger, $ledger, $ledger, [MailQuota.Core.Time.SystemClock]::Instance, $null)
$w.Restart(); $null = $monitor.Check($account, $policy); "first Check (baseline query): $([math]::Round($w.Elapsed.TotalMilliseconds, 2)) ms"
$w.Restart(); for ($i = 0; $i -lt 1000; $i++) { $null = $monitor.Check($account, $policy) }
"Check, 1000 calls once the day-quota alert is raised: $([math]::Round($w.Elapsed.TotalMilliseconds / 1000, 3)) ms each"
$fresh = [MailQuota.Core.Monitoring.VolumeThresholds]::new(); $fresh.SpikeMinimum = 1000000; $fresh.QuotaShare = 100; $fresh.ThrottleMinimumSends = 1000000
$quiet = [MailQuota.Core.Monitoring.VolumeMonitor]::new($ledger, $ledger, $ledger, [MailQuota.Core.Time.SystemClock]::Instance, $fresh)
$w.Restart(); for ($i = 0; $i -lt 1000; $i++) { $null = $quiet.Check($account, $policy) }
"Check, 1000 calls with no condition met (every query runs): $([math]::Round($w.Elapsed.TotalMilliseconds / 1000, 3)) ms each"
$gate = [MailQuota.Core.Quota.QuotaGate]::new($ledger, [MailQuota.Core.Time.SystemClock]::Instance)
$open = [MailQuota.Core.Quota.QuotaPolicy]::new(); $open.MessagesPerMinute = 100000; $open.RecipientsPerDay = 1000000
$w.Restart(); for ($i = 0; $i -lt 300; $i++) { $d = $gate.TryReserve($open, [MailQuota.Core.Quota.ReservationRequest]::new($account, "g$i@example.test", 1)); $ledger.Complete($d.ReservationId, 'Sent', [DateTimeOffset]::UtcNow, '250 ok', 1) }
"for comparison, QuotaGate.TryReserve + Complete (the ledger work of one send): $([math]::Round($w.Elapsed.TotalMilliseconds / 300, 3)) ms each"
$log = [MailQuota.Core.Monitoring.SendLogQuery]::new()
$w.Restart(); $n = 0; foreach ($e in $ledger.ReadSendLog($log)) { $n++ }
"ReadSendLog of $n rows: $([int]$w.Elapsed.TotalMilliseconds) ms"
$ledger.Dispose()
$w.Restart(); $c = (Get-SendLog -LedgerPath $path | Measure-Object).Count
"Get-SendLog | Measure-Object, $c rows: $([math]::Round($w.Elapsed.TotalSeconds, 2)) s"
$csv = Join-Path ([IO.Path]::GetTempPath()) "mqps-bench-audit.csv"
$w.Restart(); Get-SendLog -LedgerPath $path | Export-Csv $csv -NoTypeInformation
"Get-SendLog | Export-Csv, $c rows: $([math]::Round($w.Elapsed.TotalSeconds, 2)) s"
Remove-Item "$path*", $csv
