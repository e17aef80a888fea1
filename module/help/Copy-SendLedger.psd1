@{
    Description = @'
Copy-SendLedger copies a ledger file (SQLite, one host) into a PostgreSQL ledger shared by several hosts: every send with its outcome (so the hard bounces too), the campaigns' rows, the accounts' pace and suspensions, the content fingerprints, the volume alerts and the accounts' remembered limits. The sends keep their times, so the quota windows already used on the old host still count on the new ledger, and the campaigns' reruns still skip what was sent. It runs in one transaction: hosts already sending through the database see all of the copy or none of it. Each copied send and alert remembers the file and row it came from, so running the command again copies nothing twice. The database user needs the permissions of a normal run (see about_MailQuotaPS or the README); a new database is given the ledger's tables first.
'@
    Examples    = @(
        @{ Code = 'Copy-SendLedger -From "$env:LOCALAPPDATA\MailQuotaPS\ledger.db" -To ''Host=db.contoso.com;Database=mailquota;Username=mailquota;SSL Mode=VerifyFull'' -ToCredential (Get-Credential mailquota)'; Remarks = 'Moves this host''s history to the team''s PostgreSQL ledger over TLS; then point every host at the database with $env:MAILQUOTAPS_LEDGER.' }
        @{ Code = '$env:PGPASSWORD = (Get-Secret MailQuotaDb -AsPlainText); Copy-SendLedger ./ledger.db ''postgresql://mailquota@db.contoso.com/mailquota?sslmode=require'' -Verbose'; Remarks = 'The same with the password from PGPASSWORD and a postgresql:// URI; -Verbose tells how many rows of each kind were copied (none the second time).' }
    )
}
