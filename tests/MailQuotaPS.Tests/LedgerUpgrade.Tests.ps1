# A ledger written by an earlier module opens with this one, is migrated, and shows the same figures;
# a ledger of a newer module is refused. The fixtures: tests/fixtures/ledger-v*/ (see their README).
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    . (Join-Path $PSScriptRoot 'SendHistory.ps1')
    $script:FixtureDir = Join-Path $PSScriptRoot '../fixtures/ledger-v0.1.0'

    function Copy-Fixture {
        $path = New-TestLedgerPath
        Copy-Item (Join-Path $FixtureDir 'ledger.sqlite') $path
        $path
    }
}

Describe 'A v0.1.0 ledger' {
    BeforeAll {
        $script:Expected = Get-Content (Join-Path $FixtureDir 'expected.json') -Raw | ConvertFrom-Json
        $script:Ledger = Copy-Fixture
        # PRAGMA user_version as the file's header holds it (big-endian at offset 60), read before anything opens it.
        $header = [IO.File]::ReadAllBytes($Ledger)
        $script:VersionBefore = ([int]$header[60] -shl 24) -bor ([int]$header[61] -shl 16) -bor ([int]$header[62] -shl 8) -bor [int]$header[63]
        $script:Quota = @(Get-SendQuota -LedgerPath $Ledger -WarningVariable quotaWarnings -WarningAction SilentlyContinue)
        $script:QuotaWarnings = @($quotaWarnings)
        $script:Log = @(Get-SendLog -LedgerPath $Ledger)
    }

    It 'was written without a schema version and is migrated to the current one' {
        $Expected.ModuleVersion | Should -Be '0.1.0'
        $VersionBefore | Should -Be 0
        (Invoke-LedgerQuery $Ledger 'PRAGMA user_version').user_version | Should -Be ([MailQuota.Core.Storage.Sqlite.SqliteLedger]::SchemaVersion)
    }

    It 'shows the quota figures v0.1.0 showed' {
        $Quota.Count | Should -Be $Expected.Quota.Count
        for ($i = 0; $i -lt $Quota.Count; $i++) {
            $row = $Quota[$i]; $was = $Expected.Quota[$i]
            "$($row.Account) $($row.Window) $($row.Unit) $($row.Limit) $($row.Used) $($row.Remaining) $([bool]$row.Held) $(@($row.Alerts).Count)" |
                Should -Be "$($was.Account) $($was.Window) $($was.Unit) $($was.Limit) $($was.Used) $($was.Remaining) $($was.Held) $($was.Alerts)"
        }
        $QuotaWarnings.Count | Should -Be $Expected.QuotaWarnings
    }

    It 'shows the send log v0.1.0 showed' {
        $Log.Count | Should -Be $Expected.SendLog.Count
        for ($i = 0; $i -lt $Log.Count; $i++) {
            $row = $Log[$i]; $was = $Expected.SendLog[$i]
            $row.Account | Should -Be $was.Account
            $row.Campaign | Should -Be $was.Campaign
            $row.Recipient | Should -Be $was.Recipient
            $row.Recipients | Should -Be $was.Recipients
            "$($row.Status)" | Should -Be $was.Status
            $row.ReservedAt.ToUniversalTime().ToString('o') | Should -Be $was.ReservedAt
            $row.Attempts | Should -Be $was.Attempts
            $row.Reply | Should -Be $was.Reply
        }
    }

    It 'keeps its campaign rows: a rerun of the campaign skips what was sent' {
        # Nothing is left to send, so no server is needed.
        $rerun = 'w1@example.test', 'B2@example.test' | Send-ThrottledMail -SmtpServer 127.0.0.1 -Port 9 -From 'news@example.test' -Subject 'Winter' -Body 'b' `
            -Campaign 'winter' -LedgerPath $Ledger -WarningAction SilentlyContinue
        $rerun.Status | Should -Be @('Skipped', 'Skipped')
        $rerun[0].Reply | Should -BeLike 'sent in an earlier run of campaign winter*'
    }
}

Describe 'A ledger written by a newer module' {
    It 'is refused by every cmdlet with LedgerTooNew naming the file, and left as it is' {
        $ledger = Copy-Fixture
        Get-SendLog -LedgerPath $ledger | Out-Null
        $newer = [MailQuota.Core.Storage.Sqlite.SqliteLedger]::SchemaVersion + 1
        Invoke-LedgerQuery $ledger "PRAGMA user_version=$newer" | Out-Null
        foreach ($run in @(
                { Get-SendQuota -LedgerPath $ledger }
                { Get-SendLog -LedgerPath $ledger }
                { Clear-SendLog -LedgerPath $ledger -Before ([datetime]'2000-01-01') -Confirm:$false }
                { 'a@example.test' | Send-ThrottledMail -SmtpServer 127.0.0.1 -Port 9 -From 'news@example.test' -Subject 's' -Body 'b' -LedgerPath $ledger })) {
            $e = { & $run } | Should -Throw -PassThru
            $e.FullyQualifiedErrorId | Should -BeLike 'LedgerTooNew,MailQuotaPS.*'
            $e.TargetObject | Should -Be $ledger
            $e.Exception.Message | Should -BeLike "*$ledger*newer version of MailQuotaPS*"
        }
        (Invoke-LedgerQuery $ledger 'PRAGMA user_version').user_version | Should -Be $newer
    }
}
