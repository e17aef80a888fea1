@{
    Description = @'
Get-SendProfile lists provider profiles: the built-in ones (Alibaba Cloud enterprise mail and DirectMail, Exchange Online, Google Workspace, Amazon SES sandbox, Tencent Exmail, NetEase) and your own from your profile file. Each has the SMTP host, port and TLS mode, every limit known for the provider, the window kind and reset time zone, its source and the date it was checked, whom the provider counts the quota against (CountsPer: Login or Sender), and how it signs in (SignIn: Password, or OAuth 2.0 with EntraApp, EntraUser or GoogleServiceAccount; Format-List shows the tenant, app and certificate, never a secret). Where a provider publishes no numbers the profile is conservative and its description says so. Use a profile with -Profile on Send-ThrottledMail and Get-SendQuota.
'@
    Examples    = @(
        @{ Code = 'Get-SendProfile'; Remarks = 'Every built-in and user profile.' }
        @{ Code = 'Get-SendProfile AliyunQiye | Format-List *'; Remarks = 'All the values of the Alibaba Cloud enterprise mail profile, with its source.' }
    )
}
