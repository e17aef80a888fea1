BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    function New-TestProfilePath { Join-Path ([IO.Path]::GetTempPath()) "mqps-profiles-$([guid]::NewGuid().ToString('N'))/profiles.json" }
    $script:Tenant = 'mailquotaps-test.invalid'
    $script:ClientId = '3f2a9c1e-0000-4000-8000-1234567890ab'
}

Describe 'Profiles that sign in with OAuth 2.0' {
    It 'keep the tenant, the app and the certificate thumbprint, show how they sign in, and have no place for a secret' {
        $path = New-TestProfilePath
        $p = New-SendProfile -Name Contoso -Provider ExchangeOnline -TenantId $Tenant -ClientId $ClientId -CertificateThumbprint '1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D' -ProfilePath $path

        $p.SmtpServer | Should -Be 'smtp.office365.com'
        $p.SignsInWith | Should -Be 'EntraApp'
        $shown = Get-SendProfile Contoso -ProfilePath $path | Format-List | Out-String -Width 300
        $shown | Should -Match "SignIn\s+: Entra ID app-only: app $ClientId in tenant $([regex]::Escape($Tenant)), certificate 1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D"
        $saved = (Get-Content $path -Raw | ConvertFrom-Json).Profiles[0].SignIn
        $saved.Method | Should -Be 'EntraApp'
        $saved.TenantId | Should -Be $Tenant
        foreach ($cmd in 'New-SendProfile', 'Set-SendProfile') {
            (Get-Command $cmd).Parameters.Keys | Should -Not -Contain 'ClientSecret'
            (Get-Command $cmd).Parameters.Keys | Should -Not -Contain 'CertificatePassword'
        }
        (Get-SendProfile ExchangeOnline -ProfilePath $path).SignsInWith | Should -Be 'Password'
    }

    It 'refuses a sign-in that cannot work, naming what is missing' {
        $path = New-TestProfilePath
        New-SendProfile -Name NoApp -Provider ExchangeOnline -TenantId $Tenant -ProfilePath $path -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'InvalidProfile,*'
        "$($errs[0])" | Should -Match 'needs -TenantId and -ClientId'
        New-SendProfile -Name Both -SignIn EntraUser -TenantId $Tenant -ClientId $ClientId -CertificateThumbprint 'AB' -ProfilePath $path -ErrorVariable errs2 -ErrorAction SilentlyContinue
        "$($errs2[0])" | Should -Match 'device code, not a certificate'
        New-SendProfile -Name NoClient -Provider GoogleWorkspace -SignIn GoogleUser -ProfilePath $path -ErrorVariable errs4 -ErrorAction SilentlyContinue
        "$($errs4[0])" | Should -Match 'a Google user needs -ClientId'
        Set-SendProfile ExchangeOnline -TenantId $Tenant -ProfilePath $path -ErrorVariable errs3 -ErrorAction SilentlyContinue
        $errs3[0].FullyQualifiedErrorId | Should -BeLike 'BuiltInProfileReadOnly,*'
    }

    It 'Set-SendProfile changes the certificate and -SignIn None goes back to a password' {
        $path = New-TestProfilePath
        New-SendProfile -Name Contoso -Provider ExchangeOnline -TenantId $Tenant -ClientId $ClientId -CertificateThumbprint 'AA' -ProfilePath $path | Out-Null
        (Set-SendProfile Contoso -CertificateThumbprint 'BB' -ProfilePath $path -PassThru).SignIn.CertificateThumbprint | Should -Be 'BB'
        (Set-SendProfile Contoso -SignIn None -ProfilePath $path -PassThru).SignsInWith | Should -Be 'Password'
    }
}

Describe 'Send-ThrottledMail with a profile that signs in with OAuth 2.0' {
    BeforeAll { $script:Server = Start-ScriptedSmtp -OAuthRefusal '535 5.7.3 Authentication unsuccessful' }
    AfterAll { if ($script:Server) { Stop-ScriptedSmtp $script:Server } }

    It 'stops before sending when the certificate is not in the store, with OAuthCertificateNotFound' {
        $path = New-TestProfilePath
        New-SendProfile -Name Cert -Provider ExchangeOnline -TenantId $Tenant -ClientId $ClientId -CertificateThumbprint '00112233445566778899AABBCCDDEEFF00112233' -ProfilePath $path | Out-Null
        $err = $null
        try {
            [pscustomobject]@{ To = 'a@example.test' } | Send-ThrottledMail -Profile Cert -ProfilePath $path -SmtpServer 127.0.0.1 -Port $Server.Port -SecureSocketOptions None -AllowUnencryptedAuthentication `
                -From notices@contoso.test -Subject s -Body b -LedgerPath (New-TestLedgerPath)
        }
        catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'OAuthCertificateNotFound,MailQuotaPS.SendThrottledMailCommand'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        "$err" | Should -Match 'Import-PfxCertificate'
        "$err" | Should -Match 'Nothing was sent'
    }

    It 'stops with OAuthCredentialMissing when the app has neither a certificate nor a -ClientSecret' {
        $path = New-TestProfilePath
        New-SendProfile -Name NoSecret -Provider ExchangeOnline -TenantId $Tenant -ClientId $ClientId -ProfilePath $path | Out-Null
        { [pscustomobject]@{ To = 'a@example.test' } | Send-ThrottledMail -Profile NoSecret -ProfilePath $path -SmtpServer 127.0.0.1 -Port $Server.Port -SecureSocketOptions None -AllowUnencryptedAuthentication `
                -From notices@contoso.test -Subject s -Body b -LedgerPath (New-TestLedgerPath) } | Should -Throw -ErrorId 'OAuthCredentialMissing,MailQuotaPS.SendThrottledMailCommand'
    }

    It 'never shows the client secret: not in -Verbose -Debug output, the error, the ledger or the profile file' {
        $path = New-TestProfilePath
        $ledger = New-TestLedgerPath
        $secret = 'Zq8~MailQuotaPS.Test-Secret_' + [guid]::NewGuid().ToString('N')
        New-SendProfile -Name Secret -Provider ExchangeOnline -TenantId $Tenant -ClientId $ClientId -ProfilePath $path | Out-Null
        $out = & {
            try {
                [pscustomobject]@{ To = 'a@example.test' } | Send-ThrottledMail -Profile Secret -ProfilePath $path -SmtpServer 127.0.0.1 -Port $Server.Port -SecureSocketOptions None -AllowUnencryptedAuthentication `
                    -From notices@contoso.test -Subject s -Body b -LedgerPath $ledger -ClientSecret (ConvertTo-SecureString $secret -AsPlainText -Force) -Verbose -Debug
            }
            catch { $_ | Format-List * -Force | Out-String -Width 500; $_.Exception.ToString() }
        } *>&1 | Out-String -Width 500
        # The server offers XOAUTH2, so a token is asked for with the secret; this machine has no route to
        # Entra ID, so that fails there (offline, or the made-up tenant).
        $out | Should -Match 'OAuth(TokenEndpointUnreachable|TenantNotFound|SignInFailed)'
        $out | Should -Match "Signs in as notices@contoso.test with Microsoft Entra ID app $ClientId"
        $out | Should -Not -Match ([regex]::Escape($secret))
        Get-Content $path -Raw | Should -Not -Match ([regex]::Escape($secret))
        if (Test-Path $ledger) {
            [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
            foreach ($f in Get-ChildItem "$ledger*") { [IO.File]::ReadAllText($f.FullName) | Should -Not -Match ([regex]::Escape($secret)) }
        }
    }
}

Describe 'Send-ThrottledMail signs in end to end (the built module against a loopback token endpoint)' {
    # The module's test-only hook MAILQUOTAPS_TEST_SIGNIN_ENDPOINT (loopback addresses only) sends the
    # sign-in to the scripted server's token endpoint instead of login.microsoftonline.com or
    # oauth2.googleapis.com; it is set only for the child processes below. Each child runs as a user's
    # session would: its own HOME and, on Linux, a D-Bus session with GNOME Keyring unlocked (the
    # protected token store), so a second process finds what the first one kept.
    BeforeAll {
        $script:Secret = 'Zq8~MailQuotaPS.Test-Secret_' + [guid]::NewGuid().ToString('N')
        $script:Server = Start-ScriptedSmtp -OAuthUser 'notices@contoso.test' -ClientSecret (ConvertTo-SecureString $Secret -AsPlainText -Force)
        $script:Module = Join-Path (Get-Module MailQuotaPS).ModuleBase 'MailQuotaPS.psd1'
        if ($IsLinux -and -not ((Test-Path /usr/bin/dbus-run-session) -and (Test-Path /usr/bin/gnome-keyring-daemon))) {
            throw 'these tests need a Secret Service: apt-get install gnome-keyring libsecret-1-0 dbus (as .ci/run does)'
        }

        # Starts Send-ThrottledMail in a child pwsh as described above; its output (-Verbose -Debug, and
        # whatever the host shows) comes back on the process's standard output.
        function Start-SignInChild([string] $Folder, [string] $ProfileName, [string[]] $To, [string] $Extra = '') {
            $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$Module'
`$secret = ConvertTo-SecureString `$env:MQPS_SECRET -AsPlainText -Force
`$env:MQPS_SECRET = `$null
try {
    '$($To -join "','")' | Send-ThrottledMail -Profile $ProfileName -ProfilePath '$Folder/profiles.json' -SmtpServer 127.0.0.1 -Port $($Server.Port) -SecureSocketOptions None -AllowUnencryptedAuthentication ``
        -From notices@contoso.test -Subject s -Body b -LedgerPath '$Folder/ledger.db' -ClientSecret `$secret -Verbose -Debug $Extra *>&1 |
        ForEach-Object { `$_ | Format-List * -Force | Out-String -Width 500 }
}
catch { `$_ | Format-List * -Force | Out-String -Width 500; `$_.Exception.ToString(); exit 3 }
"@
            $exe = (Get-Process -Id $PID).Path
            $pwsh = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' }) +
                @('-NoProfile', '-NonInteractive', '-OutputFormat', 'Text', '-EncodedCommand', [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script)))
            if ($IsLinux) {
                $info = [Diagnostics.ProcessStartInfo]::new('dbus-run-session')
                $unlock = 'printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"'
                foreach ($a in @('--', 'sh', '-c', $unlock, 'sh', $exe) + $pwsh) { $info.ArgumentList.Add($a) }
                $info.Environment['KEYRING_PASSWORD'] = 'login-password'
                $info.Environment.Remove('XDG_DATA_HOME') | Out-Null
            }
            else {
                $info = [Diagnostics.ProcessStartInfo]::new($exe)
                foreach ($a in $pwsh) { $info.ArgumentList.Add($a) }
            }
            $info.Environment['HOME'] = Join-Path $Folder 'home'
            $info.Environment['MQPS_SECRET'] = $Secret
            $info.Environment['MAILQUOTAPS_TEST_SIGNIN_ENDPOINT'] = $Server.TokenEndpoint
            $info.RedirectStandardOutput = $true
            $info.RedirectStandardError = $true
            $info.UseShellExecute = $false
            $process = [Diagnostics.Process]::Start($info)
            [pscustomobject]@{ Process = $process; Errors = $process.StandardError.ReadToEndAsync() }
        }

        # The rest of the child's output once it has exited: its lines, standard error last.
        function Complete-SignInChild($Child) {
            $out = $Child.Process.StandardOutput.ReadToEnd()
            $Child.Process.WaitForExit(120000) | Should -BeTrue
            [pscustomobject]@{ ExitCode = $Child.Process.ExitCode; Output = $out + $Child.Errors.GetAwaiter().GetResult() }
        }

        function New-SignInFolder {
            $folder = Join-Path ([IO.Path]::GetTempPath()) "mqps-signin-$([guid]::NewGuid().ToString('N'))"
            New-Item -ItemType Directory (Join-Path $folder 'home') | Out-Null
            $folder
        }

        # The client secret, and every access and refresh token the endpoint issued, in none of the
        # output, the ledger, the profile file or any file of the session's home (the token store).
        function Assert-NothingInClear([string] $Folder, [string[]] $Output) {
            $state = Get-ScriptedOAuthState $Server
            $secrets = @($Secret) + @($state.tokens) + @($state.refreshTokens)
            [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
            $files = @(Get-ChildItem $Folder -Recurse -File -Force)
            $files.Name | Should -Contain 'ledger.db'
            $files.Name | Should -Contain 'profiles.json'
            if ($IsLinux) { @($files.FullName -like '*/home/.local/share/keyrings/*.keyring').Count | Should -BeGreaterThan 0 -Because 'the token store is the keyring file' }
            foreach ($s in $secrets) {
                ($Output -join "`n").Contains($s) | Should -BeFalse -Because 'the output shows no secret or token'
                foreach ($f in $files) {
                    $text = [Text.Encoding]::Latin1.GetString([IO.File]::ReadAllBytes($f.FullName))
                    $text.Contains($s) | Should -BeFalse -Because "$($f.FullName) holds no secret or token in clear"
                }
            }
            $secrets.Count
        }
    }
    AfterAll { if ($script:Server) { Stop-ScriptedSmtp $script:Server } }

    It 'Entra ID app-only with a client secret: sends over XOAUTH2, a second process reuses the kept token, nothing in clear' {
        $folder = New-SignInFolder
        New-SendProfile -Name Contoso -Provider ExchangeOnline -TenantId $Server.EntraTenant -ClientId $Server.EntraClientId -ProfilePath "$folder/profiles.json" | Out-Null

        $first = Complete-SignInChild (Start-SignInChild $folder Contoso 'a1@example.test', 'a2@example.test')
        $second = Complete-SignInChild (Start-SignInChild $folder Contoso 'a3@example.test')

        $first.ExitCode | Should -Be 0 -Because $first.Output
        $second.ExitCode | Should -Be 0 -Because $second.Output
        $first.Output | Should -Match 'TEST ONLY: signing in against the loopback token endpoint'
        $first.Output | Should -Match "Signs in as notices@contoso.test with Microsoft Entra ID app $($Server.EntraClientId)"
        if ($IsLinux) { $first.Output | Should -Match 'App tokens are kept in the Secret Service keyring' }
        $first.Output | Should -Match 'Got the access token for notices@contoso.test'
        $state = Get-ScriptedOAuthState $Server
        @($state.received | Where-Object { $_.to[0] -like 'a?@example.test' }).Count | Should -Be 3
        @($state.requests -eq 'entra client_credentials secret').Count | Should -Be 1 -Because 'the second process took the kept token'
        Assert-NothingInClear $folder ($first.Output, $second.Output) | Should -BeGreaterThan 1
    }

    It 'Google user: one browser sign-in (-BrowserSignIn), then a second process sends from the kept refresh token, nothing in clear' {
        $folder = New-SignInFolder
        New-SendProfile -Name Gmail -Provider GoogleWorkspace -SignIn GoogleUser -ClientId $Server.GoogleClientId -ProfilePath "$folder/profiles.json" | Out-Null
        (Get-SendProfile Gmail -ProfilePath "$folder/profiles.json").SignIn.ToString() | Should -Be "Google user (browser sign-in once): OAuth client $($Server.GoogleClientId)"

        $child = Start-SignInChild $folder Gmail 'g1@example.test', 'g2@example.test' '-BrowserSignIn'
        # The user reads the address it shows and opens it; the "browser" reaches the loopback endpoint in
        # place of accounts.google.com, whose consent page sends it back to the child's loopback address.
        $shown = @()
        while ($null -ne ($line = $child.Process.StandardOutput.ReadLine())) {
            $shown += $line
            if ($line -match 'open this address in a browser and allow the app to send mail: (\S+) \(') { break }
        }
        if ($null -eq $line) { throw "No address to open was shown: $($shown -join "`n") $((Complete-SignInChild $child).Output)" }
        $address = [uri]$Matches[1]
        $address.Host | Should -Be 'accounts.google.com'
        $handler = [Net.Http.HttpClientHandler]::new()
        $handler.AllowAutoRedirect = $false   # step by step, as a browser shows it
        $browser = [Net.Http.HttpClient]::new($handler)
        $consent = $browser.GetAsync($Server.TokenEndpoint.TrimEnd('/') + $address.PathAndQuery).GetAwaiter().GetResult()
        $consent.StatusCode | Should -Be 'Found'
        $consent.Headers.Location.Authority | Should -BeLike '127.0.0.1:*'
        $page = $browser.GetStringAsync($consent.Headers.Location).GetAwaiter().GetResult()
        $first = Complete-SignInChild $child
        $second = Complete-SignInChild (Start-SignInChild $folder Gmail 'g3@example.test')

        $page | Should -Match 'Signed in'
        $first.ExitCode | Should -Be 0 -Because $first.Output
        $second.ExitCode | Should -Be 0 -Because $second.Output
        $second.Output | Should -Not -Match 'open this address'
        if ($IsLinux) { $second.Output | Should -Match 'The sign-in is kept in the Secret Service keyring' }
        $state = Get-ScriptedOAuthState $Server
        @($state.received | Where-Object { $_.to[0] -like 'g?@example.test' }).Count | Should -Be 3
        @($state.requests | Where-Object { $_ -like 'google *' }) | Should -Be @('google authorize notices@contoso.test', 'google authorization_code notices@contoso.test')
        Assert-NothingInClear $folder (($shown -join "`n"), $first.Output, $second.Output) | Should -BeGreaterThan 2
    }
}
