BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    $script:Dir = Join-Path ([IO.Path]::GetTempPath()) "mqps-ledgerfile-$([guid]::NewGuid().ToString('N'))"
    New-Item -ItemType Directory $Dir | Out-Null
}
AfterAll { Remove-Item $Dir -Recurse -Force -ErrorAction SilentlyContinue }

Describe 'A -LedgerPath that is no ledger' {
    It 'is refused with LedgerUnreadable naming the path: <Label>' -ForEach @(
        @{ Label = 'a folder'; Make = { param($d) $d } }
        @{ Label = 'a text file'; Make = { param($d) $p = Join-Path $d 'staff.csv'; Set-Content $p "Email,Name`nx@example.test,X"; $p } }
        @{ Label = 'a garbage file'; Make = { param($d) $p = Join-Path $d 'garbage.db'; [IO.File]::WriteAllBytes($p, [byte[]](1..4096 | ForEach-Object { $_ % 251 })); $p } }
    ) {
        $path = & $Make $Dir
        foreach ($command in { Get-SendQuota -LedgerPath $path -ErrorAction Stop }, { Get-SendLog -LedgerPath $path -ErrorAction Stop }) {
            $err = $null
            try { & $command } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike 'LedgerUnreadable,*'
            $err.Exception.Message | Should -BeLike "*$path*"
            $err.Exception.GetType().Name | Should -Not -Be 'SqliteException'
        }
    }

    It 'creates a new ledger readable by its owner only' -Skip:$IsWindows {
        $path = Join-Path $Dir 'sub/ledger.db'
        'owner@example.test' | Send-ThrottledMail -SmtpServer 127.0.0.1 -Port 9 -From 'a@example.test' -Subject 's' -Body 'b' -LedgerPath $path -MaxPerMinute 5 -WhatIf | Out-Null
        Get-SendQuota -LedgerPath $path | Out-Null
        (& stat -c '%a' $path) | Should -Be '600'
        (& stat -c '%a' (Split-Path $path)) | Should -Be '700'
    }
}
