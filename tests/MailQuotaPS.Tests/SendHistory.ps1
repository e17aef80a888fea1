# Writes sends with chosen (past) times into a ledger through the module's own core API, for tests
# that need history a test run cannot wait for: a week of volume baseline, failed rows of a campaign.
# Dot-sourced after TestSetup.ps1 (the module must be imported). Write each account's history oldest
# first and before its real sends: the ledger keeps an account's times in order (a time earlier than
# the account's latest is stored as the latest).

function Add-TestSend {
    param(
        [Parameter(Mandatory)] [string] $LedgerPath,
        [Parameter(Mandatory)] [string] $Account,
        [Parameter(Mandatory)] [DateTimeOffset[]] $At,
        [string[]] $Recipient,
        [string] $Campaign,
        [string] $Status = 'Sent',
        [string] $Reply = '250 2.0.0 Ok: queued'
    )
    if ($Recipient -and $Recipient.Count -ne $At.Count) { throw 'Give one recipient per time.' }
    $order = @(0..($At.Count - 1) | Sort-Object { $At[$_] })
    $At = @($order | ForEach-Object { $At[$_] })
    if ($Recipient) { $Recipient = @($order | ForEach-Object { $Recipient[$_] }) }
    $ledger = [MailQuota.Core.Storage.Engines.LedgerEngines]::Open($LedgerPath, $null, [Threading.CancellationToken]::None)   # a file or a PostgreSQL database
    try {
        $ids = [System.Collections.Generic.List[long]]::new()
        $tx = $ledger.BeginReservation($Account)
        try {
            for ($i = 0; $i -lt $At.Count; $i++) {
                $to = if ($Recipient) { $Recipient[$i] } else { "history-$([guid]::NewGuid().ToString('N'))@example.test" }
                $request = [MailQuota.Core.Quota.ReservationRequest]::new($Account, $to, 1)
                $request.Campaign = $Campaign
                $request.MessageId = "$([guid]::NewGuid().ToString('N'))@example.test"
                $ids.Add($tx.Insert($request, $At[$i]))
            }
            $tx.Commit()
        }
        finally { $tx.Dispose() }
        for ($i = 0; $i -lt $ids.Count; $i++) { $ledger.Complete($ids[$i], $Status, $At[$i].AddSeconds(1), $Reply, 1) }
    }
    finally { $ledger.Dispose() }
}

# Rows of a table in the ledger, read with plain SQL (what an auditor with sqlite3 would see).
function Invoke-LedgerQuery([string] $LedgerPath, [string] $Sql) {
    $connection = [Microsoft.Data.Sqlite.SqliteConnection]::new("Data Source=$LedgerPath;Pooling=False")
    $connection.Open()
    try {
        $command = $connection.CreateCommand()
        $command.CommandText = $Sql
        $reader = $command.ExecuteReader()
        while ($reader.Read()) {
            $row = [ordered]@{}
            for ($c = 0; $c -lt $reader.FieldCount; $c++) { $row[$reader.GetName($c)] = $reader.GetValue($c) }
            [pscustomobject]$row
        }
        $reader.Dispose()
    }
    finally { $connection.Dispose() }
}
