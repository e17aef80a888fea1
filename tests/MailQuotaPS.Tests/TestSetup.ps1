# Dot-sourced by every *.Tests.ps1 in BeforeAll: the built module, the smtp4dev helpers and a
# clean child pwsh command line.
$script:ModulePath = $env:MAILQUOTAPS_TEST_MODULE
if (-not $script:ModulePath) { $script:ModulePath = Join-Path $PSScriptRoot '../../out/MailQuotaPS' }
Import-Module $script:ModulePath -Force
Import-Module (Join-Path $PSScriptRoot '../ModuleTypes.psm1') -Force
Register-ModuleTypeName   # tests that reach into the core name its types
Import-Module (Join-Path $PSScriptRoot '../Smtp4dev.psm1') -Force
Import-Module (Join-Path $PSScriptRoot '../ScriptedSmtp.psm1') -Force

function New-TestLedgerPath { Join-Path ([IO.Path]::GetTempPath()) "mqps-test-$([guid]::NewGuid().ToString('N')).db" }

# Starts a script in a new pwsh process that runs on while the test reads its output (StandardOutput).
function Start-ChildPwsh([string] $Script) {
    $exe = (Get-Process -Id $PID).Path
    $info = [Diagnostics.ProcessStartInfo]::new($exe)
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $info.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
    foreach ($a in '-NoProfile', '-NonInteractive', '-EncodedCommand', [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Script))) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardOutput = $true
    $info.UseShellExecute = $false
    [Diagnostics.Process]::Start($info)
}

# Runs a script in a new pwsh process (as a scheduled task would) and returns its output lines.
function Invoke-ChildPwsh([string] $Script) {
    $exe = (Get-Process -Id $PID).Path
    $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Script))
    $out = & $exe @prefix -NoProfile -NonInteractive -EncodedCommand $encoded 2>&1
    [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = @($out | ForEach-Object { "$_" }) }
}
