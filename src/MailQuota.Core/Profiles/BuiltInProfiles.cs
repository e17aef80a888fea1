using System;
using System.Collections.Generic;
using System.Linq;
using MailQuota.Core.Quota;
using MailQuota.Core.Smtp;

namespace MailQuota.Core.Profiles
{
    /// <summary>
    /// The providers of PROVIDERS.md with the limits they publish, checked on <see cref="Checked"/>.
    /// Where a provider publishes nothing the profile guesses low (<see cref="SendProfile.Conservative"/>)
    /// and its description says so; every number can be overridden by a parameter.
    /// Exchange Online and Gmail count a user's sending against the mailbox that signs in (send-as
    /// included), Amazon SES against the AWS account whose SMTP credentials sign in: those count per
    /// login. Alibaba, Tencent and NetEase limit the sender (and the domain or IP), so per sender.
    /// </summary>
    public static class BuiltInProfiles
    {
        static readonly DateTime Checked = new DateTime(2026, 11, 27);

        /// <summary>Fresh copies, so a caller cannot change the module's own.</summary>
        public static IReadOnlyList<SendProfile> All() => Definitions().Select(p => { p.BuiltIn = true; p.CheckedOn = Checked; return p; }).ToList();

        static IEnumerable<SendProfile> Definitions()
        {
            yield return new SendProfile
            {
                Name = "AliyunQiye",
                Description = "Alibaba Cloud enterprise mail (阿里云企业邮箱). Alibaba keeps its per-minute, per-hour and daily limits confidential: "
                    + "these are conservative guesses (rolling windows; Alibaba advises stopping for 24 hours after a daily block). "
                    + "Lower them if replies say 'too frequently sending'. Also on ports 25 and 80; legacy host smtp.mxhichina.com.",
                SmtpServer = "smtp.qiye.aliyun.com",
                Port = 465,
                SecureSocketOptions = SmtpSecurity.SslOnConnect,
                Policy = new QuotaPolicy
                {
                    MessagesPerMinute = 10,
                    MessagesPerHour = 200,
                    MessagesPerDay = 1000,
                    RecipientsPerDay = 1000,
                    MaxRecipientsPerMessage = 50,
                    MinInterval = TimeSpan.FromSeconds(2),
                },
                Conservative = true,
                Source = "help.aliyun.com document_detail 36687 and 36620; Alibaba Cloud FAQ 109004 and 109009 (limits unpublished)",
            };
            yield return new SendProfile
            {
                Name = "AliyunDirectMail",
                Description = "Alibaba Cloud DirectMail (邮件推送) over SMTP. 2000 a day is the starting quota, which Alibaba adjusts by reputation "
                    + "(the free tier is 200): give -MaxRecipientsPerDay and -MaxRecipientsPerMonth from your console. The month allows 30 days' quota. "
                    + "5000 per 180 s is kept as 1666 per minute. Day and month are counted on the calendar in China Standard Time (UTC+8), "
                    + "the console's time zone; PROVIDERS.md does not state the reset hour, so confirm it in the console. "
                    + "The limit of 50 per 300 s from one sender to one recipient is not enforced here. Regional hosts: smtpdm-ap-southeast-1.aliyuncs.com and others.",
                SmtpServer = "smtpdm.aliyun.com",
                Port = 465,
                SecureSocketOptions = SmtpSecurity.SslOnConnect,
                Policy = new QuotaPolicy
                {
                    RecipientsPerMinute = 1666,
                    RecipientsPerDay = 2000,
                    RecipientsPerMonth = 60000,
                    MaxRecipientsPerMessage = 100,
                    WindowKind = QuotaWindowKind.Calendar,
                    ResetTimeZone = "Asia/Shanghai",
                },
                Source = "help.aliyun.com/zh/direct-mail product-overview/limits; DirectMail return-code summary",
            };
            yield return new SendProfile
            {
                Name = "ExchangeOnline",
                Description = "Microsoft 365 / Exchange Online SMTP AUTH submission: 30 messages a minute, 10,000 recipients in any 24 hours, "
                    + "500 recipients a message, 3 concurrent connections. The tenant may set lower limits.",
                SmtpServer = "smtp.office365.com",
                Port = 587,
                SecureSocketOptions = SmtpSecurity.StartTls,
                CountsPer = CountedPer.Login,
                Policy = new QuotaPolicy
                {
                    MessagesPerMinute = 30,
                    RecipientsPerDay = 10000,
                    MaxRecipientsPerMessage = 500,
                },
                MaxConnections = 3,
                Source = "Microsoft Learn: Exchange Online limits; Exchange Online SMTP submission improvements",
            };
            yield return new SendProfile
            {
                Name = "GoogleWorkspace",
                Description = "Google Workspace Gmail over SMTP: 2,000 messages and 10,000 recipients in any 24 hours, 100 recipients a message. "
                    + "Google publishes no per-minute limit: 20 a minute is a conservative guess. A block lasts up to 24 hours.",
                SmtpServer = "smtp.gmail.com",
                Port = 587,
                SecureSocketOptions = SmtpSecurity.StartTls,
                CountsPer = CountedPer.Login,
                Policy = new QuotaPolicy
                {
                    MessagesPerMinute = 20,
                    MessagesPerDay = 2000,
                    RecipientsPerDay = 10000,
                    MaxRecipientsPerMessage = 100,
                },
                Conservative = true,
                Source = "support.google.com/a/answer/166852; Gmail SMTP error reference",
            };
            yield return new SendProfile
            {
                Name = "GoogleWorkspaceTrial",
                Description = "A Google Workspace trial account: 500 messages in any 24 hours. Google publishes no trial recipient or per-minute limit: "
                    + "500 recipients a day and 20 messages a minute are conservative guesses.",
                SmtpServer = "smtp.gmail.com",
                Port = 587,
                SecureSocketOptions = SmtpSecurity.StartTls,
                CountsPer = CountedPer.Login,
                Policy = new QuotaPolicy
                {
                    MessagesPerMinute = 20,
                    MessagesPerDay = 500,
                    RecipientsPerDay = 500,
                    MaxRecipientsPerMessage = 100,
                },
                Conservative = true,
                Source = "support.google.com/a/answer/166852",
            };
            yield return new SendProfile
            {
                Name = "AmazonSesSandbox",
                Description = "Amazon SES in the sandbox (verified recipients only): 1 recipient a second, 200 recipients in any 24 hours, "
                    + "50 recipients a message. The host is us-east-1: give -SmtpServer email-smtp.<region>.amazonaws.com for another region. "
                    + "Out of the sandbox, copy this profile with your account's rate and quota.",
                SmtpServer = "email-smtp.us-east-1.amazonaws.com",
                Port = 587,
                SecureSocketOptions = SmtpSecurity.StartTls,
                CountsPer = CountedPer.Login,
                Policy = new QuotaPolicy
                {
                    RecipientsPerMinute = 60,
                    RecipientsPerDay = 200,
                    MaxRecipientsPerMessage = 50,
                    MinInterval = TimeSpan.FromSeconds(1),
                },
                Source = "Amazon SES Developer Guide: service quotas; managing sending quota errors",
            };
            yield return new SendProfile
            {
                Name = "TencentExmail",
                Description = "Tencent Exmail (腾讯企业邮箱). Tencent publishes no numbers: its limits are per sending IP and a daily quota shared by the "
                    + "whole domain that counts new and unreplied external recipients. These are conservative guesses; the host name is not verified.",
                SmtpServer = "smtp.exmail.qq.com",
                Port = 465,
                SecureSocketOptions = SmtpSecurity.SslOnConnect,
                Policy = new QuotaPolicy
                {
                    MessagesPerMinute = 10,
                    MessagesPerHour = 100,
                    MessagesPerDay = 500,
                    RecipientsPerDay = 500,
                    MaxRecipientsPerMessage = 50,
                    MinInterval = TimeSpan.FromSeconds(2),
                },
                Conservative = true,
                Source = "reposts of the Tencent Exmail help pages (limits unpublished)",
            };
            yield return new SendProfile
            {
                Name = "NetEaseQiye",
                Description = "NetEase enterprise mail (网易企业邮箱). NetEase limits senders over 15 minutes and per connection without publishing "
                    + "the numbers: these are conservative guesses; the host name is not verified.",
                SmtpServer = "smtp.qiye.163.com",
                Port = 465,
                SecureSocketOptions = SmtpSecurity.SslOnConnect,
                Policy = new QuotaPolicy
                {
                    MessagesPerMinute = 10,
                    MessagesPerHour = 100,
                    MessagesPerDay = 500,
                    RecipientsPerDay = 500,
                    MaxRecipientsPerMessage = 50,
                    MinInterval = TimeSpan.FromSeconds(2),
                },
                Conservative = true,
                Source = "reposts of the NetEase help pages (limits unpublished)",
            };
        }
    }
}
