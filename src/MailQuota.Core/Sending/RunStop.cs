using MailQuota.Core.Smtp;

namespace MailQuota.Core.Sending
{
    /// <summary>Why a run stopped early: the server refused the content as spam or refused the account.</summary>
    public sealed class RunStop
    {
        public RunStop(ReplyClass verdict, SmtpReply reply, int row) { Verdict = verdict; Reply = reply; Row = row; }

        public ReplyClass Verdict { get; }
        public SmtpReply Reply { get; }

        /// <summary>The row whose message drew the reply.</summary>
        public int Row { get; }

        public string Message => Verdict.Outcome == ReplyOutcome.ContentRejected
            ? $"the server refused the message of row {Row} as spam ({Reply}); sending on, even slower, would still look like bulk mail. Change the content before sending again."
            : $"the server refused the account at row {Row} ({Reply}); {SignInReplies.Advice(Reply.Text) ?? "check the account with the provider before sending again."}";
    }
}
