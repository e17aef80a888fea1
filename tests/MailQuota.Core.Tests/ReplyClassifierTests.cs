using MailQuota.Core.Smtp;

namespace MailQuota.Core.Tests
{
    public sealed class ReplyClassifierTests
    {
        static ReplyOutcome Classify(int code, string text, SmtpStage stage = SmtpStage.Data) =>
            ReplyClassifier.Classify(new SmtpReply(false, code, text, stage)).Outcome;

        /// <summary>Every "reply when limited" of PROVIDERS.md, as MailKit hands it over (code, then the text after it).</summary>
        [Theory]
        // Alibaba Cloud enterprise mail: the same throttle as 454 and as 554; content spam
        [InlineData(454, "Transient reject by behaviour spamANTISPAM_BAT[01201311R]: too frequently sending", ReplyOutcome.Throttled)]
        [InlineData(554, "Reject by behaviour spamANTISPAM_BAT[01201311R]: too frequently sending", ReplyOutcome.Throttled)]
        [InlineData(454, "Transient reject by behaviour spam: much too frequently sending", ReplyOutcome.Throttled)]
        [InlineData(554, "Reject by behaviour spam: currently unexpected sending", ReplyOutcome.Throttled)]
        [InlineData(554, "(13)ESO_LOCAL_SPAM", ReplyOutcome.ContentRejected)]
        [InlineData(554, "reject by content spam", ReplyOutcome.ContentRejected)]
        // Alibaba Cloud DirectMail
        [InlineData(556, "The number of RCPTs is over size", ReplyOutcome.MessageRejected)]
        [InlineData(552, "Daily sending quota exceeded", ReplyOutcome.QuotaExhausted)]
        [InlineData(552, "Monthly sending quota exceeded", ReplyOutcome.QuotaExhausted)]
        [InlineData(552, "Not enough sending quota", ReplyOutcome.QuotaExhausted)]
        [InlineData(554, "Reject by content spam", ReplyOutcome.ContentRejected)]
        // Tencent Exmail
        [InlineData(550, "Ip frequency limited", ReplyOutcome.Throttled)]
        [InlineData(550, "Connection denied", ReplyOutcome.AccountBlocked)]
        [InlineData(550, "Mail content denied", ReplyOutcome.ContentRejected)]
        // NetEase
        [InlineData(451, "MI:SFQ sender over limit within 15 minutes", ReplyOutcome.Throttled)]
        [InlineData(451, "RP:QRC accumulated recipients over limit", ReplyOutcome.Throttled)]
        [InlineData(450, "MI:DMC mails per connection over limit", ReplyOutcome.Throttled)]
        [InlineData(450, "RP:DRC recipients per connection over limit", ReplyOutcome.Throttled)]
        [InlineData(421, "HL:ICC too many concurrent connections", ReplyOutcome.Throttled)]
        [InlineData(451, "DT:SPM mail content is spam, please try again", ReplyOutcome.ContentRejected)]
        [InlineData(554, "DT:SPM", ReplyOutcome.ContentRejected)]
        // Microsoft 365 / Exchange Online
        [InlineData(432, "4.3.2 Concurrent connections limit exceeded", ReplyOutcome.Throttled)]
        [InlineData(432, "4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded", ReplyOutcome.Throttled)]
        [InlineData(554, "5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException", ReplyOutcome.QuotaExhausted)]
        [InlineData(550, "5.7.705 Access denied, tenant has exceeded threshold", ReplyOutcome.AccountBlocked)]
        // Google Workspace Gmail
        [InlineData(550, "5.4.5 Daily user sending limit exceeded", ReplyOutcome.QuotaExhausted)]
        [InlineData(452, "4.5.3 Your message has too many recipients", ReplyOutcome.MessageRejected)]
        [InlineData(421, "4.7.0 Try again later, closing connection", ReplyOutcome.Throttled)]
        [InlineData(454, "4.7.0 Too many login attempts, please try again later", ReplyOutcome.Throttled)]
        // Amazon SES
        [InlineData(454, "Throttling failure: Maximum sending rate exceeded", ReplyOutcome.Throttled)]
        [InlineData(454, "Throttling failure: Daily message quota exceeded", ReplyOutcome.QuotaExhausted)]
        [InlineData(554, "Transaction failed: Recipient count exceeds 50", ReplyOutcome.MessageRejected)]
        // Postfix
        [InlineData(450, "4.7.1 Error: too much mail from 192.0.2.1", ReplyOutcome.Throttled)]
        [InlineData(450, "4.7.1 Error: too many recipients from 192.0.2.1", ReplyOutcome.Throttled)]
        [InlineData(421, "4.7.0 relay.example Error: too many connections from 192.0.2.1", ReplyOutcome.Throttled)]
        [InlineData(452, "4.5.3 Error: too many recipients", ReplyOutcome.MessageRejected)]
        public void Every_provider_reply_of_PROVIDERS_md_gets_its_outcome(int code, string text, ReplyOutcome expected) =>
            Assert.Equal(expected, Classify(code, text));

        [Fact]
        public void Quota_replies_say_which_window_the_provider_counts()
        {
            Assert.Equal(System.TimeSpan.FromDays(1), ReplyClassifier.Classify(new SmtpReply(false, 552, "Daily sending quota exceeded")).QuotaWindow);
            Assert.Equal(System.TimeSpan.FromDays(30), ReplyClassifier.Classify(new SmtpReply(false, 552, "Monthly sending quota exceeded")).QuotaWindow);
        }

        [Theory]
        [InlineData(550, "5.1.1 user unknown", SmtpStage.Recipient, ReplyOutcome.RecipientRejected)]
        [InlineData(550, "5.1.1 user unknown", SmtpStage.Data, ReplyOutcome.RecipientRejected)]
        [InlineData(552, "5.2.2 mailbox full", SmtpStage.Recipient, ReplyOutcome.RecipientRejected)]
        [InlineData(550, "5.7.1 <x@example.test>: Recipient address rejected: Access denied", SmtpStage.Recipient, ReplyOutcome.RecipientRejected)]
        [InlineData(550, "5.7.1 RESOLVER.RST.AuthRequired; authentication required", SmtpStage.Recipient, ReplyOutcome.RecipientRejected)]
        // Postfix reports refusals of the sender and the client at RCPT (smtpd_delay_reject): not the recipient's.
        [InlineData(554, "5.7.1 <it@corp.test>: Sender address rejected: Access denied", SmtpStage.Recipient, ReplyOutcome.AccountBlocked)]
        [InlineData(550, "5.7.1 Client host rejected: cannot find your hostname", SmtpStage.Recipient, ReplyOutcome.AccountBlocked)]
        [InlineData(554, "5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org", SmtpStage.Recipient, ReplyOutcome.AccountBlocked)]
        [InlineData(554, "5.7.1 <x@other.test>: Relay access denied", SmtpStage.Recipient, ReplyOutcome.AccountBlocked)]
        [InlineData(550, "5.7.1 message refused by policy", SmtpStage.Data, ReplyOutcome.AccountBlocked)]
        [InlineData(553, "5.1.8 sender address rejected", SmtpStage.Sender, ReplyOutcome.AccountBlocked)]
        [InlineData(552, "5.3.4 message too big", SmtpStage.Data, ReplyOutcome.MessageRejected)]
        [InlineData(451, "4.3.0 local error in processing", SmtpStage.Data, ReplyOutcome.Transient)]
        [InlineData(450, "4.7.1 greylisted, come back later", SmtpStage.Recipient, ReplyOutcome.Throttled)]
        public void Enhanced_codes_decide_when_no_provider_text_matches(int code, string text, SmtpStage stage, ReplyOutcome expected) =>
            Assert.Equal(expected, Classify(code, text, stage));

        [Theory]
        [InlineData(421, "closing connection", SmtpStage.Data, ReplyOutcome.Transient)]
        [InlineData(451, "try later", SmtpStage.Data, ReplyOutcome.Transient)]
        [InlineData(550, "no such user", SmtpStage.Recipient, ReplyOutcome.RecipientRejected)]
        [InlineData(550, "not allowed", SmtpStage.Sender, ReplyOutcome.AccountBlocked)]
        [InlineData(554, "transaction failed", SmtpStage.Data, ReplyOutcome.MessageRejected)]
        public void Without_an_enhanced_code_the_code_class_and_stage_decide(int code, string text, SmtpStage stage, ReplyOutcome expected) =>
            Assert.Equal(expected, Classify(code, text, stage));

        [Fact]
        public void An_accepted_message_is_a_success_and_a_lost_connection_is_transient()
        {
            Assert.Equal(ReplyOutcome.Success, ReplyClassifier.Classify(new SmtpReply(true, 250, "2.0.0 Ok")).Outcome);
            var lost = new SmtpReply(false, 0, "connection lost", SmtpStage.Data, handedOver: true);
            Assert.Equal(ReplyOutcome.Transient, ReplyClassifier.Classify(lost).Outcome);
            Assert.True(lost.Ambiguous);
            Assert.False(new SmtpReply(false, 0, "connection lost", SmtpStage.Data).Ambiguous);      // DATA sent, the data not ended
            Assert.False(new SmtpReply(false, 0, "connection lost", SmtpStage.Recipient).Ambiguous);
        }
    }
}
