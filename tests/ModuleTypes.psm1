# MailQuota.Core and its libraries load in the module's private load context (on PowerShell 7),
# where PowerShell does not look up type names: [MailQuota.Core.Ledger.SqliteLedger] would not
# resolve. Tests and benchmarks that reach into the core call Register-ModuleTypeName once after
# importing the module: every public type of those assemblies becomes a type accelerator under its
# full name, the very type the cmdlets use (not a second copy).
Set-StrictMode -Version 3.0

function Register-ModuleTypeName {
    param([string[]] $Assembly = @('MailQuota.Core', 'Microsoft.Data.Sqlite', 'MimeKit'))
    $context = [Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -EQ 'MailQuotaPS'
    if (-not $context) { throw 'The MailQuotaPS load context does not exist: import the module first.' }
    $accelerators = [psobject].Assembly.GetType('System.Management.Automation.TypeAccelerators')
    $known = $accelerators::Get
    foreach ($name in $Assembly) {
        foreach ($type in $context.LoadFromAssemblyName([Reflection.AssemblyName]::new($name)).GetExportedTypes()) {
            if (-not $known.ContainsKey($type.FullName)) { $accelerators::Add($type.FullName, $type) }
        }
    }
}

Export-ModuleMember -Function Register-ModuleTypeName
