using System;
using MailQuota.Core.Quota;

namespace MailQuota.Core.Monitoring
{
    /// <summary>One send as the ledger recorded it: what Get-SendLog shows and an audit file lists.</summary>
    public sealed class SendLogEntry
    {
        /// <summary>When the send finished (or, if it never did, when it was reserved), UTC.</summary>
        public DateTimeOffset Time { get; set; }
        public string Account { get; set; } = "";
        public string? Campaign { get; set; }
        public string Recipient { get; set; } = "";

        /// <summary>The recipients the message carried (more than one for a Bcc batch).</summary>
        public int Recipients { get; set; }

        /// <summary>Sent, Failed, Unknown, InFlight or Released (see <see cref="SendStatus"/>).</summary>
        public string Status { get; set; } = "";
        public string? MessageId { get; set; }

        /// <summary>The server's final reply.</summary>
        public string? Reply { get; set; }
        public int Attempts { get; set; }
        public DateTimeOffset ReservedAt { get; set; }
        public DateTimeOffset? CompletedAt { get; set; }

        /// <summary>The ledger row.</summary>
        public long Id { get; set; }
    }
}
