# A private Postfix instance for the tests: Debian's postfix package, its own config and queue
# directories in a temporary folder (postfix -c DIR), one smtpd on a free loopback port, every
# message discarded, and anvil's per-client message rate limit switched on (the standard throttle
# of a company relay: "450 4.7.1 Error: too much mail from ..."). Postfix's own log goes to a file
# in the folder, so tests count deliveries from what the server says, not from the client.

Import-Module (Join-Path $PSScriptRoot 'Smtp4dev.psm1')   # Get-FreeTcpPort

$script:Sbin = '/usr/sbin/postfix'

# Why Postfix cannot run here, or $null when it can. CI must never skip (the caller checks $env:CI).
function Get-PostfixUnavailableReason {
    if (-not $IsLinux) { return 'the Postfix tests run on Linux only' }
    if (-not (Test-Path $script:Sbin)) { return "Postfix is not installed ($script:Sbin missing: apt-get install postfix)" }
    if ((& id -u) -ne '0') { return 'starting a private Postfix instance needs root (its master process runs as root)' }
    if (-not (& getent passwd postfix)) { return "the 'postfix' user is missing (apt-get install postfix creates it)" }
    return $null
}

function Start-Postfix {
    param(
        # Messages one client may send per RateWindow before anvil answers MAIL with 450 4.7.1.
        [int] $MessageRateLimit = 0,
        [string] $RateWindow = '60s'
    )
    $dir = Join-Path ([IO.Path]::GetTempPath()) ("mqps-postfix-" + [guid]::NewGuid().ToString('N').Substring(0, 12))
    New-Item -ItemType Directory -Path $dir, "$dir/queue", "$dir/data" | Out-Null
    & chown postfix "$dir/data"   # the master's lock and anvil's state; postfix creates the queue's own folders
    $port = Get-FreeTcpPort
    $log = Join-Path $dir 'maillog'
    @"
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
myhostname = postfix.mailquota.test
mydomain = mailquota.test
myorigin = `$myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
default_transport = discard:
relay_transport = discard:
local_transport = discard:
alias_maps =
alias_database =
biff = no
smtputf8_enable = no
maillog_file = $log
maillog_file_prefixes = $dir
smtpd_client_message_rate_limit = $MessageRateLimit
anvil_rate_time_unit = $RateWindow
smtpd_client_event_limit_exceptions =
"@ | Set-Content -Path "$dir/main.cf" -Encoding ascii
    # No chroot: the queue is a private folder without the files a chroot needs.
    @"
127.0.0.1:$port inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"@ | Set-Content -Path "$dir/master.cf" -Encoding ascii
    $null = & $script:Sbin -c $dir start 2>&1
    if ($LASTEXITCODE -ne 0) {
        $why = if (Test-Path $log) { (Get-Content $log | Select-String 'fatal|error' | Select-Object -Last 3) -join "`n" } else { '' }
        Remove-Item $dir -Recurse -Force
        throw "postfix -c $dir start failed: $why"
    }
    $server = [pscustomobject]@{ ConfigDir = $dir; SmtpPort = $port; LogPath = $log }
    # Ready when smtpd greets (the master binds at once, smtpd starts on the first connection).
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while ($true) {
        try {
            $client = [Net.Sockets.TcpClient]::new('127.0.0.1', $port)
            $reader = [IO.StreamReader]::new($client.GetStream())
            $client.ReceiveTimeout = 10000
            $greeting = $reader.ReadLine()
            $client.Dispose()
            if ($greeting -like '220*') { break }
        }
        catch [Net.Sockets.SocketException] { if ([DateTime]::UtcNow -gt $deadline) { Stop-Postfix $server; throw "Postfix did not listen on port $port" } }
        Start-Sleep -Milliseconds 50
    }
    return $server
}

function Stop-Postfix {
    param([Parameter(Mandatory)] $Server)
    & $script:Sbin -c $Server.ConfigDir stop 2>&1 | Out-Null
    # The master exits on its own after 'stop'; wait for it so its files can go.
    $pidFile = Join-Path $Server.ConfigDir 'queue/pid/master.pid'
    $deadline = [DateTime]::UtcNow.AddSeconds(20)
    while ((Test-Path $pidFile) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
    Remove-Item $Server.ConfigDir -Recurse -Force -ErrorAction SilentlyContinue
}

# The log lines of the instance so far (smtpd's refusals, discard's 'status=sent').
function Get-PostfixLog {
    param([Parameter(Mandatory)] $Server)
    if (-not (Test-Path $Server.LogPath)) { return @() }
    return @(Get-Content -Path $Server.LogPath)
}

Export-ModuleMember -Function Get-PostfixUnavailableReason, Start-Postfix, Stop-Postfix, Get-PostfixLog
