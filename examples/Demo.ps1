# The main job on an embedded default: a local smtp4dev server on loopback, a CSV of 24 staff
# (Chinese names among them), and a small quota (20 messages per minute) so a wait shows.
param([Parameter(Mandatory)] [string] $ModulePath, [switch] $KeepServer)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
Import-Module (Join-Path $PSScriptRoot '../tests/Smtp4dev.psm1')

$server = Start-Smtp4dev
$ledger = Join-Path ([IO.Path]::GetTempPath()) "mailquotaps-demo-$([guid]::NewGuid().ToString('N')).db"
try {
    "smtp4dev is listening: SMTP 127.0.0.1:$($server.SmtpPort), web UI and API $($server.ApiUrl)"
    "Sending examples/recipients.csv under 20 messages per minute (ledger $ledger)..."
    ''
    Import-Csv (Join-Path $PSScriptRoot 'recipients.csv') |
        Send-ThrottledMail -SmtpServer 127.0.0.1 -Port $server.SmtpPort -From 'it-notices@example.test' `
            -Subject '{{Name}}: your password expires on {{ExpiresOn}}' `
            -Body "Dear {{Name}} ({{Department}}),`n`nyour network password expires on {{ExpiresOn}}. Please change it before then.`n`nIT Service Desk" `
            -MaxPerMinute 20 -MaxPerHour 200 -MaxPerDay 1000 -LedgerPath $ledger -InformationAction Continue |
        Tee-Object -Variable sent | Out-Host
    'Quota afterwards (Get-SendQuota):'
    Get-SendQuota -LedgerPath $ledger | Format-Table -AutoSize | Out-String -Width 160
    $received = @(Get-Smtp4devMessage $server)
    "smtp4dev received $($received.Count) messages for $(@($sent | Where-Object Status -EQ 'Sent').Count) rows sent."
    "See them at $($server.ApiUrl) (or $($server.ApiUrl)/api/messages) while the server runs."
    if ($KeepServer) { Read-Host 'Press Enter to stop smtp4dev' | Out-Null }
    if ($received.Count -ne @(Import-Csv (Join-Path $PSScriptRoot 'recipients.csv')).Count) { throw 'Not every row arrived.' }
}
finally {
    Stop-Smtp4dev $server
    Remove-Item "$ledger*" -ErrorAction SilentlyContinue
}
