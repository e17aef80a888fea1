# The packed module as an administrator gets it: Install-PSResource from a local repository into a
# clean user profile, Import-Module by name, and sessions that already hold other versions of its
# libraries. Every scenario runs in a new pwsh whose PSModulePath is empty and whose home folder is
# new, so nothing of the build tree or of this machine's profile is found (and nothing is left in
# it). Written for Linux and macOS, where the home folder decides both.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    $script:Package = $env:MAILQUOTAPS_TEST_PACKAGE
    if (-not $Package -or -not (Test-Path $Package)) { throw "No package to test: run 'dotnet pwsh ./build.ps1 -Task Test' (it sets MAILQUOTAPS_TEST_PACKAGE)." }
    $script:Version = (Import-PowerShellDataFile (Join-Path $PSScriptRoot '../../MailQuotaPS.psd1')).ModuleVersion
    $script:CleanHome = Join-Path ([IO.Path]::GetTempPath()) "mqps-package-$([guid]::NewGuid().ToString('N'))"
    $script:Repository = New-Item -ItemType Directory (Join-Path $CleanHome 'repository')
    $line = & dotnet nuget locals global-packages --list
    $script:NuGetPackages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { ($line -replace '^global-packages:\s*', '').Trim() }
    $script:Server = Start-Smtp4dev

    # Runs a script in a new pwsh with the clean profile; the script's last output line is JSON.
    function Invoke-CleanPwsh([string] $Script) {
        $exe = (Get-Process -Id $PID).Path
        $info = [Diagnostics.ProcessStartInfo]::new($exe)
        if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $info.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes("`$ErrorActionPreference = 'Stop'; `$ProgressPreference = 'SilentlyContinue'`n$Script"))
        foreach ($a in '-NoProfile', '-NonInteractive', '-OutputFormat', 'Text', '-EncodedCommand', $encoded) { $info.ArgumentList.Add($a) }
        # A new home: PowerShell's user module folder and PSResourceGet's repository list both live under it.
        $info.Environment['HOME'] = $CleanHome
        foreach ($name in 'DATA', 'CONFIG', 'CACHE') { $null = $info.Environment.Remove("XDG_${name}_HOME") }
        $info.Environment['PSModulePath'] = ''
        $info.WorkingDirectory = $CleanHome
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $info.UseShellExecute = $false
        $process = [Diagnostics.Process]::Start($info)
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        $process.WaitForExit()
        $lines = @($stdout.Result -split '\r?\n' | Where-Object { $_ })
        [pscustomobject]@{
            ExitCode = $process.ExitCode
            Errors   = $stderr.Result
            Output   = $lines
            Result   = if ($lines) { try { $lines[-1] | ConvertFrom-Json } catch { $null } }
        }
    }

    # Sends rows To/Name through smtp4dev under a subject that tells the scenarios apart.
    function Get-SendScript([string] $Tag, [string] $Rows, [string] $Ledger = (New-TestLedgerPath)) {
        "$Rows | Send-ThrottledMail -SmtpServer 127.0.0.1 -Port $($Server.SmtpPort) -From 'pkg@example.test' -Subject '$Tag {{Name}}' -Body 'Hello {{Name}}' -LedgerPath '$Ledger' -MaxPerMinute 1000"
    }

    function Get-Received([string] $Tag) { @(Get-Smtp4devMessage $Server | Where-Object { $_.subject -like "$Tag *" }) }

    # The install every other scenario uses: register the folder, publish the .nupkg to it, install from it.
    $script:Install = Invoke-CleanPwsh @"
Register-PSResourceRepository -Name local -Uri '$Repository' -Trusted
Publish-PSResource -NupkgPath '$Package' -Repository local
`$found = Find-PSResource -Name MailQuotaPS -Repository local
Install-PSResource -Name MailQuotaPS -Repository local -Scope CurrentUser
Import-Module MailQuotaPS
`$sent = $(Get-SendScript 'install' "1..3 | ForEach-Object { [pscustomobject]@{ To = `"inst`$_@example.test`"; Name = `"Inst `$_`" } }")
[pscustomobject]@{
    Version      = "`$(`$found.Version)"
    ReleaseNotes = `$found.ReleaseNotes
    Tags         = @(`$found.Tags)
    ModuleBase   = (Get-Module MailQuotaPS).ModuleBase
    Statuses     = @(`$sent | ForEach-Object { "`$(`$_.Status)" })
} | ConvertTo-Json -Compress
"@
}
AfterAll {
    if ($script:Server) { Stop-Smtp4dev $script:Server }
    Remove-Item $script:CleanHome -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'The package' {
    It 'is published to a local repository, installs with Install-PSResource, imports by name and sends 3 rows' {
        $Install.Errors | Should -BeNullOrEmpty
        $Install.ExitCode | Should -Be 0
        $Install.Result.Version | Should -Be $Version
        $Install.Result.ModuleBase | Should -BeLike "$CleanHome*MailQuotaPS*$Version" -Because 'it is the installed copy, found by name'
        $Install.Result.Statuses | Should -Be @('Sent', 'Sent', 'Sent')
        (Get-Received 'install').Count | Should -Be 3
    }

    It 'carries the top entry of CHANGELOG.md as its release notes, a description and tags' {
        $changelog = Get-Content (Join-Path $PSScriptRoot '../../CHANGELOG.md') -Raw
        $changelog | Should -Match "(?m)^## $([regex]::Escape($Version))\s*$"
        $top = [regex]::Match($changelog.Replace("`r", ''), "(?ms)^## $([regex]::Escape($Version))\s*\n(.*?)(?=^## |\z)").Groups[1].Value.Trim()
        $top | Should -Not -BeNullOrEmpty
        $Install.Result.ReleaseNotes.Replace("`r", '').Trim() | Should -Be $top
        $changelog.Replace("`r", '') | Should -Match ([regex]::Escape($Install.Result.ReleaseNotes.Replace("`r", '')))
        $Install.Result.Tags | Should -Contain 'SMTP'
    }
}

Describe 'Dependency isolation' {
    It 'sends, reads a CSV and leaves alone the older CsvHelper, MimeKit and BouncyCastle a session already loaded' {
        $older = @(
            'csvhelper/30.0.1/lib/net6.0/CsvHelper.dll'
            'mimekit/4.18.0/lib/net8.0/MimeKit.dll'
            'bouncycastle.cryptography/2.4.0/lib/net6.0/BouncyCastle.Cryptography.dll'
        ) | ForEach-Object { Join-Path $NuGetPackages $_ }
        $older | ForEach-Object { Test-Path $_ | Should -BeTrue -Because "tests/tools/Tools.csproj downloads $_" }
        $csv = Join-Path $CleanHome 'staff.csv'
        "Email,Name`niso1@example.test,Iso 1`niso2@example.test,Iso 2`niso3@example.test,Iso 3`n" | Set-Content $csv -Encoding utf8
        $r = Invoke-CleanPwsh @"
$(($older | ForEach-Object { "Add-Type -Path '$_'" }) -join "`n")
Import-Module MailQuotaPS
`$rows = @(Import-MailRecipient '$csv')
`$sent = $(Get-SendScript 'isolation' '$rows')
# The session's own CsvHelper 30 still works after the module used its CsvHelper 33.
`$reader = [CsvHelper.CsvReader]::new([IO.StringReader]::new("a,b``n1,2``n"), [Globalization.CultureInfo]::InvariantCulture)
`$null = `$reader.Read(); `$null = `$reader.ReadHeader(); `$null = `$reader.Read()
`$loaded = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -in 'CsvHelper', 'MimeKit' } |
    ForEach-Object { [pscustomobject]@{ Name = `$_.GetName().Name; Version = "`$(`$_.GetName().Version)"; Context = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$_).Name; Path = `$_.Location } }
[pscustomobject]@{
    Imported      = `$rows.Count
    Statuses      = @(`$sent | ForEach-Object { "`$(`$_.Status)" })
    SessionCsv    = [CsvHelper.CsvReader].Assembly.Location
    SessionMime   = [MimeKit.MimeMessage].Assembly.Location
    SessionField  = `$reader.GetField('b')
    Loaded        = @(`$loaded)
} | ConvertTo-Json -Compress -Depth 3
"@
        $r.Errors | Should -BeNullOrEmpty
        $r.ExitCode | Should -Be 0
        $r.Result.Imported | Should -Be 3
        $r.Result.Statuses | Should -Be @('Sent', 'Sent', 'Sent')
        (Get-Received 'isolation').Count | Should -Be 3
        $r.Result.SessionCsv | Should -Be $older[0] -Because "the session's CsvHelper is still the one loaded first"
        $r.Result.SessionMime | Should -Be $older[1]
        $r.Result.SessionField | Should -Be '2'
        $module = @($r.Result.Loaded | Where-Object Context -EQ 'MailQuotaPS')
        ($module | Where-Object Name -EQ 'CsvHelper').Version | Should -Be '33.0.0.0'
        ($module | Where-Object Name -EQ 'CsvHelper').Path | Should -BeLike "$CleanHome*deps*CsvHelper.dll"
        ($module | Where-Object Name -EQ 'MimeKit').Path | Should -BeLike "$CleanHome*deps*MimeKit.dll"
    }

    It 'keeps the cmdlet assembly free of third-party references (only the core crosses into the private context)' {
        $assembly = (Get-Command Send-ThrottledMail).ImplementingType.Assembly
        [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($assembly).Name | Should -Be 'Default'
        $assembly.GetReferencedAssemblies().Name | Sort-Object | Should -Be @('MailQuota.Core', 'netstandard', 'System.Management.Automation')
        $core = (Get-Command Send-ThrottledMail).OutputType[0].Type.Assembly
        $core.GetName().Name | Should -Be 'MailQuota.Core'
        [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($core).Name | Should -Be 'MailQuotaPS'
    }
}

Describe 'Import hygiene' {
    It 'imports with -Force twice, is removed and imported again, then sends' {
        $r = Invoke-CleanPwsh @"
Import-Module MailQuotaPS
Import-Module MailQuotaPS -Force
Import-Module MailQuotaPS -Force
Remove-Module MailQuotaPS
Import-Module MailQuotaPS
`$sent = $(Get-SendScript 'reimport' "1..3 | ForEach-Object { [pscustomobject]@{ To = `"again`$_@example.test`"; Name = `"Again `$_`" } }")
[pscustomobject]@{ Statuses = @(`$sent | ForEach-Object { "`$(`$_.Status)" }); Errors = `$Error.Count; Commands = @(Get-Command -Module MailQuotaPS).Count } | ConvertTo-Json -Compress
"@
        $r.Errors | Should -BeNullOrEmpty
        $r.ExitCode | Should -Be 0
        $r.Result.Errors | Should -Be 0
        $r.Result.Commands | Should -Be 11
        $r.Result.Statuses | Should -Be @('Sent', 'Sent', 'Sent')
        (Get-Received 'reimport').Count | Should -Be 3
    }

    It 'sends from two thread jobs (Start-ThreadJob) in one process on one ledger' {
        $ledger = New-TestLedgerPath
        $r = Invoke-CleanPwsh @"
`$jobs = 1..2 | ForEach-Object {
    Start-ThreadJob -ArgumentList `$_ {
        param(`$worker)
        Import-Module MailQuotaPS
        1..3 | ForEach-Object { [pscustomobject]@{ To = "job`$worker-`$_@example.test"; Name = "Job `$worker-`$_" } } |
            Send-ThrottledMail -SmtpServer 127.0.0.1 -Port $($Server.SmtpPort) -From 'pkg@example.test' -Subject 'threadjob {{Name}}' -Body 'Hello {{Name}}' -LedgerPath '$ledger' -MaxPerMinute 1000
    }
}
`$results = `$jobs | Receive-Job -Wait -AutoRemoveJob
[pscustomobject]@{ Statuses = @(`$results | ForEach-Object { "`$(`$_.Status)" }) } | ConvertTo-Json -Compress
"@
        $r.Errors | Should -BeNullOrEmpty
        $r.ExitCode | Should -Be 0
        @($r.Result.Statuses | Where-Object { $_ -eq 'Sent' }).Count | Should -Be 6
        $received = Get-Received 'threadjob'
        @($received | ForEach-Object { "$($_.to)" } | Sort-Object -Unique).Count | Should -Be 6
        $received.Count | Should -Be 6
    }

    # The quota is real time: 40 messages at 20 a minute take a minute of waiting (20 at once, the
    # next 20 when the first leave the window: about 75 s with start-up). The gate counts a message from the
    # moment it is reserved; the server receives it a little later (the first message of a run
    # also waits for the connection): without the run's delivery margin the tightest 21-message
    # span at the server was 59.86-59.95 s. Both sides are checked: the ledger and the server.
    It 'sends 40 rows from 4 runspaces on one ledger at -MaxPerMinute 20: none twice, never over 20 in 60 seconds, reserved or received' {
        $ledger = New-TestLedgerPath
        $r = Invoke-CleanPwsh @"
`$results = 1..4 | ForEach-Object -ThrottleLimit 4 -Parallel {
    Import-Module MailQuotaPS
    `$worker = `$_
    1..10 | ForEach-Object { [pscustomobject]@{ To = "par`$worker-`$_@example.test"; Name = "Par `$worker-`$_" } } |
        Send-ThrottledMail -SmtpServer 127.0.0.1 -Port $($Server.SmtpPort) -From 'pkg@example.test' -Subject 'parallel {{Name}}' -Body 'Hello {{Name}}' -LedgerPath '$ledger' -MaxPerMinute 20
}
[pscustomobject]@{ Statuses = @(`$results | ForEach-Object { "`$(`$_.Status)" }) } | ConvertTo-Json -Compress
"@
        $r.Errors | Should -BeNullOrEmpty
        $r.ExitCode | Should -Be 0
        @($r.Result.Statuses | Where-Object { $_ -eq 'Sent' }).Count | Should -Be 40
        $received = Get-Received 'parallel'
        $received.Count | Should -Be 40
        @($received | ForEach-Object { "$($_.to)" } | Sort-Object -Unique).Count | Should -Be 40 -Because 'no recipient gets the message twice'
        $log = @(Get-SendLog -LedgerPath $ledger | Where-Object Status -EQ 'Sent')
        $log.Count | Should -Be 40
        $reserved = @($log.ReservedAt | Sort-Object)
        for ($i = 0; $i + 20 -lt $reserved.Count; $i++) {
            ($reserved[$i + 20] - $reserved[$i]).TotalSeconds | Should -BeGreaterOrEqual 60 -Because "messages $($i + 1) to $($i + 21) were reserved within one minute"
        }
        $times = @($received | ForEach-Object { [DateTimeOffset]$_.receivedDate } | Sort-Object)
        $tightest = (0..($times.Count - 21) | ForEach-Object { ($times[$_ + 20] - $times[$_]).TotalSeconds } | Measure-Object -Minimum).Minimum
        Write-Host "    server: tightest span of 21 messages $([math]::Round($tightest, 3)) s; whole run $([math]::Round(($times[-1] - $times[0]).TotalSeconds, 1)) s"
        $tightest | Should -BeGreaterOrEqual 60 -Because 'no 60-second span at the server holds more than 20 messages'
    }
}
