using System;
using System.Collections.Generic;
using MailQuota.Core.Content;
using MailQuota.Core.Mail;
using MailQuota.Core.Smtp;

namespace MailQuota.Core.Sending
{
    /// <summary>One message on its way: its rows, the composed message, its reservation and attempts, and how its last transaction ended.</summary>
    internal sealed class Delivery
    {
        public Delivery(List<PendingRow> batch, ComposedMessage composed)
        {
            Batch = batch;
            Composed = composed;
        }

        public List<PendingRow> Batch { get; set; }
        public ComposedMessage Composed { get; set; }

        /// <summary>The content check's fingerprint, kept with the reservation (null without a content guard).</summary>
        public ContentFingerprint? Fingerprint { get; set; }

        /// <summary>The content was admitted within the limits: judged again in the reservation's transaction.</summary>
        public bool Recheck { get; set; }

        /// <summary>The reservation's time when the fingerprint is kept after the send (<see cref="SentFingerprints"/>); null when it was kept with the reservation, or there is none.</summary>
        public DateTimeOffset? FingerprintAt { get; set; }

        /// <summary>The reservation being used; null when there is none (not reserved yet, or completed).</summary>
        public long? ReservationId { get; set; }

        public int Attempt { get; set; }
        public DateTimeOffset FirstAttempt { get; set; }

        /// <summary>The run's pace when the message was reserved: a message reserved before the server pushed back is reserved again.</summary>
        public int PaceEpoch { get; set; }

        /// <summary>The connection it went out on (1-based).</summary>
        public int Lane { get; set; }

        /// <summary>The server did not take it (or the transaction threw): its connection started nothing more until the run received it.</summary>
        public bool PausedItsConnection { get; set; }

        /// <summary>Its number among the messages handed to its connection.</summary>
        public int Ticket { get; set; }

        /// <summary>Its connection sent it back without starting it: it may no longer go as it was reserved (see <see cref="ConnectionLanes"/>).</summary>
        public bool NotStarted { get; set; }

        /// <summary>The server said go ahead to the data of the last transaction: from then on it may have taken the message.</summary>
        public bool WentAhead { get; set; }

        /// <summary>The handover connection recorded that the server took it (<see cref="Quota.ILedger.Delivered"/>): its Sent may be written later.</summary>
        public bool TakenRecorded { get; set; }

        /// <summary>The server's reply to the last transaction, or what was thrown instead.</summary>
        public SmtpReply? Reply { get; set; }
        public Exception? Error { get; set; }
    }
}
