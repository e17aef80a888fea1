using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.ExceptionServices;
using MailQuota.Core.Campaigns;
using MailQuota.Core.Quota;
using MailQuota.Core.Smtp;
using MailQuota.Core.Time;

namespace MailQuota.Core.Sending
{
    /// <summary>
    /// One attempt to deliver a reserved message, once its connection is done with it: maps a failure
    /// to a reply (or ends the run when the server cannot be reached), and records the outcome in the ledger.
    /// </summary>
    internal sealed class DeliveryAttempt
    {
        readonly ILedger _ledger;
        readonly ICampaignStore _campaigns;
        readonly IClock _clock;
        readonly SendOptions _options;
        readonly SentFingerprints? _fingerprints;
        bool _serverAnswered;

        /// <param name="fingerprints">Keeps the fingerprints of messages the server took, when they are not kept at reservation.</param>
        public DeliveryAttempt(ILedger ledger, ICampaignStore campaigns, IClock clock, SendOptions options, SentFingerprints? fingerprints)
        {
            _ledger = ledger; _campaigns = campaigns; _clock = clock; _options = options; _fingerprints = fingerprints;
        }

        /// <summary>
        /// The reply to the attempt. When the connection threw instead: cancelled, the outcome is
        /// unknown and the cancellation goes on; the server cannot be reached at all, the run ends
        /// (<see cref="SmtpUnreachableException"/> for a connection, TLS or login failure); it cannot be
        /// reached again mid-run, or refused one connection too many while others are open, a retryable reply.
        /// </summary>
        public SmtpReply Reply(long id, Delivery delivery, bool otherConnections)
        {
            if (delivery.Error == null)
            {
                _serverAnswered = true;
                return delivery.Reply!;
            }
            var e = delivery.Error;
            if (e is OperationCanceledException)
            {
                Cancelled(id, delivery);
                ExceptionDispatchInfo.Capture(e).Throw();
            }
            var oneTooMany = otherConnections && ConnectionLimit.TooMany(e.Message);
            if (delivery.Attempt < _options.Retry.MaxAttempts && (oneTooMany || (_serverAnswered && !(e is SignInException || e is UnencryptedAuthenticationException))))
            {
                // The server answered earlier in this run: a failed reconnect is worth a retry (the reply releases the quota);
                // a refused sign-in is not: it stops the run. A connection refused as one too many leaves the others to go on.
                return new SmtpReply(false, 0, "connection lost: cannot connect again: " + e.Message, SmtpStage.Sender);
            }
            // Could not reach or log in to the server (any more): the message never left.
            Release(id, delivery.Attempt);
            if (SmtpUnreachableException.Describes(e)) throw new SmtpUnreachableException(e);
            ExceptionDispatchInfo.Capture(e).Throw();
            throw e;
        }

        /// <summary>Records how a message ended that the run no longer acts on (it is stopping): its reply, cancelled (unknown), or never handed over.</summary>
        public void Settle(Delivery delivery)
        {
            if (!(delivery.ReservationId is long id)) return;
            delivery.ReservationId = null;
            if (delivery.NotStarted)
                Release(id, delivery.Attempt);
            else if (delivery.Error is OperationCanceledException)
                Cancelled(id, delivery);
            else if (delivery.Error != null)
                Release(id, delivery.Attempt);
            else
            {
                var verdict = ReplyClassifier.Classify(delivery.Reply!);
                Complete(id, delivery, Refusals(delivery.Batch, delivery.Reply!, verdict), delivery.Reply!, verdict);
            }
        }

        /// <summary>
        /// Ctrl+C during the transaction: after the server's go-ahead it may have the message (Unknown);
        /// before it (connecting, or at MAIL or RCPT) it has nothing, and the reservation is released.
        /// </summary>
        void Cancelled(long id, Delivery delivery)
        {
            if (delivery.WentAhead)
            {
                _ledger.Complete(id, SendStatus.Unknown, _clock.UtcNow, "cancelled during the SMTP transaction", delivery.Attempt);
                _fingerprints?.Recorded(id, delivery, SendStatus.Unknown);
            }
            else Release(id, delivery.Attempt);
        }

        /// <summary>The reservation of a message that was not handed over: it no longer counts.</summary>
        public void Release(long id, int attempt) => _ledger.Complete(id, SendStatus.Released, _clock.UtcNow, null, attempt);

        /// <summary>Records the attempt in the ledger: the send's status, and the recipients refused for good.</summary>
        public void Complete(long id, Delivery delivery, Dictionary<PendingRow, SmtpReply> refused, SmtpReply reply, ReplyClass verdict)
        {
            if (_options.Campaign is string campaign)
            {
                foreach (var refusal in refused)
                    _campaigns.RejectRow(campaign, refusal.Key.Key, refusal.Value.ToString());
            }
            var status = ToLedger(reply, verdict);
            // Recorded as taken on the handover connection: its Sent goes with the next reservation's commit.
            if (status == SendStatus.Sent && delivery.TakenRecorded) _ledger.CompleteSent(id, _clock.UtcNow, reply.ToString(), delivery.Attempt);
            else _ledger.Complete(id, status, _clock.UtcNow, reply.ToString(), delivery.Attempt);
            _fingerprints?.Recorded(id, delivery, status);
        }

        /// <summary>Writes the Sent outcomes the ledger held back (<see cref="ILedger.CompleteSent"/>).</summary>
        public void WriteHeldOutcomes() => _ledger.WriteHeldOutcomes();

        /// <summary>The rows whose recipient the server refused for good, each with its reply.</summary>
        public static Dictionary<PendingRow, SmtpReply> Refusals(List<PendingRow> batch, SmtpReply reply, ReplyClass verdict)
        {
            var refused = new Dictionary<PendingRow, SmtpReply>();
            foreach (var row in batch)
            {
                var own = reply.RefusedRecipients.FirstOrDefault(r => string.Equals(r.Address, row.To.Address, StringComparison.OrdinalIgnoreCase));
                if (own != null) refused[row] = own.Reply;
                else if (verdict.Outcome == ReplyOutcome.RecipientRejected) refused[row] = reply;
            }
            return refused;
        }

        static SendStatus ToLedger(SmtpReply reply, ReplyClass verdict)
        {
            if (reply.Code == 0) return reply.Ambiguous ? SendStatus.Unknown : SendStatus.Released;
            return verdict.Outcome switch
            {
                ReplyOutcome.Success => SendStatus.Sent,
                ReplyOutcome.Throttled or ReplyOutcome.QuotaExhausted or ReplyOutcome.Transient => SendStatus.Refused,
                _ => SendStatus.Failed,
            };
        }
    }
}
