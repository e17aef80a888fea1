@{
    RootModule           = 'MailQuotaPS.psm1'
    ModuleVersion        = '0.2.0'
    GUID                 = '5b0f7f2e-3c55-4a5e-9d7a-7c1f3f0a2b61'
    Author               = 'MailQuotaPS contributors'
    CompanyName          = 'MailQuotaPS'
    Copyright            = '(c) MailQuotaPS contributors. MIT License.'
    Description          = 'Bulk mail from PowerShell that stays inside the provider''s sending limits. Send-ThrottledMail sends every row of a CSV exactly once, as fast as the account''s quota (per minute, hour, day, recipients per message, near-duplicate content) allows and no faster, slows down or stops as the server''s replies demand, and keeps quota use in a SQLite ledger shared by every PowerShell process of the user. Import-MailRecipient reads recipient CSVs in any encoding and delimiter; profiles for Alibaba Cloud mail, Exchange Online, Gmail, Amazon SES and any SMTP relay. Its dependencies (MailKit, CsvHelper, SQLite) load in a private context on PowerShell 7, so other modules'' versions do not clash.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    # Loaded before the types file names its adapter; the cmdlets themselves are imported by the
    # root module once MailQuota.Core can be resolved.
    RequiredAssemblies   = @('MailQuotaPS.dll')
    FormatsToProcess     = @('MailQuotaPS.Format.ps1xml')
    TypesToProcess       = @('MailQuotaPS.Types.ps1xml')
    CmdletsToExport      = @('Send-ThrottledMail', 'Get-SendQuota', 'Test-MailContentDuplication', 'Import-MailRecipient', 'Get-SendProfile', 'New-SendProfile', 'Set-SendProfile', 'Remove-SendProfile', 'Get-SendLog', 'Clear-SendLog', 'Copy-SendLedger')
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Mail', 'Email', 'SMTP', 'BulkMail', 'Throttling', 'RateLimit', 'Quota', 'MailKit', 'ExchangeOnline', 'Gmail', 'SES', 'CSV', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            LicenseUri   = 'https://opensource.org/license/mit'
            ReleaseNotes = ''   # build.ps1 fills in the top entry of CHANGELOG.md
        }
    }
}
