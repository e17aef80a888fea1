using System;
using System.Management.Automation;
using MailQuota.Core.Profiles;
using MailQuota.Core.Quota;
using MailQuota.Core.Smtp;

namespace MailQuotaPS
{
    /// <summary>The values New-SendProfile and Set-SendProfile write into a profile; only those given are written.</summary>
    public abstract class ProfileParametersCmdlet : PSCmdlet
    {
        [Parameter] public string? SmtpServer { get; set; }
        [Parameter, ValidateRange(0, 65535)] public int? Port { get; set; }
        [Parameter] public SmtpSecurity? SecureSocketOptions { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxPerMinute { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxPerHour { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxPerDay { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxPerMonth { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxRecipientsPerMinute { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxRecipientsPerHour { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxRecipientsPerDay { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxRecipientsPerMonth { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxRecipientsPerMessage { get; set; }
        [ValidateNonNegativeTimeSpan]
        [Parameter] public TimeSpan? MinInterval { get; set; }

        /// <summary>Rolling, or Calendar: day and month limits restart at midnight in -ResetTimeZone.</summary>
        [Parameter] public QuotaWindowKind? WindowKind { get; set; }

        /// <summary>The provider's time zone, a Windows id ('China Standard Time') or an IANA id ('Asia/Shanghai').</summary>
        [Parameter] public string? ResetTimeZone { get; set; }

        [Parameter] public string? Description { get; set; }
        [Parameter] public string? Source { get; set; }
        [Parameter] public DateTime? CheckedOn { get; set; }

        /// <summary>The user's profile file; $env:MAILQUOTAPS_PROFILES or the user's configuration folder when omitted.</summary>
        [Parameter] public string? ProfilePath { get; set; }

        protected ProfileCatalog Catalog() => new ProfileCatalog(ProfileLocation.Resolve(ProfilePath));

        /// <summary>Writes every value given on the command line into <paramref name="profile"/>.</summary>
        protected void ApplyTo(SendProfile profile)
        {
            if (SmtpServer != null) profile.SmtpServer = SmtpServer;
            if (Port is int port) profile.Port = port;
            if (SecureSocketOptions is SmtpSecurity security) profile.SecureSocketOptions = security;
            profile.Policy = profile.Policy.With(new QuotaPolicy
            {
                MessagesPerMinute = MaxPerMinute,
                MessagesPerHour = MaxPerHour,
                MessagesPerDay = MaxPerDay,
                MessagesPerMonth = MaxPerMonth,
                RecipientsPerMinute = MaxRecipientsPerMinute,
                RecipientsPerHour = MaxRecipientsPerHour,
                RecipientsPerDay = MaxRecipientsPerDay,
                RecipientsPerMonth = MaxRecipientsPerMonth,
                MaxRecipientsPerMessage = MaxRecipientsPerMessage,
                MinInterval = MinInterval,
                WindowKind = WindowKind,
                ResetTimeZone = ResetTimeZone,
            });
            if (WindowKind == QuotaWindowKind.Rolling && ResetTimeZone == null) profile.Policy.ResetTimeZone = null;
            if (Description != null) profile.Description = Description;
            if (Source != null) profile.Source = Source;
            if (CheckedOn is DateTime checkedOn) profile.CheckedOn = checkedOn;
        }
    }
}
