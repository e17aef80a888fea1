BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    $script:Subject = 'Your payslip for {{Month}}, {{Name}}'
    $script:Body = "Dear {{Name}},`nyour payslip for {{Month}} is attached. The net amount of {{Amount}} reaches your account on {{Date}}. " +
        'Please check the figures and tell the payroll team within five working days if anything looks wrong. Kind regards, Payroll'
    function New-PayRow([int] $n) { [pscustomobject]@{ Email = "staff$n@example.test"; Name = "Staff Member $n"; Month = 'November'; Amount = "$(1000 + 37 * $n).50"; Date = "2026-11-$('{0:00}' -f ($n % 28 + 1))" } }
    function New-Eml([string] $Path, [string] $Id, [string] $Subject, [string] $Text) {
        "From: HR <hr@example.test>`r`nTo: someone@example.test`r`nSubject: $Subject`r`nMessage-ID: <$Id>`r`nMIME-Version: 1.0`r`nContent-Type: text/plain; charset=utf-8`r`n`r`n$Text`r`n" |
            Set-Content -LiteralPath $Path -Encoding utf8NoBOM -NoNewline
    }
}

Describe 'Test-MailContentDuplication' {
    It 'rates each rendered row of a merge against the limit, within the input itself' {
        $r = 1..12 | ForEach-Object { New-PayRow $_ } |
            Test-MailContentDuplication -Subject $Subject -Body $Body -MaxNearDuplicatesPerHour 10 -LedgerPath (New-TestLedgerPath)
        $r.Count | Should -Be 12
        $r.Verdict | Should -Be (@('Ok') + @('Warn') * 9 + @('Block') * 2)
        $r.NearDuplicateCount | Should -Be (0..11)
        $r.ClusterId | Sort-Object -Unique | Should -Be 1
        $r[11].Similarity | Should -Be 1
        $r[11].Reason | Should -BeLike '*11 near-identical messages in the last hour reach the limit of 10*'
        $r[11].RetryAt | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddMinutes(59))
    }

    It 'summarises the clusters of a batch with -Summary' {
        $rows = @(1..6 | ForEach-Object { New-PayRow $_ })
        $other = [pscustomobject]@{ Email = 'x@example.test'; Name = 'X'; Month = 'May'; Amount = '1'; Date = '2026-05-01' }
        $s = $rows + $other | Test-MailContentDuplication -Subject $Subject -Body $Body -Summary
        $s.Messages | Should -Be 7
        $s.Clusters | Should -Be 1
        $s.Unique | Should -Be 0     # the seventh row renders the same template: it joins the cluster
        $s.Largest.Size | Should -Be 7
        $s.Largest.FirstRow | Should -Be 1
        "$($s.Largest)" | Should -BeLike 'cluster 1: 7 messages from row 1*'
    }

    It 'tests one text without rows, its merge fields as placeholders' {
        $r = Test-MailContentDuplication -Subject 'Hello {{Name}}' -Body 'Nothing repeats here, {{Name}}.'
        $r.Source | Should -Be 'template'
        $r.Verdict | Should -Be 'Ok'
        $r.Subject | Should -Be 'Hello {{Name}}'
    }

    It 'reads .eml files from Get-ChildItem and finds the near-identical pair' {
        $dir = Join-Path ([IO.Path]::GetTempPath()) "eml-$([guid]::NewGuid().ToString('N'))"
        New-Item -ItemType Directory $dir | Out-Null
        $text = 'The quarterly figures for the northern region are attached; revenue rose in every month and the new warehouse opened on time. Please review the numbers before Friday.'
        New-Eml (Join-Path $dir 'a.eml') 'a1@example.test' 'Q3 figures' ("Hi Ann, " + $text)
        New-Eml (Join-Path $dir 'b.eml') 'b2@example.test' 'Q3 figures' ("Hi Bob, " + $text)
        New-Eml (Join-Path $dir 'c.eml') 'c3@example.test' 'Picnic' 'Shall we have the team picnic by the river next Saturday? Bring sandwiches; we will bring lemonade and a ball.'
        $r = Get-ChildItem $dir -Filter *.eml | Sort-Object Name | Test-MailContentDuplication
        $r.Count | Should -Be 3
        $r[0].ClusterId | Should -Be $r[1].ClusterId
        $r[2].ClusterId | Should -Not -Be $r[0].ClusterId
        $r[1].ClosestMessageId | Should -Be 'a1@example.test'
        $r[1].ClosestRow | Should -Be 1
        $r[1].Similarity | Should -BeGreaterOrEqual 0.7
        $r[2].Verdict | Should -Be 'Ok'
        Remove-Item $dir -Recurse -Force
    }

    It 'names a bad row or an unreadable file and goes on' {
        $r = @([pscustomobject]@{ Email = 'a@example.test' }, (New-PayRow 2)) |
            Test-MailContentDuplication -Subject 'Hi {{Name}}' -Body 'x {{Month}}' -ErrorVariable errs -ErrorAction SilentlyContinue
        @($r).Count | Should -Be 1
        $r.Row | Should -Be 2
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'MissingMergeField*'
        $errs[0].Exception.Message | Should -BeLike 'Row 1: *{{Name}}*'

        $bad = Join-Path ([IO.Path]::GetTempPath()) "missing-$([guid]::NewGuid().ToString('N')).eml"
        Test-MailContentDuplication -Path $bad -ErrorVariable errs2 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs2[0].FullyQualifiedErrorId | Should -BeLike 'EmlNotFound*'
    }

    It 'judges against a provider profile with -Profile, and names an unknown profile' {
        $rows = 1..3 | ForEach-Object { New-PayRow $_ }
        $r = $rows | Test-MailContentDuplication -Subject $Subject -Body $Body -From 'hr@example.test' -Profile AliyunQiye -LedgerPath (New-TestLedgerPath) -MaxNearDuplicatesPerHour 2
        $r.Count | Should -Be 3
        $r[2].Verdict | Should -Be 'Block'
        { $rows | Test-MailContentDuplication -Subject $Subject -Body $Body -Profile NoSuchProvider -ErrorAction Stop } |
            Should -Throw -ErrorId 'ProfileNotFound*'
    }

    It 'creates no ledger when there is none' {
        $ledger = New-TestLedgerPath
        New-PayRow 1 | Test-MailContentDuplication -Subject $Subject -Body $Body -From 'payroll@example.test' -LedgerPath $ledger | Should -Not -BeNullOrEmpty
        Test-Path $ledger | Should -BeFalse
    }
}

Describe 'Test-MailContentDuplication with finished messages' {
    BeforeAll {
        $script:Notices = @(
            [pscustomobject]@{ Subject = '年会通知'; Body = '公司年会将于一月二十日在总部大礼堂举行，请各部门提前安排工作，准时参加。' }
            [pscustomobject]@{ Subject = '停电通知'; Body = '因线路检修，本周六上午八点至十二点办公楼停电，请提前保存文件并关闭电脑。' }
            [pscustomobject]@{ Subject = '体检安排'; Body = '今年员工体检定于下月五日开始，请到人事部领取体检表，空腹前往指定医院。' }
        )
        $script:Dir = Join-Path ([IO.Path]::GetTempPath()) "msg-$([guid]::NewGuid().ToString('N'))"
        New-Item -ItemType Directory $Dir | Out-Null
    }
    AfterAll { Remove-Item $Dir -Recurse -Force }

    It 'takes three unrelated Chinese notices as objects: three clusters, each named by its source' {
        $r = $Notices | Test-MailContentDuplication
        $r.Count | Should -Be 3
        $r.ClusterId | Should -Be @(1, 2, 3)
        $r.Source | Should -Be @('message 1', 'message 2', 'message 3')
        $r.Subject | Should -Be @('年会通知', '停电通知', '体检安排')
        $r.Verdict | Sort-Object -Unique | Should -Be 'Ok'
        ($Notices | Test-MailContentDuplication -Summary).Clusters | Should -Be 0
    }

    It 'fingerprints a template made of fields as rendered: the notices stay three clusters' {
        $r = $Notices | Test-MailContentDuplication -Subject '{{Subject}}' -Body '{{Body}}'
        $r.ClusterId | Should -Be @(1, 2, 3)
        $r.Subject | Should -Be @('年会通知', '停电通知', '体检安排')
    }

    It 'takes objects by alias, MimeMessage objects and .eml files in one pipeline' {
        $text = 'The quarterly figures for the northern region are attached; revenue rose in every month and the new warehouse opened on time. Please review the numbers before Friday.'
        New-Eml (Join-Path $Dir 'q3.eml') 'q3@example.test' 'Q3 figures' ("Hi Ann,`n" + $text)
        $mime = [MimeKit.MimeMessage]::new()
        $mime.Subject = 'Q3 figures'
        $mime.MessageId = 'mime1@example.test'
        $part = [MimeKit.TextPart]::new('plain')
        $part.Text = "Hello Bob,`n" + $text
        $mime.Body = $part
        $inputs = @(
            [pscustomobject]@{ Title = 'Q3 figures'; Text = "Dear Carla,`n" + $text }
            $mime
            (Get-Item (Join-Path $Dir 'q3.eml'))
            [pscustomobject]@{ Subject = 'Picnic'; Html = '<p>Shall we have the team picnic by the river next Saturday? Bring sandwiches; we will bring lemonade and a ball.</p>' }
            [pscustomobject]@{ Name = 'no message here' }
            [pscustomobject]@{ Subject = 'Canteen'; Content = 'The canteen is closed on Monday for cleaning; the coffee machine on the second floor works as usual.' }
        )
        $r = $inputs | Test-MailContentDuplication -ErrorVariable errs -ErrorAction SilentlyContinue
        $r.Count | Should -Be 5
        $r.Source | Should -Be @('message 1', 'message 2 <mime1@example.test>', (Join-Path $Dir 'q3.eml'), 'message 4', 'message 6')
        $r[1].ClusterId | Should -Be $r[0].ClusterId
        $r[2].ClusterId | Should -Be $r[0].ClusterId
        $r[2].ClosestRow | Should -BeIn @(1, 2)
        $r[3].ClusterId | Should -Not -Be $r[0].ClusterId
        $r[4].ClusterId | Should -Not -Be $r[3].ClusterId
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'NotAMessage*'
        $errs[0].Exception.Message | Should -BeLike 'Message 5 has no Subject, Body or HtmlBody property*'

        # a path string is the file; any other string is a body
        $byPath = (Join-Path $Dir 'q3.eml'), "Hi Dan,`n$text" | Test-MailContentDuplication
        $byPath.Source | Should -Be @((Join-Path $Dir 'q3.eml'), 'message 2')
        $byPath[1].ClusterId | Should -Be $byPath[0].ClusterId
    }

    It 'puts 40 personalised payslips from .eml files into one cluster' {
        $names = 'Anna Meyer', 'Ben Okafor', 'Carla Rossi', 'David Nakamura', 'Eva Dubois', 'Frank Kowalski', 'Grace Svensson', 'Hugo Garcia'
        $payslips = Join-Path $Dir 'payslips'
        New-Item -ItemType Directory $payslips | Out-Null
        for ($i = 0; $i -lt 40; $i++) {
            $name = "$($names[$i % 8]) $([char](65 + $i % 26))."
            New-Eml (Join-Path $payslips "p$i.eml") "p$i@example.test" "Your payslip for November 2026" (
                "Dear $name,`n`nyour payslip for November 2026 is attached. Net pay: $(1000 + 37 * $i).50 EUR, paid on 2026-11-$(10 + $i % 18).`n" +
                "Tax class $($i % 5 + 1), employee number E$(40000 + $i).`nPlease check it and tell us within two weeks if anything is wrong.`n`nKind regards,`n$($names[($i + 3) % 8])`n")
        }
        $s = Get-ChildItem $payslips -Filter *.eml | Test-MailContentDuplication -Summary
        $s.Messages | Should -Be 40
        $s.Clusters | Should -Be 1
        $s.Largest.Size | Should -Be 40
    }
}

Describe 'Content checks across processes and in Send-ThrottledMail (smtp4dev)' {
    BeforeAll {
        $script:Server = Start-Smtp4dev
        $script:Common = @{ SmtpServer = '127.0.0.1'; Port = $Server.SmtpPort; From = 'payroll@example.test' }
    }
    AfterAll { if ($script:Server) { Stop-Smtp4dev $script:Server } }
    BeforeEach { Clear-Smtp4dev $Server }

    It 'a second pwsh process testing the same content reports the first process''s sends' {
        $ledger = New-TestLedgerPath
        $send = @"
Import-Module '$ModulePath'
`$rows = 1..5 | ForEach-Object { [pscustomobject]@{ Email = "staff`$_@example.test"; Name = "Staff Member `$_"; Month = 'November'; Amount = "`$(1000 + `$_).50"; Date = '2026-11-03' } }
`$r = `$rows | Send-ThrottledMail -SmtpServer 127.0.0.1 -Port $($Server.SmtpPort) -From payroll@example.test -Subject '$Subject' -Body '$($Body -replace "`n", '`n')' -MaxPerMinute 100 -LedgerPath '$ledger' -WarningAction SilentlyContinue
`$r.MessageId -join ','
"@
        $first = Invoke-ChildPwsh $send
        $first.ExitCode | Should -Be 0
        $sentIds = ($first.Output | Select-Object -Last 1) -split ','
        $sentIds.Count | Should -Be 5

        $test = @"
Import-Module '$ModulePath'
`$row = [pscustomobject]@{ Email = 'new@example.test'; Name = 'Somebody New'; Month = 'November'; Amount = '77.00'; Date = '2026-11-09' }
`$r = `$row | Test-MailContentDuplication -From payroll@example.test -Subject '$Subject' -Body '$($Body -replace "`n", '`n')' -LedgerPath '$ledger' -MaxNearDuplicatesPerHour 5
"`$(`$r.NearDuplicateCount);`$(`$r.ExactDuplicateCount);`$(`$r.Verdict);`$(`$r.ClosestMessageId)"
"@
        $second = Invoke-ChildPwsh $test
        $second.ExitCode | Should -Be 0
        $near, $exact, $verdict, $closest = ($second.Output | Select-Object -Last 1) -split ';'
        $near | Should -Be 5
        $exact | Should -Be 5
        $verdict | Should -Be 'Block'
        $sentIds | Should -Contain $closest
    }

    It '-DuplicateAction Stop ends the run after the limit with a clear error, and the limit is remembered' {
        $ledger = New-TestLedgerPath
        $results = [System.Collections.Generic.List[object]]::new()
        $err = $null
        try {
            1..15 | ForEach-Object { New-PayRow $_ } |
                Send-ThrottledMail @Common -Subject $Subject -Body $Body -MaxPerMinute 100 -MaxNearDuplicatesPerHour 10 -DuplicateAction Stop -LedgerPath $ledger |
                ForEach-Object { $results.Add($_) }
        }
        catch { $err = $_ }
        $results.Count | Should -Be 10
        $results.Status | Sort-Object -Unique | Should -Be 'Sent'
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'NearDuplicateLimitExceeded*'
        $err.CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $err.Exception.Message | Should -BeLike 'Row 11 (staff11@example.test) was not sent and the run stops: 10 near-identical messages in the last hour reach the limit of 10*'
        $err.ErrorDetails.RecommendedAction | Should -BeLike '*-DuplicateAction Wait*'
        @(Get-Smtp4devMessage $Server).Count | Should -Be 10

        # the next run remembers the limit and, with Skip, sends nothing of this template this hour
        $next = New-PayRow 16 | Send-ThrottledMail @Common -Subject $Subject -Body $Body -DuplicateAction Skip -LedgerPath $ledger -WarningVariable warnings -WarningAction SilentlyContinue
        $next.Status | Should -Be 'Skipped'
        "$warnings" | Should -BeLike 'Row 1 (staff16@example.test) was skipped: 10 near-identical messages in the last hour*'
        @(Get-Smtp4devMessage $Server).Count | Should -Be 10
        (Get-SendQuota -LedgerPath $ledger | Where-Object Window -EQ 'Minute').Used | Should -Be 10
    }

    It '-DuplicateAction Warn sends over the limit with a warning per message' {
        $ledger = New-TestLedgerPath
        $r = 1..4 | ForEach-Object { New-PayRow $_ } |
            Send-ThrottledMail @Common -Subject $Subject -Body $Body -MaxPerMinute 100 -MaxNearDuplicatesPerHour 2 -DuplicateAction Warn -LedgerPath $ledger -WarningVariable warnings -WarningAction SilentlyContinue
        $r.Status | Sort-Object -Unique | Should -Be 'Sent'
        $warnings.Count | Should -Be 2
        "$($warnings[0])" | Should -BeLike 'Row 3 (staff3@example.test) was sent although*'
        @(Get-Smtp4devMessage $Server).Count | Should -Be 4
    }
}
