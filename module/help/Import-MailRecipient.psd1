@{
    Description = @'
Import-MailRecipient reads recipient lists as administrators really have them: GBK/GB18030 exports from Chinese Excel, semicolon-separated files from European locales, tab- or pipe-separated dumps, headers such as 邮箱, E-mail or ' Email ' behind a byte-order mark, the same address twice in different case, addresses with typos. It is built on CsvHelper and streams: each row is written as it is read, so memory stays flat on a file of a million rows.

The encoding comes from the byte-order mark, else UTF-8 when every byte is valid UTF-8, else GB18030 with a warning that says so (-Encoding overrides). The delimiter is sniffed among comma, semicolon, tab and pipe (-Delimiter overrides). The address column is found among Email, E-mail, EmailAddress, Mail, To, Address, 邮箱, 电子邮箱, 邮件地址 (case, spaces and punctuation ignored; -AddressColumn overrides), the name among Name, DisplayName, FullName, 姓名, 名字 (-NameColumn overrides). Every other column is kept under its original header, for merge fields.

Each address is validated with MimeKit's parser (international domain names are valid). An invalid row is a non-terminating error naming the file, the line and the reason, and the import goes on. Duplicates (case-insensitive) are dropped with one warning that counts them. -Exclude drops the addresses of suppression lists; -ExcludeBounced drops the addresses that bounced for good in the ledger. The output pipes straight into Send-ThrottledMail and Test-MailContentDuplication.
'@
    Examples    = @(
        @{ Code = 'Import-MailRecipient staff.csv | Send-ThrottledMail -Profile ExchangeOnline -Credential $cred -From hr@contoso.com -Subject ''Hi {{Name}}'' -Body ''…'''; Remarks = 'Reads a list in whatever encoding and delimiter Excel wrote it, and sends one message per valid, unique row.' }
        @{ Code = 'Import-MailRecipient .\lists\*.csv -Exclude unsubscribed.txt -ExcludeBounced | Export-Csv clean.csv -NoTypeInformation -Encoding utf8'; Remarks = 'Merges several lists into one clean UTF-8 file without the addresses that unsubscribed or bounced.' }
        @{ Code = 'Import-MailRecipient hr-export.txt -Encoding gb18030 -Delimiter "`t" -AddressColumn 工作邮箱'; Remarks = 'A tab-separated export whose address column has an unusual header.' }
    )
}
