BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    $script:Server = Start-Smtp4dev
    $script:Common = @{ SmtpServer = '127.0.0.1'; Port = $Server.SmtpPort; From = 'payroll@example.test' }
}
AfterAll { if ($script:Server) { Stop-Smtp4dev $script:Server } }

Describe 'Send-ThrottledMail against a real SMTP server (smtp4dev)' {
    Context 'a 25-row CSV' {
        BeforeAll {
            Clear-Smtp4dev $Server
            $script:Ledger = New-TestLedgerPath
            $csv = Join-Path ([IO.Path]::GetTempPath()) "rows-$([guid]::NewGuid().ToString('N')).csv"
            $names = '张伟', '王芳', '李娜', 'Zoë Brandt', 'Ólafur Arnalds'
            1..25 | ForEach-Object {
                [pscustomobject]@{ Email = "staff$_@example.test"; Name = $names[$_ % 5] + " $_"; Amount = "{0}.00" -f ($_ * 100); Month = '十一月' }
            } | Export-Csv $csv -NoTypeInformation -Encoding utf8
            $script:Results = Import-Csv $csv | Send-ThrottledMail @Common -Subject '{{Month}} 工资单 for {{Name}}' `
                -Body "Dear {{Name}},`nyour payment of {{Amount}} is on its way." -MaxPerMinute 1000 -MaxPerDay 5000 -LedgerPath $Ledger
            $script:Received = @(Get-Smtp4devMessage $Server)
        }

        It 'outputs one Sent result per row' {
            $Results.Count | Should -Be 25
            $Results.Status | Sort-Object -Unique | Should -Be 'Sent'
            $Results.Row | Should -Be (1..25)
            $Results | ForEach-Object { $_.MessageId | Should -Not -BeNullOrEmpty; $_.Attempts | Should -Be 1; $_.SentAt | Should -Not -BeNullOrEmpty }
        }

        It 'delivers exactly one message per row' {
            $Received.Count | Should -Be 25
            $byRecipient = $Received | Group-Object { @($_.to)[0] }
            $byRecipient.Count | Should -Be 25
            $byRecipient | ForEach-Object { $_.Count | Should -Be 1 }
            ($Received | ForEach-Object { @($_.to)[0] } | Sort-Object) | Should -Be (1..25 | ForEach-Object { "staff$_@example.test" } | Sort-Object)
        }

        It 'renders merge fields and keeps Chinese subjects and names intact' {
            $msg = $Received | Where-Object { @($_.to)[0] -eq 'staff5@example.test' }
            $detail = Get-Smtp4devMessageDetail $Server $msg.id
            $detail.Subject | Should -BeExactly '十一月 工资单 for 张伟 5'
            $detail.To | Should -BeExactly '张伟 5 <staff5@example.test>'
            $detail.Text | Should -Match 'Dear 张伟 5,'
            $detail.Text | Should -Match 'payment of 500\.00 is on its way'
        }

        It 'shows the use in Get-SendQuota' {
            $quota = Get-SendQuota -LedgerPath $Ledger -Account payroll@example.test
            $minute = $quota | Where-Object Window -EQ 'Minute'
            $minute.Used | Should -Be 25
            $minute.Limit | Should -Be 1000
            $minute.Remaining | Should -Be 975
            ($quota | Where-Object Window -EQ 'Day').Used | Should -Be 25
            $minute.ResetsAt | Should -BeGreaterThan ([DateTimeOffset]::UtcNow)
        }

        It 'remembers the policy so the next call need not repeat it' {
            $r = 'late@example.test' | Send-ThrottledMail @Common -Subject 'x' -Body 'y' -LedgerPath $Ledger -WarningVariable warnings
            $r.Status | Should -Be 'Sent'
            $warnings | Should -BeNullOrEmpty
            (Get-SendQuota -LedgerPath $Ledger | Where-Object Window -EQ 'Minute').Used | Should -Be 26
        }
    }
}

Describe 'Send-ThrottledMail row by row' {
    BeforeEach { Clear-Smtp4dev $Server }

    It '-WhatIf sends nothing and reserves nothing' {
        $ledger = New-TestLedgerPath
        $r = 1..3 | ForEach-Object { [pscustomobject]@{ To = "w$_@example.test"; Name = "W $_" } } |
            Send-ThrottledMail @Common -Subject 'Hi {{Name}}' -Body 'x' -MaxPerMinute 5 -LedgerPath $ledger -WhatIf
        $r.Status | Sort-Object -Unique | Should -Be 'WhatIf'
        $r[1].Subject | Should -Be 'Hi W 2'
        @(Get-Smtp4devMessage $Server).Count | Should -Be 0
        Test-Path $ledger | Should -BeFalse
    }

    It 'reports a bad row by number and reason, and sends the rest' {
        $rows = @(
            [pscustomobject]@{ To = 'good1@example.test'; Name = 'A' }
            [pscustomobject]@{ To = 'not-an-address'; Name = 'B' }
            [pscustomobject]@{ To = 'good2@example.test'; Name = 'C' }
        )
        $r = $rows | Send-ThrottledMail @Common -Subject 'Hi {{Name}}' -Body 'x' -LedgerPath (New-TestLedgerPath) -MaxPerMinute 100 -ErrorVariable errs -ErrorAction SilentlyContinue
        $r.Status | Should -Be @('Sent', 'Invalid', 'Sent')
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'InvalidAddress*'
        $errs[0].Exception.Message | Should -BeLike "Row 2: 'not-an-address' is not a valid e-mail address*"
        @(Get-Smtp4devMessage $Server).Count | Should -Be 2
    }

    It 'names a missing merge field and goes on' {
        $r = [pscustomobject]@{ To = 'm@example.test' } |
            Send-ThrottledMail @Common -Subject 'Hi {{Nickname}}' -Body 'x' -LedgerPath (New-TestLedgerPath) -MaxPerMinute 100 -ErrorVariable errs -ErrorAction SilentlyContinue
        $r.Status | Should -Be 'Invalid'
        $errs[0].Exception.Message | Should -BeLike '*{{Nickname}}*'
        @(Get-Smtp4devMessage $Server).Count | Should -Be 0
    }

    It 'refuses a CSV cell that would smuggle a header' {
        $r = [pscustomobject]@{ To = 'h@example.test'; Name = "Bob`r`nBcc: all@example.test" } |
            Send-ThrottledMail @Common -Subject 'Hi {{Name}}' -Body 'x' -LedgerPath (New-TestLedgerPath) -MaxPerMinute 100 -ErrorAction SilentlyContinue
        $r.Status | Should -Be 'Invalid'
        $r.ErrorId | Should -Be 'HeaderInjection'
        @(Get-Smtp4devMessage $Server).Count | Should -Be 0
    }

    It 'takes hashtables and plain address strings as rows' {
        $ledger = New-TestLedgerPath
        $a = @{ Mail = 'hash@example.test'; DisplayName = 'Hash Table' } | Send-ThrottledMail @Common -Subject 'to {{DisplayName}}' -Body 'x' -LedgerPath $ledger -MaxPerMinute 100
        $b = 'plain@example.test' | Send-ThrottledMail @Common -Subject 'plain' -Body 'x' -LedgerPath $ledger
        $a.Status | Should -Be 'Sent'
        $b.Status | Should -Be 'Sent'
        (Get-Smtp4devMessage $Server).subject | Sort-Object | Should -Be @('plain', 'to Hash Table')
    }

    It 'sends HTML bodies with merge values encoded' {
        $ledger = New-TestLedgerPath
        $r = [pscustomobject]@{ To = 'html@example.test'; Name = 'A & B' } |
            Send-ThrottledMail @Common -Subject 's' -HtmlBody '<p>Hello {{Name}}</p>' -LedgerPath $ledger -MaxPerMinute 100
        $r.Status | Should -Be 'Sent'
        $id = (Get-Smtp4devMessage $Server).id
        (Invoke-WebRequest "$($Server.ApiUrl)/api/messages/$id/html").Content | Should -Match 'Hello A &amp; B'
    }

    It 'ends with a clear terminating error when the server cannot be reached, using no quota' {
        $ledger = New-TestLedgerPath
        $port = Get-FreeTcpPort
        { 'x@example.test' | Send-ThrottledMail -SmtpServer 127.0.0.1 -Port $port -From 'a@example.test' -Subject 's' -Body 'b' -LedgerPath $ledger -MaxPerMinute 5 -ErrorAction Stop } |
            Should -Throw -ExpectedMessage "Cannot send through 127.0.0.1:$port*"
        (Get-SendQuota -LedgerPath $ledger).Used | Should -Be 0
    }

    It 'never shows the credential' {
        $secret = 'S3cret-Pa55word!'
        $cred = [pscredential]::new('user@example.test', (ConvertTo-SecureString $secret -AsPlainText -Force))
        $ledger = New-TestLedgerPath
        # smtp4dev offers no TLS here: the login over a clear connection must be allowed explicitly.
        $out = 'c@example.test' | Send-ThrottledMail @Common -Subject 's' -Body 'b' -Credential $cred -AllowUnencryptedAuthentication -LedgerPath $ledger -MaxPerMinute 5 -Verbose 4>&1 2>&1 | Out-String
        $out | Should -Match 'Sent'
        $out | Should -Not -Match ([regex]::Escape($secret))
        [IO.File]::ReadAllText($ledger) | Should -Not -Match ([regex]::Escape($secret))
    }

    It 'refuses a negative <Name> before anything is sent' -ForEach @(
        @{ Name = 'MinInterval' }, @{ Name = 'MaxWait' }, @{ Name = 'BatchDelay' }
    ) {
        $ledger = New-TestLedgerPath
        $p = @{ $Name = [TimeSpan]::FromSeconds(-5) }
        { 'neg@example.test' | Send-ThrottledMail @Common -Subject 's' -Body 'b' -LedgerPath $ledger @p -ErrorAction Stop } |
            Should -Throw -ErrorId "ParameterArgumentValidationError,*" -ExpectedMessage '*negative*'
        Test-Path $ledger | Should -BeFalse
    }

    It 'refuses to log in over a connection that is not encrypted, sending nothing and using no quota' {
        $cred = [pscredential]::new('user@example.test', (ConvertTo-SecureString 'x-Pa55' -AsPlainText -Force))
        $ledger = New-TestLedgerPath
        foreach ($mode in 'None', 'Auto') {   # Auto: the server offers no STARTTLS, so it would stay in clear
            { 'clear@example.test' | Send-ThrottledMail @Common -SecureSocketOptions $mode -Subject 's' -Body 'b' -Credential $cred -LedgerPath $ledger -MaxPerMinute 5 -ErrorAction Stop } |
                Should -Throw -ErrorId 'UnencryptedAuthentication,*' -ExpectedMessage '*not encrypted*'
        }
        (Get-SendQuota -LedgerPath $ledger).Used | Should -Be 0
        @(Get-Smtp4devMessage $Server | Where-Object { $_.to -match 'clear@example.test' }).Count | Should -Be 0
    }
}

Describe 'Send-ThrottledMail waits for the quota' {
    It 'waits for the minimum interval and reports the wait' {
        $ledger = New-TestLedgerPath
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $r = 1..3 | ForEach-Object { "iv$_@example.test" } |
            Send-ThrottledMail @Common -Subject 's' -Body 'b' -MinInterval ([TimeSpan]::FromMilliseconds(700)) -LedgerPath $ledger -InformationVariable info
        $watch.Stop()
        $r.Status | Sort-Object -Unique | Should -Be 'Sent'
        $watch.Elapsed.TotalMilliseconds | Should -BeGreaterThan 1300
        ($info | Where-Object { $_.Tags -contains 'Wait' }).Count | Should -BeGreaterOrEqual 1
        "$($info[0].MessageData)" | Should -Match 'minimum interval'
        # The interval holds between reservations (SentAt is stamped at the reply, after a transaction
        # whose length varies with the machine's load).
        $reserved = @(Get-SendLog -LedgerPath $ledger | Sort-Object ReservedAt | ForEach-Object ReservedAt)
        $reserved.Count | Should -Be 3
        $gaps = 1..2 | ForEach-Object { ($reserved[$_] - $reserved[$_ - 1]).TotalMilliseconds }
        $gaps | ForEach-Object { $_ | Should -BeGreaterThan 650 }
    }
}
