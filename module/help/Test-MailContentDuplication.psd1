@{
    Description = @'
Providers block accounts that send too many near-identical messages (Alibaba's "reject by content spam", NetEase's DT:SPM, Tencent's "Mail content denied"), and a mail merge of one template is exactly that pattern. Test-MailContentDuplication tells, before sending, how repetitive the messages look.

It takes finished messages from the pipeline (objects with Subject and Body or HtmlBody properties, also named Title, Text, TextBody, Content, Message, Html or HtmlContent; MimeMessage objects; .eml files from Get-ChildItem; in any mix, each result naming its Source), a template with pipeline rows (rendered exactly as Send-ThrottledMail would), a single subject and body, or .eml paths. Each message is normalised (MIME and HTML to text, NFKC, case; URLs, addresses, numbers and words with digits to placeholders; the greeting, the name under the closing and a "-- " signature set aside; quoted text kept apart by its depth; in a merge, short values put back as {{placeholders}} where the template's own text carries the message, rendered where the template is mostly fields), fingerprinted (word 2-shingles, character n-grams for Chinese and Japanese, SimHash64 as a pre-filter and MinHash for the Jaccard similarity, exact for two short messages of the input) and compared with the account's recent sends in the ledger (-Window) and with the other messages of the input.

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
        @{
            Code    = "[pscustomobject]@{ Subject = '年会通知'; Body = '公司年会将于一月二十日举行，请准时参加。' }, [pscustomobject]@{ Subject = '停电通知'; Text = '本周六上午办公楼停电，请提前保存文件。' } | Test-MailContentDuplication"
            Remarks = 'Finished messages as objects (Body or its alias Text): two unrelated notices, two clusters, each result naming its source (message 1, message 2).'
        }
    )
}
