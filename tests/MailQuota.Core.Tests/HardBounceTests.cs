using MailQuota.Core.Smtp;


namespace MailQuota.Core.Tests
{
    public sealed class HardBounceTests
    {
        [Theory]
        [InlineData("550 5.1.1 <x@example.test>: Recipient address rejected: User unknown in local recipient table")]
        [InlineData("550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup")]
        [InlineData("550 5.1.2 Host unknown")]
        [InlineData("550 User not found: x@163.com")]
        [InlineData("550 Mailbox not found.")]
        [InlineData("553 sorry, no such mailbox here")]
        [InlineData("551 User not local; no such user")]
        public void Unknown_mailboxes_are_hard_bounces(string reply) => Assert.True(HardBounce.IsHardBounce(reply));

        [Theory]
        [InlineData("550 5.4.5 Daily user sending limit exceeded")]
        [InlineData("554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException")]
        [InlineData("550 5.7.1 Message rejected as spam; user unknown to our filters")]
        [InlineData("550 5.1.8 Bad sender's system address")]
        [InlineData("550 Ip frequency limited")]
        [InlineData("550 Mail content denied")]
        [InlineData("452 4.2.2 Mailbox full")]
        [InlineData("450 4.1.1 user unknown (try again later)")]
        [InlineData("554 Transaction failed: user unknown")]
        [InlineData("connection lost: user unknown")]
        [InlineData("")]
        public void Other_refusals_are_not(string reply) => Assert.False(HardBounce.IsHardBounce(reply));
    }
}
