using System;
using System.Text.RegularExpressions;

namespace MailQuota.Core.Smtp
{
    /// <summary>What a reply means for the run.</summary>
    public enum ReplyOutcome
    {
        Success,
        /// <summary>Sending too fast for the provider: slow the account down, retry the message later.</summary>
        Throttled,
        /// <summary>A daily (or monthly) quota is used up: nothing more goes out before it resets.</summary>
        QuotaExhausted,
        /// <summary>Refused as spam: a slower resend still looks like spam, so the run stops.</summary>
        ContentRejected,
        /// <summary>The account, sender or tenant is refused: the run stops.</summary>
        AccountBlocked,
        /// <summary>This recipient is refused for good (unknown user, mailbox full); the others go on.</summary>
        RecipientRejected,
        /// <summary>This message is refused for good for its form (size, too many recipients, syntax).</summary>
        MessageRejected,
        /// <summary>A temporary failure with no hint of a limit: retry the message.</summary>
        Transient,
    }

    /// <summary>The outcome of a reply, with the rule that decided it (for the log and the error message).</summary>
    public sealed class ReplyClass
    {
        public ReplyClass(ReplyOutcome outcome, string rule, TimeSpan? quotaWindow = null)
        {
            Outcome = outcome; Rule = rule; QuotaWindow = quotaWindow;
        }

        public ReplyOutcome Outcome { get; }

        /// <summary>What matched, e.g. "provider text 'too frequently sending'" or "enhanced code 5.1.1".</summary>
        public string Rule { get; }

        /// <summary>For <see cref="ReplyOutcome.QuotaExhausted"/>: the window the provider counts over (a day, or a month).</summary>
        public TimeSpan? QuotaWindow { get; }

        public override string ToString() => $"{Outcome} ({Rule})";
    }

    /// <summary>
    /// Classifies SMTP replies by provider text and enhanced status code first, then by code class:
    /// the same condition comes as 4xx from one provider and 5xx from another (Alibaba's "too
    /// frequently sending" as 454 and 554, Exchange's and Gmail's daily quotas as 5xx). Covers every
    /// reply listed in PROVIDERS.md.
    /// </summary>
    public static class ReplyClassifier
    {
        static readonly TimeSpan Day = TimeSpan.FromDays(1);
        static readonly TimeSpan Month = TimeSpan.FromDays(30);

        /// <summary>Provider texts, most specific first (quota before throttle: SES says "Throttling failure: Daily message quota exceeded").</summary>
        static readonly (string Text, ReplyOutcome Outcome, TimeSpan? Window)[] ProviderTexts =
        {
            ("SubmissionQuotaExceeded", ReplyOutcome.QuotaExhausted, Day),           // Exchange Online 554 5.2.0
            ("Daily user sending limit exceeded", ReplyOutcome.QuotaExhausted, Day), // Gmail 550 5.4.5
            ("Daily message quota exceeded", ReplyOutcome.QuotaExhausted, Day),      // Amazon SES 454
            ("Daily sending quota exceeded", ReplyOutcome.QuotaExhausted, Day),      // DirectMail 552
            ("Monthly sending quota exceeded", ReplyOutcome.QuotaExhausted, Month),  // DirectMail 552
            ("Not enough sending quota", ReplyOutcome.QuotaExhausted, Day),          // DirectMail 552
            ("content spam", ReplyOutcome.ContentRejected, null),                    // Alibaba, DirectMail 554
            ("ESO_LOCAL_SPAM", ReplyOutcome.ContentRejected, null),                  // Alibaba
            ("DT:SPM", ReplyOutcome.ContentRejected, null),                          // NetEase 451 / 554
            ("Mail content denied", ReplyOutcome.ContentRejected, null),             // Tencent 550
            ("Connection denied", ReplyOutcome.AccountBlocked, null),                // Tencent 550
            ("5.7.705", ReplyOutcome.AccountBlocked, null),                          // Exchange Online tenant blocked
            ("too frequently sending", ReplyOutcome.Throttled, null),                // Alibaba 454 / 554, also "much too …"
            ("currently unexpected sending", ReplyOutcome.Throttled, null),          // Alibaba
            ("ANTISPAM_BAT", ReplyOutcome.Throttled, null),                          // Alibaba
            ("Throttling failure", ReplyOutcome.Throttled, null),                    // Amazon SES 454 rate
            ("MI:SFQ", ReplyOutcome.Throttled, null),                                // NetEase 451 sender over limit
            ("RP:QRC", ReplyOutcome.Throttled, null),                                // NetEase 451 recipients
            ("MI:DMC", ReplyOutcome.Throttled, null),                                // NetEase 450 mails per connection
            ("RP:DRC", ReplyOutcome.Throttled, null),                                // NetEase 450 recipients per connection
            ("HL:ICC", ReplyOutcome.Throttled, null),                                // NetEase 421 concurrency
            ("Ip frequency limited", ReplyOutcome.Throttled, null),                  // Tencent 550
            ("Concurrent connections limit", ReplyOutcome.Throttled, null),          // Exchange 432 4.3.2
            ("sender thread limit", ReplyOutcome.Throttled, null),                   // Exchange 432 4.3.2
            ("Try again later", ReplyOutcome.Throttled, null),                       // Gmail 421 4.7.0
            ("Too many login attempts", ReplyOutcome.Throttled, null),               // Gmail 454 4.7.0
            ("too much mail from", ReplyOutcome.Throttled, null),                    // Postfix 450 4.7.1
            ("too many recipients from", ReplyOutcome.Throttled, null),              // Postfix 450 4.7.1 (rate)
            ("too many connections", ReplyOutcome.Throttled, null),                  // Postfix 421 4.7.0
            ("number of RCPTs is over size", ReplyOutcome.MessageRejected, null),    // DirectMail 556
            ("Recipient count exceeds", ReplyOutcome.MessageRejected, null),         // Amazon SES 554
            ("too many recipients", ReplyOutcome.MessageRejected, null),             // Gmail, Postfix 452 4.5.3
        };

        static readonly Regex EnhancedCode = new Regex(@"^\s*([245])\.(\d{1,3})\.(\d{1,3})\b", RegexOptions.CultureInvariant);

        public static ReplyClass Classify(SmtpReply reply)
        {
            if (reply.Accepted) return new ReplyClass(ReplyOutcome.Success, "accepted");
            foreach (var (text, outcome, window) in ProviderTexts)
            {
                if (reply.Text.IndexOf(text, StringComparison.OrdinalIgnoreCase) >= 0)
                    return new ReplyClass(outcome, $"provider text '{text}'", window);
            }
            var enhanced = EnhancedCode.Match(reply.Text);
            if (enhanced.Success && ByEnhancedCode(enhanced, reply.Stage, reply.Text) is ReplyClass byCode) return byCode;
            return ByCodeClass(reply);
        }

        /// <summary>
        /// A 5.7.x refusal at RCPT that is about that recipient (Postfix's "Recipient address rejected",
        /// Exchange's RESOLVER.RST delivery restrictions). Any other 5.7.x there refuses the sender or
        /// the client (Postfix reports "Sender address rejected", "Client host rejected" and RBL hits
        /// at RCPT by default): every recipient would get it.
        /// </summary>
        static readonly Regex RecipientPolicy = new Regex(@"recipient|RESOLVER\.RST|mailbox", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        static ReplyClass? ByEnhancedCode(Match m, SmtpStage stage, string text)
        {
            var code = $"{m.Groups[1].Value}.{m.Groups[2].Value}.{m.Groups[3].Value}";
            var rule = "enhanced code " + code;
            var permanent = m.Groups[1].Value == "5";
            var subject = int.Parse(m.Groups[2].Value);
            if (code == "5.4.5") return new ReplyClass(ReplyOutcome.QuotaExhausted, rule, Day);
            if (code == "4.3.2" || (!permanent && subject == 7)) return new ReplyClass(ReplyOutcome.Throttled, rule);
            if (!permanent) return new ReplyClass(ReplyOutcome.Transient, rule);
            if (stage == SmtpStage.Sender) return new ReplyClass(ReplyOutcome.AccountBlocked, rule + " for the sender");
            if (subject == 7)
            {
                if (stage == SmtpStage.Recipient && RecipientPolicy.IsMatch(text)) return new ReplyClass(ReplyOutcome.RecipientRejected, rule + " for the recipient");
                return new ReplyClass(ReplyOutcome.AccountBlocked, rule + " (a policy refusal of the sender or the client)");
            }
            if (stage == SmtpStage.Recipient) return new ReplyClass(ReplyOutcome.RecipientRejected, rule);
            return subject == 1 ? new ReplyClass(ReplyOutcome.RecipientRejected, rule) : new ReplyClass(ReplyOutcome.MessageRejected, rule);
        }

        static ReplyClass ByCodeClass(SmtpReply reply)
        {
            if (reply.Code == 0) return new ReplyClass(ReplyOutcome.Transient, "connection lost");
            var rule = $"code {reply.Code}";
            if (reply.Code < 400) return new ReplyClass(ReplyOutcome.Transient, rule + " (unexpected)");
            if (reply.Code < 500) return new ReplyClass(ReplyOutcome.Transient, rule);
            return reply.Stage switch
            {
                SmtpStage.Sender => new ReplyClass(ReplyOutcome.AccountBlocked, rule + " for the sender"),
                SmtpStage.Recipient => new ReplyClass(ReplyOutcome.RecipientRejected, rule + " for the recipient"),
                _ => new ReplyClass(ReplyOutcome.MessageRejected, rule),
            };
        }
    }
}
