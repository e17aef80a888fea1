@{
    RootModule           = 'MailQuotaPS.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0f7f2e-3c55-4a5e-9d7a-7c1f3f0a2b61'
    Author               = 'MailQuotaPS contributors'
    CompanyName          = 'MailQuotaPS'
    Copyright            = '(c) MailQuotaPS contributors. MIT License.'
    Description          = 'Bulk mail that stays inside the provider''s quota: throttled SMTP sending with a shared quota ledger, for Alibaba Cloud mail, Exchange Online, Gmail, Amazon SES and any SMTP relay.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('MailQuotaPS.Format.ps1xml')
    TypesToProcess       = @('MailQuotaPS.Types.ps1xml')
    CmdletsToExport      = @('Send-ThrottledMail', 'Get-SendQuota', 'Test-MailContentDuplication', 'Import-MailRecipient', 'Get-SendProfile', 'New-SendProfile', 'Set-SendProfile', 'Remove-SendProfile', 'Get-SendLog', 'Clear-SendLog')
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Mail', 'SMTP', 'Throttling', 'Quota', 'Bulk', 'MailKit')
            ProjectUri = 'https://example.invalid/MailQuotaPS'
        }
    }
}
