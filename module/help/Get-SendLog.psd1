@{
    Description = @'
Get-SendLog reads the ledger's send records, oldest first, one object per send attempt: Time, Account, Campaign, Recipient, Status, MessageId, Reply and Attempts. Filters combine; the text filters take wildcards and ignore case. Rows stream from the ledger, so `Get-SendLog | Export-Csv` writes an audit file of any size. No message bodies are kept in the ledger.
'@
    Examples    = @(
        @{ Code = 'Get-SendLog -Campaign Payroll-Nov -Status Failed | Export-Csv failed.csv -NoTypeInformation'; Remarks = 'Every row of one campaign that the server refused, with its reply, for the auditor or a resend.' }
        @{ Code = 'Get-SendLog -Recipient ''*@fabrikam.com'' -After (Get-Date).AddDays(-7)'; Remarks = 'Everything sent to one domain in the last week.' }
    )
}
