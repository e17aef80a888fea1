#Requires -Version 5.1
<#
.SYNOPSIS
    Builds, tests and demonstrates MailQuotaPS.
.DESCRIPTION
    Build  publishes the module to out/MailQuotaPS/<version>/ (importable with Import-Module ./out/MailQuotaPS).
    Package builds and packs the module into out/packages/MailQuotaPS.<version>.nupkg (Install-PSResource).
    Test   packages, runs the xunit suite and the Pester suite against the built module and the package, and ends
           with the line "Tests: N passed, M failed".
    Demo   sends examples/recipients.csv through a local smtp4dev server under a small quota.
    Bench  runs the benchmarks and writes bench/results.md.
    Soak   sends a 1,000-row campaign over 4 connections through a server that fails at random, killing the
           sending process at random and rerunning it until done, then checks that every row was delivered
           exactly once (tests/Soak/Invoke-Soak.ps1; about 1.5 minutes).
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Package', 'Test', 'Demo', 'Bench', 'Soak')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$root = $PSScriptRoot
$version = (Import-PowerShellDataFile (Join-Path $root 'MailQuotaPS.psd1')).ModuleVersion
$moduleBase = Join-Path $root 'out/MailQuotaPS'   # what users import: Import-Module ./out/MailQuotaPS
$moduleOut = Join-Path $moduleBase $version
$resultsDir = Join-Path $root 'out/test-results'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE" }
}

# The pwsh that runs this script, to start clean child sessions (a dotnet tool runs as 'dotnet pwsh.dll').
function Get-PwshCommand {
    $exe = (Get-Process -Id $PID).Path
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { return @($exe, (Join-Path $PSHOME 'pwsh.dll')) }
    return @($exe)
}

function Invoke-Pwsh([string] $File, [string[]] $Arguments) {
    $pwsh = @(Get-PwshCommand)
    $rest = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $File) + $Arguments
    & $pwsh[0] @rest | Out-Host
    return $LASTEXITCODE
}

# The module folder: the cmdlets (MailQuotaPS.dll), the PowerShell 7 loader and the root script at
# the top, MailQuota.Core and every library it uses (with the native SQLite builds) under deps/.
function Invoke-Build {
    Write-Host "Building MailQuotaPS $version ($Configuration)"
    if (Test-Path $moduleOut) { Remove-Item $moduleOut -Recurse -Force }
    $stage = Join-Path $root 'out/publish'
    if (Test-Path $stage) { Remove-Item $stage -Recurse -Force }
    Invoke-Dotnet publish (Join-Path $root 'src/MailQuotaPS/MailQuotaPS.csproj') -c $Configuration -o (Join-Path $stage 'cmdlets') "-p:Version=$version" --nologo -v quiet
    Invoke-Dotnet publish (Join-Path $root 'src/MailQuotaPS.Loader/MailQuotaPS.Loader.csproj') -c $Configuration -o (Join-Path $stage 'loader') "-p:Version=$version" --nologo -v quiet
    $deps = New-Item -ItemType Directory (Join-Path $moduleOut 'deps')
    Copy-Item (Join-Path $stage 'cmdlets/MailQuotaPS.*') $moduleOut -Exclude '*.deps.json'
    Copy-Item (Join-Path $stage 'loader/MailQuotaPS.Loader.dll') $moduleOut
    Get-ChildItem (Join-Path $stage 'cmdlets') -Exclude 'MailQuotaPS.*' | Copy-Item -Destination $deps -Recurse
    Copy-Item (Join-Path $root 'MailQuotaPS.psd1') $moduleOut
    Set-ReleaseNotes (Join-Path $moduleOut 'MailQuotaPS.psd1')
    Copy-Item (Join-Path $root 'module/MailQuotaPS.psm1') $moduleOut
    Copy-Item (Join-Path $root 'module/*.ps1xml') $moduleOut
    $help = New-Item -ItemType Directory (Join-Path $moduleOut 'en-US')
    Copy-Item (Join-Path $root 'module/about_*.help.txt') $help
    $code = Invoke-Pwsh (Join-Path $root 'module/New-MamlHelp.ps1') @('-ModulePath', (Join-Path $moduleOut 'MailQuotaPS.psd1'), '-OutFile', (Join-Path $help 'MailQuotaPS.dll-Help.xml'))
    if ($code -ne 0) { throw "Writing the help failed (exit code $code)." }
    Write-Host "Module: $moduleOut"
}

# The top entry of CHANGELOG.md ("## <version> ...") is the release notes of the built manifest;
# it must be the entry of the version being built.
function Set-ReleaseNotes([string] $Manifest) {
    $changelog = Get-Content (Join-Path $root 'CHANGELOG.md') -Raw
    $entry = [regex]::Match($changelog, '(?ms)^## (?<version>\S+)[^\n]*\n(?<notes>.*?)(?=^## |\z)')
    if (-not $entry.Success -or $entry.Groups['version'].Value -ne $version) {
        throw "CHANGELOG.md must start with an entry '## $version' (the manifest's ModuleVersion)."
    }
    $notes = $entry.Groups['notes'].Value.Trim() -replace "'", "''"
    $text = Get-Content $Manifest -Raw
    if ($text -notmatch "ReleaseNotes\s*=\s*''") { throw "MailQuotaPS.psd1 needs the placeholder ReleaseNotes = '' (filled from CHANGELOG.md at build)." }
    $text = $text -replace "ReleaseNotes(\s*)=\s*''", "ReleaseNotes`$1= '$($notes.Replace('$', '$$'))'"
    # With a byte-order mark, so that Windows PowerShell reads non-ASCII notes as UTF-8.
    [IO.File]::WriteAllText($Manifest, $text, [Text.UTF8Encoding]::new($true))
}

# out/packages/MailQuotaPS.<version>.nupkg: what Install-PSResource installs and Publish-PSResource publishes.
function Invoke-Package {
    Invoke-Build | Out-Host
    $packages = Join-Path $root 'out/packages'
    New-Item -ItemType Directory $packages -Force | Out-Null
    $nupkg = Join-Path $packages "MailQuotaPS.$version.nupkg"
    if (Test-Path $nupkg) { Remove-Item $nupkg }
    Compress-PSResource -Path $moduleOut -DestinationPath $packages
    if (-not (Test-Path $nupkg)) { throw "Compress-PSResource did not write $nupkg" }
    Write-Host "Package: $nupkg"
    return $nupkg
}

function Get-PesterModulePath {
    Invoke-Dotnet restore (Join-Path $root 'tests/tools/Tools.csproj') --nologo -v quiet
    $packages = $env:NUGET_PACKAGES
    if (-not $packages) {
        $line = & dotnet nuget locals global-packages --list
        $packages = ($line -replace '^global-packages:\s*', '').Trim()
    }
    $pester = Join-Path $packages 'pester/5.7.1/tools/Pester.psd1'
    if (-not (Test-Path $pester)) { throw "Pester 5.7.1 was not restored to $pester" }
    return $pester
}

# The scripted SMTP server the Pester tests and the soak start (tests/ScriptedSmtp.psm1 finds it here).
function Build-ScriptedSmtp {
    $scriptedSmtp = Join-Path $root 'out/test-tools/ScriptedSmtpServer'
    Invoke-Dotnet build (Join-Path $root 'tests/ScriptedSmtpServer/ScriptedSmtpServer.csproj') -c $Configuration -o $scriptedSmtp --nologo -v quiet
    $env:MAILQUOTAPS_SCRIPTED_SMTP = Join-Path $scriptedSmtp 'ScriptedSmtpServer.dll'
}

function Invoke-Test {
    $env:MAILQUOTAPS_TEST_PACKAGE = Invoke-Package   # tests/MailQuotaPS.Tests/Package.Tests.ps1 installs it
    if (Test-Path $resultsDir) { Remove-Item $resultsDir -Recurse -Force }
    New-Item -ItemType Directory $resultsDir | Out-Null
    Build-ScriptedSmtp

    Write-Host "`n== xunit (MailQuota.Core.Tests)"
    & dotnet test (Join-Path $root 'tests/MailQuota.Core.Tests') -c $Configuration --nologo --logger 'trx;LogFileName=core.trx' --results-directory $resultsDir
    $trx = Join-Path $resultsDir 'core.trx'
    $x = @{ Passed = 0; Failed = 1; Skipped = 0 }
    if (Test-Path $trx) {
        $counters = ([xml](Get-Content $trx -Raw)).TestRun.ResultSummary.Counters
        $x = @{ Passed = [int]$counters.passed; Failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted; Skipped = [int]$counters.notExecuted }
    }

    Write-Host "`n== Pester (tests/MailQuotaPS.Tests against $moduleBase)"
    $pesterJson = Join-Path $resultsDir 'pester.json'
    $null = Invoke-Pwsh (Join-Path $root 'tests/MailQuotaPS.Tests/Invoke-Tests.ps1') @('-ModulePath', $moduleBase, '-PesterPath', (Get-PesterModulePath), '-ResultPath', $pesterJson)
    $p = @{ Passed = 0; Failed = 1; Skipped = 0 }
    if (Test-Path $pesterJson) { $p = Get-Content $pesterJson -Raw | ConvertFrom-Json }

    $passed = $x.Passed + $p.Passed
    $failed = $x.Failed + $p.Failed
    $skipped = $x.Skipped + $p.Skipped
    Write-Host "`nxunit: $($x.Passed) passed, $($x.Failed) failed, $($x.Skipped) skipped; Pester: $($p.Passed) passed, $($p.Failed) failed, $($p.Skipped) skipped"
    $line = "Tests: $passed passed, $failed failed"
    if ($skipped) { $line += ", $skipped skipped" }
    Write-Host $line
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    $code = Invoke-Pwsh (Join-Path $root 'examples/Demo.ps1') @('-ModulePath', $moduleBase)
    if ($code -ne 0) { throw "The demo failed (exit code $code)." }
}

function Invoke-Bench {
    Invoke-Build
    $code = Invoke-Pwsh (Join-Path $root 'bench/Invoke-Bench.ps1') @('-ModulePath', $moduleBase)
    if ($code -ne 0) { throw "The benchmark failed (exit code $code)." }
}

function Invoke-Soak {
    Invoke-Build
    Build-ScriptedSmtp
    $code = Invoke-Pwsh (Join-Path $root 'tests/Soak/Invoke-Soak.ps1') @('-ModulePath', $moduleBase, '-MaxConnections', 4)
    if ($code -ne 0) { throw "The soak failed (exit code $code)." }
}

Push-Location $root
try {
    switch ($Task) {
        'Build' { Invoke-Build }
        'Package' { $null = Invoke-Package }
        'Test' { Invoke-Test }
        'Demo' { Invoke-Demo }
        'Bench' { Invoke-Bench }
        'Soak' { Invoke-Soak }
    }
}
finally { Pop-Location }
