# A throwaway PostgreSQL cluster for the fleet-ledger tests: initdb in a temporary folder, pg_ctl on
# a free loopback port, removed by Stop-PostgresCluster. PostgreSQL refuses to run as root, so as
# root it runs as the postgres user (Debian's package creates it). Sign-in is trusted on loopback
# except for the role mq_secret, which must give its password (SCRAM).

Import-Module (Join-Path $PSScriptRoot 'Smtp4dev.psm1')   # Get-FreeTcpPort

function Get-PostgresBin {
    if ($env:MAILQUOTAPS_PG_BIN) { if (Test-Path (Join-Path $env:MAILQUOTAPS_PG_BIN 'initdb')) { return $env:MAILQUOTAPS_PG_BIN } else { return $null } }
    Get-ChildItem '/usr/lib/postgresql/*/bin/initdb' -ErrorAction SilentlyContinue |
        Sort-Object { [int]$_.Directory.Parent.Name } -Descending | Select-Object -First 1 | ForEach-Object { $_.DirectoryName }
}

# Why PostgreSQL cannot run here, or $null when it can. CI must never skip (the caller checks $env:CI).
function Get-PostgresUnavailableReason {
    if (-not $IsLinux) { return 'the PostgreSQL tests run on Linux only' }
    if (-not (Get-PostgresBin)) { return 'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb: apt-get install postgresql)' }
    if ((& id -u) -eq '0' -and -not (& getent passwd postgres)) { return "the 'postgres' user is missing (apt-get install postgresql creates it)" }
    return $null
}

function Invoke-AsPostgresOwner([string] $Program, [string[]] $Arguments) {
    $out = if ((& id -u) -eq '0') { & runuser -u postgres -- $Program @Arguments 2>&1 } else { & $Program @Arguments 2>&1 }
    if ($LASTEXITCODE -ne 0) { throw "$(Split-Path $Program -Leaf) failed ($LASTEXITCODE): $out" }
}

function Start-PostgresCluster {
    $bin = Get-PostgresBin
    $dir = Join-Path ([IO.Path]::GetTempPath()) ("mqps-pg-" + [guid]::NewGuid().ToString('N').Substring(0, 12))
    New-Item -ItemType Directory -Path $dir | Out-Null
    if ((& id -u) -eq '0') { & chown postgres:postgres $dir }
    $data = Join-Path $dir 'data'
    Invoke-AsPostgresOwner (Join-Path $bin 'initdb') @('-D', $data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C')
    "host all mq_secret 127.0.0.1/32 scram-sha-256`nhost all all 127.0.0.1/32 trust`nlocal all all trust`n" | Set-Content (Join-Path $data 'pg_hba.conf') -Encoding ascii
    $cluster = [pscustomobject]@{ Bin = $bin; Folder = $dir; Data = $data; Port = (Get-FreeTcpPort) }
    Start-PostgresServer $cluster
    Invoke-PostgresSql $cluster "CREATE ROLE mq_secret LOGIN CREATEDB PASSWORD 's3cret-Pa55-word'"
    $cluster
}

function Start-PostgresServer($Cluster) {
    Invoke-AsPostgresOwner (Join-Path $Cluster.Bin 'pg_ctl') @('-D', $Cluster.Data, '-l', (Join-Path $Cluster.Folder 'log'), '-w', '-t', '60',
        '-o', "-p $($Cluster.Port) -k $($Cluster.Folder) -c listen_addresses=127.0.0.1 -c max_connections=200", 'start')
}

function Stop-PostgresServer($Cluster) {
    Invoke-AsPostgresOwner (Join-Path $Cluster.Bin 'pg_ctl') @('-D', $Cluster.Data, '-w', '-m', 'fast', 'stop')
}

function Stop-PostgresCluster($Cluster) {
    try { Stop-PostgresServer $Cluster } catch { Write-Warning $_ }
    Remove-Item $Cluster.Folder -Recurse -Force -ErrorAction SilentlyContinue
}

# One statement as the superuser, through psql on the cluster's socket.
function Invoke-PostgresSql($Cluster, [string] $Sql, [string] $Database = 'postgres') {
    $out = & (Join-Path $Cluster.Bin 'psql') -h $Cluster.Folder -p $Cluster.Port -U postgres -d $Database -v ON_ERROR_STOP=1 -tA -c $Sql 2>&1
    if ($LASTEXITCODE -ne 0) { throw "psql failed: $out" }
    $out
}

# A new empty database owned by mq_secret; its connection string as a user gives it (no password).
function New-PostgresLedgerDatabase($Cluster, [string] $User = 'postgres') {
    $name = 't_' + [guid]::NewGuid().ToString('N')
    Invoke-PostgresSql $Cluster "CREATE DATABASE $name OWNER mq_secret" | Out-Null
    Invoke-PostgresSql $Cluster 'ALTER SCHEMA public OWNER TO mq_secret' $name | Out-Null
    "Host=127.0.0.1;Port=$($Cluster.Port);Database=$name;Username=$User"
}

Export-ModuleMember -Function Get-PostgresUnavailableReason, Start-PostgresCluster, Stop-PostgresCluster, Start-PostgresServer, Stop-PostgresServer, Invoke-PostgresSql, New-PostgresLedgerDatabase
