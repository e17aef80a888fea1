@{
    Description = @'
Clear-SendLog deletes the ledger's send records reserved before a time, so the ledger does not grow without end. It refuses (error BeforeInsideQuotaWindow) to delete sends that still count against a quota window or the volume baseline, because forgetting them would let the next run over-send. It asks for confirmation unless -Confirm:$false is given; -WhatIf shows how many rows it would delete.
'@
    Examples    = @(
        @{ Code = 'Clear-SendLog -Before (Get-Date).AddDays(-90)'; Remarks = 'Deletes sends older than 90 days after asking for confirmation.' }
        @{ Code = 'Get-SendLog -Before (Get-Date).AddDays(-90) | Export-Csv archive.csv; Clear-SendLog -Before (Get-Date).AddDays(-90) -Confirm:$false'; Remarks = 'Archives the old records to a CSV file first, then deletes them without asking (for a scheduled task).' }
    )
}
