# A real SMTP server whose replies a test scripts (tests/ScriptedSmtpServer, on the SmtpServer
# package), started on a free loopback port. Rules: "STAGE SELECTOR [close] => CODE TEXT", e.g.
# 'data after-every 20 => 454 …', 'data from 11 => 554 …', 'rcpt to x@example.test => 550 5.1.1 …'.
Set-StrictMode -Version 3.0
Import-Module (Join-Path $PSScriptRoot 'Smtp4dev.psm1')   # Get-FreeTcpPort

function Get-ScriptedSmtpServerPath {
    $path = $env:MAILQUOTAPS_SCRIPTED_SMTP
    if (-not $path) { $path = Join-Path $PSScriptRoot '../out/test-tools/ScriptedSmtpServer/ScriptedSmtpServer.dll' }
    if (-not (Test-Path $path)) { throw "The scripted SMTP server is not built at $path (dotnet pwsh ./build.ps1 -Task Test builds it)." }
    (Resolve-Path $path).Path
}

function Start-ScriptedSmtp {
    [CmdletBinding()]
    # -OAuthRefusal: an SMTP server offering AUTH XOAUTH2 that refuses every token with this reply.
    # -Faults 'drop=0.02,lose=0.02,throttle=0.01,close=0.01' with -Seed: seeded random faults (a soak run).
    # -OAuthUser with -ClientSecret: an SMTP server offering AUTH XOAUTH2 that accepts this user's tokens
    # from its own loopback token endpoint (TokenEndpoint, EntraTenant, EntraClientId, GoogleClientId).
    param([string[]] $Rule = @(), [string] $OAuthRefusal, [string] $Faults, [int] $Seed, [string] $OAuthUser, [securestring] $ClientSecret)
    $port = Get-FreeTcpPort
    $log = Join-Path ([IO.Path]::GetTempPath()) "scripted-smtp-$([guid]::NewGuid().ToString('N')).jsonl"
    $info = [Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($a in @((Get-ScriptedSmtpServerPath), '--port', $port, '--log', $log)) { $info.ArgumentList.Add("$a") }
    foreach ($r in $Rule) { $info.ArgumentList.Add('--rule'); $info.ArgumentList.Add($r) }
    if ($OAuthRefusal) { $info.ArgumentList.Add('--oauth-refusal'); $info.ArgumentList.Add($OAuthRefusal) }
    if ($Faults) { foreach ($a in '--faults', $Faults, '--seed', $Seed) { $info.ArgumentList.Add("$a") } }
    if ($OAuthUser) { $info.ArgumentList.Add('--oauth-user'); $info.ArgumentList.Add($OAuthUser) }
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.UseShellExecute = $false
    $process = [Diagnostics.Process]::Start($info)
    if ($OAuthUser) { $process.StandardInput.WriteLine([Net.NetworkCredential]::new('', $ClientSecret).Password) }
    # It prints its rules (or its token endpoint), then "listening PORT" once connections get through.
    $server = [ordered]@{ Process = $process; Port = $port; Log = $log }
    while ($true) {
        $line = $process.StandardOutput.ReadLine()
        if ($null -eq $line) { throw "The scripted SMTP server exited at start (exit code $($process.ExitCode))." }
        if ($line -eq "listening $port") { break }
        $word = $line.Split(' ')
        switch ($word[0]) {
            'token-endpoint' { $server.TokenEndpoint = $word[1] }
            'entra' { $server.EntraTenant = $word[1]; $server.EntraClientId = $word[2] }
            'google' { $server.GoogleClientId = $word[1] }
        }
    }
    [pscustomobject]$server
}

# Stops the server; with random faults it outputs the line counting them ("faults drop=N lose=N …").
function Stop-ScriptedSmtp {
    param([Parameter(Mandatory)] $Server)
    $Server.Process.StandardInput.Close()   # it exits when its input closes
    $rest = $Server.Process.StandardOutput.ReadToEndAsync()
    if (-not $Server.Process.WaitForExit(10000)) { $Server.Process.Kill() }
    if ($rest.Wait(5000)) { $rest.Result -split "`n" | Where-Object { $_ -like 'faults *' } | ForEach-Object { $_.Trim() } }
    Remove-Item $Server.Log -ErrorAction SilentlyContinue
}

# Waits until a "hold" rule has taken a message and keeps its reply (the server prints "held N");
# returns N.
function Wait-ScriptedSmtpHold {
    param([Parameter(Mandatory)] $Server, [int] $TimeoutSeconds = 60)
    while ($true) {
        $line = $Server.Process.StandardOutput.ReadLineAsync()
        if (-not $line.Wait([TimeSpan]::FromSeconds($TimeoutSeconds))) { throw "The scripted SMTP server held no message within $TimeoutSeconds s." }
        if ($null -eq $line.Result) { throw 'The scripted SMTP server exited while a test waited for a held message.' }
        if ($line.Result -like 'held *') { return [int]$line.Result.Split(' ')[1] }
    }
}

# Lets the reply of a message a "hold" rule keeps go.
function Send-ScriptedSmtpRelease {
    param([Parameter(Mandatory)] $Server)
    $Server.Process.StandardInput.WriteLine('release')
}

# Every message the server took: From, To (the envelope recipients), ReplyLost (taken, then the
# connection went before the reply) and the parsed message.
function Get-ScriptedSmtpMessage {
    param([Parameter(Mandatory)] $Server)
    if (-not (Test-Path $Server.Log)) { return }
    foreach ($line in [IO.File]::ReadAllLines($Server.Log)) {
        $entry = $line | ConvertFrom-Json
        $stream = [IO.MemoryStream]::new([Text.Encoding]::UTF8.GetBytes($entry.raw))
        [pscustomobject]@{ From = $entry.from; To = @($entry.to); ReplyLost = [bool]$entry.replyLost; Message = [MimeKit.MimeMessage]::Load($stream) }
    }
}

# The OAuth server's state (-OAuthUser): Requests to its token endpoint, every access token (Tokens)
# and RefreshTokens it issued, and the messages Received with the token each came with.
function Get-ScriptedOAuthState {
    param([Parameter(Mandatory)] $Server)
    $Server.Process.StandardInput.WriteLine('state')
    $Server.Process.StandardOutput.ReadLine() | ConvertFrom-Json
}

Export-ModuleMember -Function Start-ScriptedSmtp, Stop-ScriptedSmtp, Wait-ScriptedSmtpHold, Send-ScriptedSmtpRelease, Get-ScriptedSmtpMessage, Get-ScriptedOAuthState
