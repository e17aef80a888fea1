# Root module of MailQuotaPS. The cmdlets (MailQuotaPS.dll, loaded by the manifest's
# RequiredAssemblies but not yet imported) live in PowerShell's shared context and reference only
# MailQuota.Core; MailQuota.Core and the libraries it uses live in deps/. They must be resolvable
# before PowerShell reads the cmdlet types, so this script sets that up first: on PowerShell 7 a
# private load context (MailQuotaPS.Loader.dll), so that other modules' copies of MailKit,
# CsvHelper or SQLite never meet ours; on Windows PowerShell 5.1, which has no load contexts, a
# resolver for deps/ in the one shared context.
$deps = Join-Path $PSScriptRoot 'deps'
if ($PSEdition -eq 'Core') {
    if ([Environment]::Version.Major -lt 8) { throw "MailQuotaPS needs PowerShell 7.4 or later (this is $($PSVersionTable.PSVersion)), or Windows PowerShell 5.1." }
    Add-Type -Path (Join-Path $PSScriptRoot 'MailQuotaPS.Loader.dll')
    [MailQuotaPS.Loader.DependencyLoadContext]::Register($deps)
}
else {
    [MailQuotaPS.WindowsPowerShellDependencies]::Register($deps)
}
Import-Module (Join-Path $PSScriptRoot 'MailQuotaPS.dll')
Export-ModuleMember -Cmdlet *
