BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    $script:From = 'notices@example.test'
    function New-Rows([int] $Count, [string] $Prefix = 'user') {
        1..$Count | ForEach-Object { [pscustomobject]@{ Email = "$Prefix$_@example.test"; Name = "$Prefix $_" } }
    }
    function Send-To($Server, [string] $Ledger) {
        # The common parameters of a run against a scripted server.
        @{ SmtpServer = '127.0.0.1'; Port = $Server.Port; SecureSocketOptions = 'None'; From = $From; LedgerPath = $Ledger }
    }
}

Describe 'Send-ThrottledMail against a server that pushes back (scripted SMTP server)' {
    AfterEach { if ($script:Server) { Stop-ScriptedSmtp $script:Server; $script:Server = $null } }

    It 'is throttled after every 20th message: all 60 rows end Sent, each delivered once, and the ledger shows the cut pace' {
        $script:Server = Start-ScriptedSmtp -Rule 'data after-every 20 => 454 Transient reject by behaviour spamANTISPAM_BAT[01201311R]: too frequently sending'
        $ledger = New-TestLedgerPath
        $p = Send-To $Server $ledger
        $r = New-Rows 60 | Send-ThrottledMail @p -Subject 'Hi {{Name}}' -Body 'x' -MaxPerMinute 120 -ErrorVariable errs
        $r.Count | Should -Be 60
        $r.Status | Sort-Object -Unique | Should -Be 'Sent'
        @($r | Where-Object Attempts -EQ 2).Count | Should -Be 2
        $errs.Count | Should -Be 0
        $received = @(Get-ScriptedSmtpMessage $Server)
        $received.Count | Should -Be 60
        ($received.To | Sort-Object -Unique).Count | Should -Be 60
        $store = [MailQuota.Core.Storage.Sqlite.SqliteLedger]::new($ledger)
        try {
            $pacing = $store.GetPacing('notices@example.test')
            $pacing.Reason | Should -BeLike '454 *too frequently sending'
            $db = [Microsoft.Data.Sqlite.SqliteConnection]::new("Data Source=$ledger;Pooling=False"); $db.Open()
            $cmd = $db.CreateCommand(); $cmd.CommandText = "SELECT COUNT(*) FROM sends WHERE status='Refused'"
            $cmd.ExecuteScalar() | Should -Be 2
            $db.Dispose()
        }
        finally { $store.Dispose() }
        # Cut pace: after each retry the next message waits the cut pace (1 s less one recovery step), where the policy alone allows a burst.
        $sent = $r | Sort-Object SentAt
        foreach ($retried in $r | Where-Object Attempts -EQ 2) {
            $next = $sent | Where-Object SentAt -GT $retried.SentAt | Select-Object -First 1
            ($next.SentAt - $retried.SentAt).TotalSeconds | Should -BeGreaterThan 0.85
        }
    }

    It 'stops at a used-up daily quota: rows 11 onward come out Deferred and the run ends with a clear error' {
        $script:Server = Start-ScriptedSmtp -Rule 'data from 11 => 554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException'
        $ledger = New-TestLedgerPath
        $p = Send-To $Server $ledger
        $r = New-Rows 20 | Send-ThrottledMail @p -Subject 'Hi {{Name}}' -Body 'x' -MaxPerMinute 1000 -ErrorVariable errs -ErrorAction SilentlyContinue -InformationVariable info
        $ok = $?
        $ok | Should -BeFalse
        ($r | Select-Object -First 10).Status | Sort-Object -Unique | Should -Be 'Sent'
        ($r | Select-Object -Skip 10).Status | Sort-Object -Unique | Should -Be 'Deferred'
        $r[10].Reply | Should -BeLike '*SubmissionQuotaExceededException*'
        $r[10].DeferredUntil | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddHours(23))
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'SendIncomplete*'
        $errs[0].Exception.Message | Should -BeLike '*10 sent, 10 deferred*Run the same command again*'
        ($info | Where-Object { $_.Tags -contains 'Summary' }).MessageData | Should -BeLike '*20 rows: 10 sent, 10 deferred*'
        @(Get-ScriptedSmtpMessage $Server).Count | Should -Be 10

        # Rerun at once: the sent rows are skipped, the rest stay deferred, the server is not asked again.
        $again = New-Rows 20 | Send-ThrottledMail @p -Subject 'Hi {{Name}}' -Body 'x' -ErrorAction SilentlyContinue -WarningVariable warn
        @($again | Where-Object Status -EQ 'Skipped').Count | Should -Be 10
        @($again | Where-Object Status -EQ 'Deferred').Count | Should -Be 10
        "$warn" | Should -BeLike '*suspended until*'
        @(Get-ScriptedSmtpMessage $Server).Count | Should -Be 10

        # Get-SendQuota shows the suspension on every window of the account, and warns of it.
        $quota = Get-SendQuota -LedgerPath $ledger -WarningVariable quotaWarn
        $quota.Held | Sort-Object -Unique | Should -BeLike 'suspended to *'
        "$quotaWarn" | Should -BeLike '*suspended until*SubmissionQuotaExceededException*' 
    }

    It 'fails the row of an unknown user with the reply, and sends the rest' {
        $script:Server = Start-ScriptedSmtp -Rule 'rcpt to user3@example.test => 550 5.1.1 user unknown'
        $p = Send-To $Server (New-TestLedgerPath)
        $r = New-Rows 5 | Send-ThrottledMail @p -Subject 'Hi {{Name}}' -Body 'x' -ErrorVariable errs -ErrorAction SilentlyContinue
        $r.Status | Should -Be @('Sent', 'Sent', 'Failed', 'Sent', 'Sent')
        $r[2].Reply | Should -BeLike '550 5.1.1 user unknown*'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'SendFailed*'
        $errs[0].Exception.Message | Should -BeLike 'Row 3 (user3@example.test): Failed: 550 5.1.1 user unknown*'
        @(Get-ScriptedSmtpMessage $Server).Count | Should -Be 4
    }

    It 'sends 120 rows in 3 messages of at most 50 Bcc recipients with -RecipientsPerMessage 50' {
        $script:Server = Start-ScriptedSmtp
        $ledger = New-TestLedgerPath
        $p = Send-To $Server $ledger
        $r = New-Rows 120 | Send-ThrottledMail @p -Subject 'Office closed on Friday' -Body 'Closed.' -RecipientsPerMessage 50 -MaxRecipientsPerMessage 50 -MaxRecipientsPerDay 10000 -UndisclosedTo 'staff@example.test'
        $r.Count | Should -Be 120
        $r.Status | Sort-Object -Unique | Should -Be 'Sent'
        $received = @(Get-ScriptedSmtpMessage $Server)
        $received.Count | Should -Be 3
        $received | ForEach-Object { $_.To.Count | Should -BeLessOrEqual 50; $_.Message.Bcc.Count | Should -Be 0; "$($_.Message.To)" | Should -Be 'staff@example.test' }
        ($received.To | Sort-Object -Unique).Count | Should -Be 120
        (Get-SendQuota -LedgerPath $ledger | Where-Object Unit -EQ 'Recipients' | Select-Object -First 1).Used | Should -Be 120
    }

    It 'refuses merge fields with -RecipientsPerMessage before anything is sent' {
        $script:Server = Start-ScriptedSmtp
        $p = Send-To $Server (New-TestLedgerPath)
        { New-Rows 3 | Send-ThrottledMail @p -Subject 'Hi {{Name}}' -Body 'x' -RecipientsPerMessage 2 -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*cannot be personalised*{{Name}}*'
        @(Get-ScriptedSmtpMessage $Server).Count | Should -Be 0
    }

    It 'stops the run with a terminating error when the content is refused as spam' {
        $script:Server = Start-ScriptedSmtp -Rule 'data nth 2 => 554 reject by content spam'
        $collected = [Collections.Generic.List[object]]::new()
        $err = $null
        $p = Send-To $Server (New-TestLedgerPath)
        try { New-Rows 5 | Send-ThrottledMail @p -Subject 'Hi {{Name}}' -Body 'x' -ErrorAction SilentlyContinue | ForEach-Object { $collected.Add($_) } }
        catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'ContentRejected*'
        $err.Exception.Message | Should -BeLike '*as spam*'
        $collected.Status | Should -Be @('Sent', 'Failed')
        @(Get-ScriptedSmtpMessage $Server).Count | Should -Be 1
    }

    It 'reconnects after a 421 and a hang-up, and sends the message again' {
        $script:Server = Start-ScriptedSmtp -Rule 'data nth 2 close => 421 4.4.2 closing connection'
        $p = Send-To $Server (New-TestLedgerPath)
        $r = New-Rows 4 | Send-ThrottledMail @p -Subject 'Hi {{Name}}' -Body 'x'
        $r.Status | Sort-Object -Unique | Should -Be 'Sent'
        $r[1].Attempts | Should -Be 2
        @(Get-ScriptedSmtpMessage $Server).Count | Should -Be 4
    }

    It 'defers the rows that would wait longer than -MaxWait, with the reason and the time they can go' {
        $script:Server = Start-ScriptedSmtp
        $ledger = New-TestLedgerPath
        $p = Send-To $Server $ledger
        $r = New-Rows 5 | Send-ThrottledMail @p -Subject 'Hi {{Name}}' -Body 'x' -MaxPerHour 3 -MaxWait ([TimeSpan]::FromSeconds(5)) -ErrorVariable errs -ErrorAction SilentlyContinue
        $r.Status | Should -Be @('Sent', 'Sent', 'Sent', 'Deferred', 'Deferred')
        $r[3].Reply | Should -BeLike '*3 messages per hour*longest wait allowed*'
        $r[3].DeferredUntil | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddMinutes(59))
        $errs[-1].CategoryInfo.Category | Should -Be 'LimitsExceeded'
    }

    It 'sends attachments, Cc, Reply-To, custom headers and List-Unsubscribe, and refuses a line break from a cell' {
        $script:Server = Start-ScriptedSmtp
        $folder = Join-Path ([IO.Path]::GetTempPath()) "att-$([guid]::NewGuid().ToString('N'))"
        New-Item -ItemType Directory $folder | Out-Null
        Set-Content (Join-Path $folder 'E1.txt') 'payslip E1'
        Push-Location $folder
        try {
            $rows = @(
                [pscustomobject]@{ Email = 'e1@example.test'; Name = 'Eve'; Id = 'E1'; Manager = 'boss@example.test'; Ref = 'r1' }
                [pscustomobject]@{ Email = 'e2@example.test'; Name = 'Mal'; Id = 'E1'; Manager = 'boss@example.test'; Ref = "r2`r`nBcc: all@example.test" }
            )
            $p = Send-To $Server (New-TestLedgerPath)
            $r = $rows | Send-ThrottledMail @p -Subject 'Payslip {{Id}}' -Body 'Text {{Name}}' -HtmlBody '<p>{{Name}}</p>' `
                -Attachment '{{Id}}.txt' -Cc '{{Manager}}' -ReplyTo 'hr@example.test' -Header @{ 'X-Ref' = '{{Ref}}' } `
                -ListUnsubscribe '<mailto:unsubscribe@example.test?subject={{Id}}>' -ErrorAction SilentlyContinue
        }
        finally { Pop-Location; Remove-Item $folder -Recurse -Force }
        $r.Status | Should -Be @('Sent', 'Invalid')
        $r[1].ErrorId | Should -Be 'HeaderInjection'
        $m = @(Get-ScriptedSmtpMessage $Server)
        $m.Count | Should -Be 1
        $m[0].To | Should -Be @('e1@example.test', 'boss@example.test')
        $m[0].Message.Headers['X-Ref'] | Should -Be 'r1'
        $m[0].Message.Headers['List-Unsubscribe'] | Should -Be '<mailto:unsubscribe@example.test?subject=E1>'
        "$($m[0].Message.ReplyTo)" | Should -Be 'hr@example.test'
        @($m[0].Message.Attachments).Count | Should -Be 1
        $m[0].Message.HtmlBody | Should -Match '<p>Eve</p>'
    }

    It 'refuses a custom header that is not a valid field name or one it writes itself' {
        { 'x@example.test' | Send-ThrottledMail -SmtpServer 127.0.0.1 -From $From -Subject 's' -Body 'b' -Header @{ 'Bcc' = 'all@example.test' } -WhatIf -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*Bcc header cannot be set*'
        { 'x@example.test' | Send-ThrottledMail -SmtpServer 127.0.0.1 -From $From -Subject 's' -Body 'b' -Header @{ "X-A`r`nBcc" = 'v' } -WhatIf -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*not a valid header name*'
    }
}

Describe 'A campaign survives a killed process' {
    It 'rerun after SIGKILL mid-run: no recipient receives twice, at most the row handed over is Unknown' {
        $server = Start-ScriptedSmtp
        try {
            $ledger = New-TestLedgerPath
            $child = @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
Import-Module '$ModulePath'
1..200 | ForEach-Object { [pscustomobject]@{ Email = "k`$_@example.test"; Name = "K `$_" } } |
    Send-ThrottledMail -SmtpServer 127.0.0.1 -Port $($server.Port) -SecureSocketOptions None -From '$From' -Subject 'Notice for {{Name}}' -Body 'x' ``
        -CampaignId 'kill-test' -LedgerPath '$ledger' -MaxPerMinute 100000 -MinInterval ([TimeSpan]::FromMilliseconds(20)) |
    ForEach-Object { [Console]::Out.WriteLine("result `$(`$_.Row) `$(`$_.Status)"); [Console]::Out.Flush() }
"@
            $process = Start-ChildPwsh $child
            $seen = 0
            while ($seen -lt 60) {
                $line = $process.StandardOutput.ReadLine()
                if ($null -eq $line) { throw "the child ended before 60 results (exit code $($process.ExitCode))" }
                if ($line -like 'result *') { $seen++ }
            }
            $process.Kill()                   # SIGKILL: no cleanup, no completion of the row in flight
            $process.WaitForExit()
            $before = @(Get-ScriptedSmtpMessage $server).Count
            $before | Should -BeLessThan 200 -Because 'the process was killed mid-run'

            $rerun = 1..200 | ForEach-Object { [pscustomobject]@{ Email = "k$_@example.test"; Name = "K $_" } } |
                Send-ThrottledMail -SmtpServer 127.0.0.1 -Port $server.Port -SecureSocketOptions None -From $From -Subject 'Notice for {{Name}}' -Body 'x' `
                    -CampaignId 'kill-test' -LedgerPath $ledger -MaxPerMinute 100000 -ErrorAction SilentlyContinue
            $rerun.Count | Should -Be 200
            $unknown = @($rerun | Where-Object Status -EQ 'Unknown')
            # Handed over at the kill: the row on the connection. The next one, reserved meanwhile (the pipelined
            # send path), never had the server's go-ahead: the rerun sends it.
            $unknown.Count | Should -BeLessOrEqual 1
            @($rerun | Where-Object Status -EQ 'Skipped').Count | Should -BeGreaterOrEqual 59
            ($rerun.Status | Sort-Object -Unique) | ForEach-Object { $_ | Should -BeIn @('Skipped', 'Sent', 'Unknown') }

            $received = @(Get-ScriptedSmtpMessage $server).To
            $twice = $received | Group-Object | Where-Object Count -GT 1
            $twice | Should -BeNullOrEmpty -Because 'no recipient receives a message twice'
            $missing = 1..200 | ForEach-Object { "k$_@example.test" } | Where-Object { $_ -notin $received -and $_ -notin $unknown.Recipient }
            $missing | Should -BeNullOrEmpty -Because 'every row is delivered, or reported Unknown'
        }
        finally { Stop-ScriptedSmtp $server }
    }
}

Describe 'Two processes run one campaign at once' {
    It 'delivers each row once: a row the other process is sending is left to it' {
        # The server keeps its reply to the first message: the first process has that row on the wire
        # (and the next ones reserved behind it) when the second starts on the same rows.
        $server = Start-ScriptedSmtp -Rule 'data nth 1 hold => 250 2.0.0 Ok: queued'
        $first = $second = $null
        try {
            $ledger = New-TestLedgerPath
            # (Rows left to the other process make the run incomplete, one non-terminating error at its end.)
            $child = @"
`$ProgressPreference = 'SilentlyContinue'
Import-Module '$ModulePath'
1..80 | ForEach-Object { [pscustomobject]@{ Email = "both`$_@example.test" } } |
    Send-ThrottledMail -SmtpServer 127.0.0.1 -Port $($server.Port) -SecureSocketOptions None -From '$From' -Subject 'Notice' -Body 'x' ``
        -CampaignId 'both' -LedgerPath '$ledger' -MaxPerMinute 100000 -InformationAction Ignore -WarningAction SilentlyContinue -ErrorAction SilentlyContinue |
    ForEach-Object { [Console]::Out.WriteLine("result `$(`$_.Recipient) `$(`$_.Status) `$(`$_.ErrorId)") }
"@
            $first = Start-ChildPwsh $child
            Wait-ScriptedSmtpHold $server | Should -Be 1
            $second = Start-ChildPwsh $child
            $line = $second.StandardOutput.ReadLineAsync()
            $line.Wait([TimeSpan]::FromSeconds(60)) | Should -BeTrue -Because 'the second process reports its first row'
            $line.Result | Should -Be 'result both1@example.test Skipped CampaignRowTaken' -Because 'the first process is sending that row'
            # From here both run at once, meeting on the rows the other has reserved or sent.
            Send-ScriptedSmtpRelease $server
            $results = foreach ($output in ($first.StandardOutput.ReadToEnd()), ($line.Result + "`n" + $second.StandardOutput.ReadToEnd())) {
                $output -split "`n" | Where-Object { $_ -like 'result *' } | ForEach-Object {
                    $recipient, $status, $errorId = ($_.Trim() -split ' ')[1..3]
                    [pscustomobject]@{ Recipient = $recipient; Status = $status; ErrorId = $errorId }
                }
            }
            $first.WaitForExit(); $second.WaitForExit()

            $received = @(Get-ScriptedSmtpMessage $server).To
            $received | Group-Object | Where-Object Count -GT 1 | Should -BeNullOrEmpty -Because 'no recipient receives a message twice'
            ($received | Sort-Object -Unique).Count | Should -Be 80
            $results.Count | Should -Be 160
            foreach ($group in $results | Group-Object Recipient) {
                $statuses = @($group.Group.Status | Sort-Object)
                $statuses | Should -Be @('Sent', 'Skipped') -Because "$($group.Name) is sent by one process and left by the other"
            }
        }
        finally {
            foreach ($process in @($first, $second) | Where-Object { $_ -and -not $_.HasExited }) { $process.Kill() }
            Stop-ScriptedSmtp $server
        }
    }
}
