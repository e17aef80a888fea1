@{
    Description = @'
Providers block accounts that send too many near-identical messages (Alibaba's "reject by content spam", NetEase's DT:SPM, Tencent's "Mail content denied"), and a mail merge of one template is exactly that pattern. Test-MailContentDuplication tells, before sending, how repetitive the messages look.

It takes a template with pipeline rows (rendered exactly as Send-ThrottledMail would), a single subject and body, or .eml files. Each message is normalised (MIME and HTML to text, NFKC, case; URLs, addresses, numbers and long tokens to placeholders; merge values put back as {{placeholders}}), fingerprinted (word shingles, character n-grams for Chinese and Japanese, SimHash64 as a pre-filter and MinHash for the estimated Jaccard similarity) and compared with the account's recent sends in the ledger (-Window) and with the other messages of the input.

One object per message: Similarity (the highest, 0-1), NearDuplicateCount and ExactDuplicateCount in the window, ClusterId, ClosestMessageId, and Verdict (Ok, Warn or Block) against the account's near-duplicate policy (or a profile's, or the values given). -Summary gives one object for the batch instead: its clusters, their sizes and the largest. Testing never creates a ledger and stores nothing.
'@
    Examples    = @(
        @{
            Code    = 'Import-Csv staff.csv | Test-MailContentDuplication -From payroll@contoso.com -Subject ''Payslip for {{Name}}'' -Body (Get-Content payslip.txt -Raw) -MaxNearDuplicatesPerHour 50 | Where-Object Verdict -ne Ok'
            Remarks = 'The rows of a merge that would pass 50 near-identical messages an hour, counting what payroll@contoso.com already sent.'
        }
        @{
            Code    = 'Get-ChildItem .\outbox\*.eml | Test-MailContentDuplication -Summary'
            Remarks = 'How many clusters of near-identical messages a folder of .eml files holds, and the largest.'
        }
    )
}
