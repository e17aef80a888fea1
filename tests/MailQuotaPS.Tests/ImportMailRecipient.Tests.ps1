BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    $script:Dir = Join-Path ([IO.Path]::GetTempPath()) "mqps-import-$([guid]::NewGuid().ToString('N'))"
    New-Item -ItemType Directory $Dir | Out-Null

    # Writes text in an encoding, with the encoding's byte-order mark when asked: files as other tools leave them.
    function Write-TestFile([string] $Name, [string] $Text, [Text.Encoding] $Encoding, [switch] $Bom) {
        $path = Join-Path $Dir $Name
        $bytes = [Collections.Generic.List[byte]]::new()
        if ($Bom) { $bytes.AddRange($Encoding.GetPreamble()) }
        $bytes.AddRange($Encoding.GetBytes($Text))
        [IO.File]::WriteAllBytes($path, $bytes.ToArray())
        $path
    }
    $script:Gb18030 = [Text.Encoding]::GetEncoding(54936)
    $script:Utf8 = [Text.UTF8Encoding]::new($false)
    $script:Staff = "Email,Name,Department`r`nzhang.wei@example.test,张伟,财务部`r`nzoe@example.test,Zoë Brandt,Ventes`r`n"
}
AfterAll { Remove-Item $Dir -Recurse -Force -ErrorAction SilentlyContinue }

Describe 'Import-MailRecipient reads files as administrators have them' {
    It 'warns when a file has a header but no rows' {
        $path = Write-TestFile 'header-only.csv' "Email,Name`r`n,`r`n" $Utf8
        $rows = Import-MailRecipient $path -WarningVariable warnings 3>$null
        @($rows).Count | Should -Be 0
        "$warnings" | Should -BeLike "*header-only.csv has a header but no rows*"
    }

    It 'is exported, declares its output type and shows one line per recipient' {
        (Get-Command Import-MailRecipient).OutputType.Name | Should -Contain 'MailQuotaPS.MailRecipient'
        $path = Write-TestFile 'view.csv' $Staff $Utf8
        $text = Import-MailRecipient $path | Out-String -Width 200
        $text | Should -Match 'Email\s+Name\s+Columns'
        $text | Should -Match 'zhang\.wei@example\.test\s+张伟\s+Department=财务部'
    }

    It 'keeps 张伟 and Zoë intact in <Label>' -ForEach @(
        @{ Label = 'UTF-8 without BOM'; Encoding = 'utf-8'; Bom = $false; Separator = ',' }
        @{ Label = 'UTF-8 with BOM'; Encoding = 'utf-8'; Bom = $true; Separator = ',' }
        @{ Label = 'UTF-16 LE'; Encoding = 'utf-16'; Bom = $true; Separator = ',' }
        @{ Label = 'UTF-16 BE'; Encoding = 'utf-16BE'; Bom = $true; Separator = ',' }
        @{ Label = 'GB18030'; Encoding = 'gb18030'; Bom = $false; Separator = ',' }
        @{ Label = 'semicolon-separated UTF-8'; Encoding = 'utf-8'; Bom = $false; Separator = ';' }
        @{ Label = 'tab-separated UTF-16'; Encoding = 'utf-16'; Bom = $true; Separator = "`t" }
        @{ Label = 'pipe-separated GB18030'; Encoding = 'gb18030'; Bom = $false; Separator = '|' }
    ) {
        $writeAs = [Text.Encoding]::GetEncoding($Encoding)
        $path = Write-TestFile "staff-$([guid]::NewGuid().ToString('N')).csv" $Staff.Replace(',', $Separator) $writeAs -Bom:$Bom
        $rows = @(Import-MailRecipient $path -WarningVariable warnings -WarningAction SilentlyContinue)
        $rows.Count | Should -Be 2
        $rows[0].Email | Should -BeExactly 'zhang.wei@example.test'
        $rows[0].Name | Should -BeExactly '张伟'
        $rows[0].Department | Should -BeExactly '财务部'
        $rows[1].Name | Should -BeExactly 'Zoë Brandt'
        if ($Encoding -eq 'gb18030') {
            @($warnings).Count | Should -Be 1
            "$($warnings[0])" | Should -BeLike '*not valid UTF-8 (from line 2 on)*GB18030*-Encoding*'
        }
        else { $warnings | Should -BeNullOrEmpty }
    }

    It 'finds 邮箱 and 姓名 behind a byte-order mark and keeps the original headers as merge fields' {
        $path = Write-TestFile 'cn.csv' "邮箱;姓名;部门`r`nzw@example.test;张伟;财务部`r`n" $Utf8 -Bom
        $row = Import-MailRecipient $path
        $row.Email | Should -BeExactly 'zw@example.test'
        $row.Name | Should -BeExactly '张伟'
        $row.邮箱 | Should -BeExactly 'zw@example.test'
        $row.姓名 | Should -BeExactly '张伟'
        $row.部门 | Should -BeExactly '财务部'
        $row.psobject.Properties.Name | Should -Be @('Email', 'Name', '邮箱', '姓名', '部门')
    }

    It 'takes '' Email '' and ''E-mail'' headers, and -Encoding and -Delimiter by name' {
        $path = Write-TestFile 'spaced.csv' " Email |E-mail|Full Name`r`nzoe@example.test|z2@example.test|Zoë`r`n" ([Text.Encoding]::GetEncoding(1252))
        $row = Import-MailRecipient $path -Encoding windows-1252 -Delimiter '|'
        $row.Email | Should -BeExactly 'zoe@example.test'
        $row.'E-mail' | Should -BeExactly 'z2@example.test'
        $row.Name | Should -BeExactly 'Zoë'
        { Import-MailRecipient $path -Encoding no-such-encoding } | Should -Throw -ExpectedMessage "*'no-such-encoding' is not an encoding*"
    }

    It 'reports 5 invalid rows by file and line, drops 3 duplicates with one warning, and yields the rest' {
        $lines = @(
            'Email,Name,City'
            'zhang.wei@example.test,张伟,上海'      # 2
            'zoe@example.test,Zoë,Zürich'           # 3
            'zhang.wei.example.test,Bad One,x'      # 4 invalid
            'ZHANG.WEI@example.test,again,x'        # 5 duplicate
            'li.na@,Bad Two,x'                      # 6 invalid
            'li.na@example.test,李娜,北京'           # 7
            '"Zoë, ""Z""",Bad Three,"multi'         # 8 invalid (a name, not an address), the row runs on
            'line"'                                 # 9
            'Zoe@Example.Test,again,x'              # 10 duplicate
            ',No Address,x'                         # 11 invalid
            'wang fang@example.test,Bad Five,x'     # 12 invalid
            'li.na@EXAMPLE.test,again,x'            # 13 duplicate
            'anna@example.test,Anna,Oslo'           # 14
        )
        $path = Write-TestFile 'mixed.csv' (($lines -join "`r`n") + "`r`n") $Utf8
        $rows = @(Import-MailRecipient $path -ErrorVariable errs -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue)
        $rows.Email | Should -Be @('zhang.wei@example.test', 'zoe@example.test', 'li.na@example.test', 'anna@example.test')
        $errs.Count | Should -Be 5
        $errs | ForEach-Object { $_.Exception.Message | Should -BeLike "$path line *" }
        ($errs | ForEach-Object { [int]($_.Exception.Message -replace '^.* line (\d+):.*$', '$1') }) | Should -Be @(4, 6, 8, 11, 12)
        $errs[0].Exception.Message | Should -BeLike "*line 4: 'zhang.wei.example.test' is not a valid e-mail address: it has no @."
        $errs[0].FullyQualifiedErrorId | Should -Be 'InvalidAddress,MailQuotaPS.ImportMailRecipientCommand'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errs[0].TargetObject.Name | Should -Be 'Bad One'
        $errs[3].FullyQualifiedErrorId | Should -BeLike 'NoAddress,*'
        @($warnings).Count | Should -Be 1
        "$($warnings[0])" | Should -BeLike '*3 duplicate addresses were dropped*lines 5, 10, 13*'
    }

    It 'goes on with the next file when one cannot be read, and takes paths from the pipeline' {
        $a = Write-TestFile 'a.csv' "Email`r`na@example.test`r`n" $Utf8
        $b = Write-TestFile 'b.csv' "Login`r`nzw`r`n" $Utf8
        $c = Write-TestFile 'c.csv' "Mail`r`nc@example.test`r`nA@EXAMPLE.TEST`r`n" $Utf8
        $rows = @(Get-Item $a, $b, $c | Import-MailRecipient -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        $rows.Email | Should -Be @('a@example.test', 'c@example.test')
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'NoAddressColumn,*'
        $errs[0].Exception.Message | Should -BeLike "$b*no column holds e-mail addresses*'Login'*"

        $missing = Join-Path $Dir 'missing.csv'
        $rows = @(Import-MailRecipient $missing, $a -ErrorVariable errs -ErrorAction SilentlyContinue)
        $rows.Email | Should -Be 'a@example.test'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'FileNotFound,*'
        @(Import-MailRecipient (Join-Path $Dir 'nothing-*.csv') -ErrorVariable errs -ErrorAction SilentlyContinue).Count | Should -Be 0
        $errs[0].Exception.Message | Should -BeLike "No file matches*nothing-*.csv'."
    }

    It 'drops the addresses of a suppression list and refuses to run without a readable one' {
        $path = Write-TestFile 'r.csv' "Email`r`na@example.test`r`nb@example.test`r`nc@example.test`r`n" $Utf8
        $list = Write-TestFile 'suppress.txt' "B@Example.Test`r`n" $Utf8
        (Import-MailRecipient $path -Exclude $list).Email | Should -Be @('a@example.test', 'c@example.test')
        { Import-MailRecipient $path -Exclude (Join-Path $Dir 'no-list.txt') } | Should -Throw -ErrorId 'ExcludeFileNotFound,MailQuotaPS.ImportMailRecipientCommand'
        { Import-MailRecipient $path -Exclude (Join-Path $Dir 'unsubscribed-*.txt') } | Should -Throw -ExpectedMessage '*no file matches*'
        $noLedger = New-TestLedgerPath
        @(Import-MailRecipient $path -ExcludeBounced -LedgerPath $noLedger -WarningVariable warnings -WarningAction SilentlyContinue).Count | Should -Be 3
        "$warnings" | Should -BeLike '*no ledger*no bounces to exclude*'
        Test-Path $noLedger | Should -BeFalse
    }

    It 'streams: a pipeline that wants one row stops the reading long before the end of the file' {
        # 50,000 good rows, then a quote that is never closed: reading that far is an error.
        $big = Join-Path $Dir 'big.csv'
        $writer = [IO.StreamWriter]::new($big, $false, $Utf8)
        try {
            $writer.WriteLine('Email,Name')
            foreach ($i in 1..50000) { $writer.WriteLine("user$i@example.test,User $i") }
            $writer.WriteLine('late@example.test,"never closed')
            $writer.Write('x' * 1100000)
        }
        finally { $writer.Dispose() }

        $first = Import-MailRecipient $big -ErrorVariable early | Select-Object -First 1
        $first.Email | Should -Be 'user1@example.test'
        $early | Should -BeNullOrEmpty

        (Import-MailRecipient $big -ErrorVariable all -ErrorAction SilentlyContinue | Measure-Object).Count | Should -Be 50000
        $all.Count | Should -Be 1
        $all[0].FullyQualifiedErrorId | Should -BeLike 'FieldTooLong,*'
        $all[0].Exception.Message | Should -BeLike '*from line 50002 on*'
    }
}

Describe 'Import-MailRecipient | Send-ThrottledMail against a real SMTP server (smtp4dev)' {
    BeforeAll {
        # The server refuses one mailbox the way a real one does, so the ledger learns a hard bounce.
        $env:ServerOptions__RecipientValidationExpression = "recipient.startsWith('gone') ? error(550, '5.1.1 User unknown') : true"
        try { $script:Server = Start-Smtp4dev } finally { Remove-Item env:ServerOptions__RecipientValidationExpression }
        $script:Common = @{ SmtpServer = '127.0.0.1'; Port = $Server.SmtpPort; From = 'hr@example.test'; MaxPerMinute = 1000 }
    }
    AfterAll { if ($script:Server) { Stop-Smtp4dev $script:Server } }
    BeforeEach { Clear-Smtp4dev $Server }

    It 'sends one message per imported row of a GB18030 file, with names and merge fields from its Chinese headers' {
        $text = "邮箱;姓名;部门;截止日期`r`n" +
            "zhang.wei@example.test;张伟;财务部;2026-12-03`r`n" +
            "wang.fang@example.test;王芳;人事部;2026-12-04`r`n" +
            "not-an-address;坏;x;x`r`n" +
            "ZHANG.WEI@example.test;张伟;财务部;2026-12-03`r`n" +
            "zoe@example.test;Zoë Brandt;Ventes;2026-12-05`r`n"
        $path = Write-TestFile 'gbk.csv' $text $Gb18030
        $ledger = New-TestLedgerPath
        $results = @(Import-MailRecipient $path -ErrorVariable importErrors -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue |
            Send-ThrottledMail @Common -Subject '{{部门}}: {{Name}}, please act before {{截止日期}}' -Body "Dear {{姓名}},`nyour account ({{Email}}) expires on {{截止日期}}." -LedgerPath $ledger)

        $results.Status | Should -Be @('Sent', 'Sent', 'Sent')
        $importErrors.Count | Should -Be 1
        $importErrors[0].Exception.Message | Should -BeLike "$path line 4: 'not-an-address'*"
        "$warnings" | Should -BeLike '*GB18030*'
        "$warnings" | Should -BeLike '*1 duplicate address was dropped*line 5*'

        $received = @(Get-Smtp4devMessage $Server)
        $received.Count | Should -Be 3
        ($received | ForEach-Object { @($_.to)[0] } | Sort-Object) | Should -Be @('wang.fang@example.test', 'zhang.wei@example.test', 'zoe@example.test')
        $zhang = Get-Smtp4devMessageDetail $Server ($received | Where-Object { @($_.to)[0] -eq 'zhang.wei@example.test' }).id
        $zhang.Subject | Should -BeExactly '财务部: 张伟, please act before 2026-12-03'
        $zhang.To | Should -BeExactly '张伟 <zhang.wei@example.test>'
        $zhang.Text | Should -Match 'Dear 张伟,'
        $zhang.Text | Should -Match 'your account \(zhang\.wei@example\.test\) expires on 2026-12-03\.'
        $zoe = Get-Smtp4devMessageDetail $Server ($received | Where-Object { @($_.to)[0] -eq 'zoe@example.test' }).id
        $zoe.To | Should -BeExactly 'Zoë Brandt <zoe@example.test>'
    }

    It 'learns a hard bounce in the ledger and -ExcludeBounced leaves it out of the next import' {
        $path = Write-TestFile 'bounce.csv' "Email,Name`r`ngone@example.test,Gone`r`nstay@example.test,Stay`r`n" $Utf8
        $ledger = New-TestLedgerPath
        $first = @(Import-MailRecipient $path | Send-ThrottledMail @Common -Subject 'Hi {{Name}}' -Body 'x' -LedgerPath $ledger -ErrorAction SilentlyContinue)
        ($first | Where-Object Recipient -EQ 'gone@example.test').Reply | Should -BeLike '550 5.1.1*'

        Clear-Smtp4dev $Server
        $second = @(Import-MailRecipient $path -ExcludeBounced -LedgerPath $ledger -Verbose 4>&1)
        $rows = @($second | Where-Object { $_ -is [MailQuotaPS.MailRecipient] })
        $rows.Email | Should -Be 'stay@example.test'
        ($second | Where-Object { $_ -is [Management.Automation.VerboseRecord] }).Message | Should -Contain "${ledger}: 1 address bounced for good, to exclude."
    }
}
