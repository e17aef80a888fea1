# A real SMTP server for the tests and the demo: smtp4dev (a pinned local .NET tool) on free
# loopback ports, with an in-memory store and its IMAP and POP3 ports moved off the defaults.
Set-StrictMode -Version 3.0

function Get-FreeTcpPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Start-Smtp4dev {
    [CmdletBinding()]
    param([TimeSpan] $StartTimeout = [TimeSpan]::FromSeconds(60))
    $repo = Split-Path $PSScriptRoot -Parent
    $smtp = Get-FreeTcpPort; $web = Get-FreeTcpPort; $imap = Get-FreeTcpPort; $pop = Get-FreeTcpPort
    $data = Join-Path ([IO.Path]::GetTempPath()) "smtp4dev-$([guid]::NewGuid().ToString('N'))"
    New-Item -ItemType Directory $data | Out-Null
    $log = Join-Path $data 'smtp4dev.log'
    $arguments = @('smtp4dev', "--urls=http://127.0.0.1:$web", "--smtpport=$smtp", "--imapport=$imap", "--pop3port=$pop",
        '--bindaddress=127.0.0.1', '--hostname=localhost', '--db=', '--nousersettings', '--messagestokeep=100000',
        '--sessionstokeep=100', "--baseappdatapath=$data")
    $process = Start-Process -FilePath 'dotnet' -ArgumentList $arguments -WorkingDirectory $repo -PassThru `
        -RedirectStandardOutput $log -RedirectStandardError (Join-Path $data 'smtp4dev.err')
    $server = [pscustomobject]@{ Process = $process; SmtpPort = $smtp; ApiUrl = "http://127.0.0.1:$web"; DataPath = $data }
    $deadline = [DateTime]::UtcNow + $StartTimeout
    while ($true) {
        if ($process.HasExited) { throw "smtp4dev exited at start: $(Get-Content $log -Raw)" }
        try {
            $null = Invoke-RestMethod "$($server.ApiUrl)/api/messages?pageSize=1" -TimeoutSec 2
            $client = [System.Net.Sockets.TcpClient]::new()
            try { $client.Connect('127.0.0.1', $smtp); break } finally { $client.Dispose() }
        }
        catch {
            if ([DateTime]::UtcNow -gt $deadline) { Stop-Smtp4dev $server; throw "smtp4dev did not answer within $StartTimeout" }
            $null = $process.WaitForExit(250)   # poll: the process tells us nothing when it is ready
        }
    }
    $server
}

function Stop-Smtp4dev {
    param([Parameter(Mandatory)] $Server)
    if (-not $Server.Process.HasExited) { $Server.Process.Kill($true); $null = $Server.Process.WaitForExit(10000) }
    Remove-Item $Server.DataPath -Recurse -Force -ErrorAction SilentlyContinue
}

# Every message the server holds (summary: id, from, to, subject, receivedDate).
function Get-Smtp4devMessage {
    param([Parameter(Mandatory)] $Server)
    $page = 1
    do {
        $r = Invoke-RestMethod "$($Server.ApiUrl)/api/messages?pageSize=500&page=$page"
        $r.results
        $page++
    } while ($page -le $r.pageCount)
}

function Get-Smtp4devMessageDetail {
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)] [string] $Id)
    $detail = Invoke-RestMethod "$($Server.ApiUrl)/api/messages/$Id"
    $text = Invoke-RestMethod "$($Server.ApiUrl)/api/messages/$Id/plaintext"
    [pscustomobject]@{
        Subject = $detail.subject
        To      = ($detail.headers | Where-Object name -EQ 'To').value
        Headers = $detail.headers
        Text    = $text
    }
}

function Clear-Smtp4dev {
    param([Parameter(Mandatory)] $Server)
    Invoke-RestMethod -Method Delete "$($Server.ApiUrl)/api/messages/*" | Out-Null
}

Export-ModuleMember -Function Get-FreeTcpPort, Start-Smtp4dev, Stop-Smtp4dev, Get-Smtp4devMessage, Get-Smtp4devMessageDetail, Clear-Smtp4dev
