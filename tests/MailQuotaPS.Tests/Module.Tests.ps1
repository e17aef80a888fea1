BeforeDiscovery { . (Join-Path $PSScriptRoot 'TestSetup.ps1') }
BeforeAll { . (Join-Path $PSScriptRoot 'TestSetup.ps1') }

Describe 'The built module' {
    It 'imports in a new pwsh with no other step and lists its cmdlets' {
        $r = Invoke-ChildPwsh "Import-Module '$ModulePath'; (Get-Command -Module MailQuotaPS).Name -join ','"
        $r.ExitCode | Should -Be 0
        $names = ($r.Output | Select-Object -Last 1) -split ','
        $names | Should -Contain 'Send-ThrottledMail'
        $names | Should -Contain 'Get-SendQuota'
        $names | Should -Contain 'Test-MailContentDuplication'
    }

    It 'ships the native SQLite library for every platform it targets' {
        $base = (Get-Module MailQuotaPS).ModuleBase
        foreach ($rid in 'linux-x64', 'linux-arm64', 'osx-x64', 'osx-arm64', 'win-x64', 'win-x86') {
            Get-ChildItem (Join-Path $base "deps/runtimes/$rid/native") -File | Should -Not -BeNullOrEmpty -Because $rid
        }
    }

    It 'opens a ledger from PowerShell (the native library is found at import)' {
        $ledger = New-TestLedgerPath
        { Get-SendQuota -LedgerPath $ledger -ErrorAction Stop } | Should -Not -Throw
        Test-Path $ledger | Should -BeTrue
    }

    It 'refuses a ledger on a network share with a clear error' {
        { Get-SendQuota -LedgerPath '\\fileserver\share\ledger.db' -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*network*local disk*'
    }

    It 'declares its output types' {
        (Get-Command Send-ThrottledMail).OutputType.Name | Should -Contain 'MailQuota.Core.Sending.SendResult'
        (Get-Command Get-SendQuota).OutputType.Name | Should -Contain 'MailQuota.Core.Quota.QuotaUsage'
        (Get-Command Test-MailContentDuplication).OutputType.Name | Should -Contain 'MailQuota.Core.Content.ContentDuplicationResult'
        (Get-Command Test-MailContentDuplication).OutputType.Name | Should -Contain 'MailQuota.Core.Content.ContentDuplicationSummary'
    }
}

Describe 'Help' {
    It 'documents <_> with a synopsis, a description, every parameter and an example' -ForEach @(
        Get-Command -Module MailQuotaPS -CommandType Cmdlet | ForEach-Object Name
    ) {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeLike "$_*" -Because 'a generated synopsis is only the syntax'
        "$($help.Description.Text)" | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 1
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        foreach ($name in (Get-Command $_).Parameters.Keys | Where-Object { $_ -notin $common }) {
            $p = $help.Parameters.Parameter | Where-Object Name -EQ $name
            "$($p.Description.Text)" | Should -Not -BeNullOrEmpty -Because "-$name needs help"
        }
    }

    It 'ships about_MailQuotaPS' {
        Get-Help about_MailQuotaPS | Out-String | Should -Match 'THE LEDGER'
    }
}
