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
