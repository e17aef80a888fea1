using System.Collections.Generic;

namespace MailQuota.Core.Smtp
{
    /// <summary>Where in the SMTP transaction a reply came: what a refusal there means depends on it.</summary>
    public enum SmtpStage
    {
        /// <summary>MAIL FROM: the sender (the account) was answered.</summary>
        Sender,
        /// <summary>RCPT TO: one recipient was answered.</summary>
        Recipient,
        /// <summary>DATA and the message itself (a lost connection leaves the outcome unknown once the end of the data was sent).</summary>
        Data,
    }

    /// <summary>The server's final answer to one message.</summary>
    public sealed class SmtpReply
    {
        public SmtpReply(bool accepted, int code, string text, SmtpStage stage = SmtpStage.Data, bool handedOver = false)
        {
            Accepted = accepted; Code = code; Text = text; Stage = stage; HandedOver = handedOver;
        }

        public bool Accepted { get; }

        /// <summary>The SMTP reply code (250, 454, 550…); 0 when the connection failed before any reply.</summary>
        public int Code { get; }
        public string Text { get; }
        public SmtpStage Stage { get; }

        /// <summary>The end of the message data was sent: from then on the server may have taken the message.</summary>
        public bool HandedOver { get; }

        /// <summary>The connection broke after the message was handed over: the server may or may not have taken it.</summary>
        public bool Ambiguous => Code == 0 && HandedOver;

        /// <summary>
        /// Recipients the server refused while it accepted the message for the others (a Bcc batch
        /// with one unknown address): each with its own reply.
        /// </summary>
        public IReadOnlyList<RecipientRefusal> RefusedRecipients { get; set; } = NoRefusals;

        static readonly RecipientRefusal[] NoRefusals = new RecipientRefusal[0];

        public override string ToString() => Code > 0 ? $"{Code} {Text}" : Text;
    }

    /// <summary>One recipient of an accepted message that the server refused.</summary>
    public sealed class RecipientRefusal
    {
        public RecipientRefusal(string address, SmtpReply reply) { Address = address; Reply = reply; }
        public string Address { get; }
        public SmtpReply Reply { get; }
    }
}
