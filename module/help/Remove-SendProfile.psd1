@{
    Description = @'
Remove-SendProfile deletes your own profiles from your profile file. Built-in profiles cannot be removed. It supports -WhatIf and -Confirm.
'@
    Parameters  = @{ Name = 'The profiles to remove.' }
    Examples    = @(
        @{ Code = 'Remove-SendProfile M365Slow'; Remarks = 'Removes one user profile.' }
    )
}
