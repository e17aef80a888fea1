# The PostgreSQL ledger's reservations per second, 1 and 4 processes on one database on loopback,
# beside the SQLite figures of section 2. Dot-sourced by Invoke-Bench.ps1 (it uses Start-Tool,
# Get-Median and Add-Result from there); a throwaway cluster of tests/Postgres.psm1 (fsync on, as
# shipped), one fresh database per run. Skipped with a row that says why where PostgreSQL is missing.
function Measure-PostgresReservations([string] $BenchDll, [int] $Runs, [int] $Count = 2000) {
    Import-Module (Join-Path $PSScriptRoot '../tests/Postgres.psm1') -Force
    $why = Get-PostgresUnavailableReason
    if ($why) { Add-Result 'Ledger reservations on PostgreSQL (per s)' 'skipped' $why 0 '>= 500 (4 processes)' $false; return }
    Write-Host "`n2b. Ledger reservations on PostgreSQL (loopback, fsync on), $Runs runs"
    $cluster = Start-PostgresCluster
    try {
        foreach ($procs in 1, 4) {
            $rates = @()
            for ($r = 1; $r -le $Runs; $r++) {
                $database = New-PostgresLedgerDatabase $cluster
                $ps = @(1..$procs | ForEach-Object { Start-Tool $BenchDll @('reserve', $database, "$Count", '--wait-go') })
                $ps | ForEach-Object { if ($_.StandardOutput.ReadLine() -ne 'ready') { throw 'worker did not start' } }
                $ps | ForEach-Object { $_.StandardInput.WriteLine('go') }
                $lines = $ps | ForEach-Object { $_.StandardOutput.ReadLine() }
                $ps | ForEach-Object { $_.WaitForExit() }
                $total = ($lines | ForEach-Object { [int](($_ -split ' ')[1]) } | Measure-Object -Sum).Sum
                $slowest = ($lines | ForEach-Object { [double](($_ -split ' ')[2]) } | Measure-Object -Maximum).Maximum
                $rates += $total / $slowest
            }
            $rate = Get-Median $rates
            Add-Result "Ledger reservations on PostgreSQL, $procs process(es) on one database (per s)" ('{0:0}' -f $rate) '500 (target for 4 processes)' ($rate / 500) '>= 1 (4 processes)' ($procs -eq 1 -or $rate -ge 500)
        }
    }
    finally { Stop-PostgresCluster $cluster }
}
