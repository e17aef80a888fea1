using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using MailQuota.Core.Campaigns;
using MailQuota.Core.Mail;
using MailQuota.Core.Quota;
using MailQuota.Core.Smtp;
using MailQuota.Core.Time;
using MimeKit;

namespace MailQuota.Core.Sending
{
    /// <summary>
    /// One attempt to deliver a reserved message: hands it to the server, maps a failure to a reply
    /// (or ends the run when the server cannot be reached), and records the outcome in the ledger.
    /// </summary>
    internal sealed class DeliveryAttempt
    {
        readonly IMailTransport _transport;
        readonly MailboxAddress _sender;
        readonly ILedger _ledger;
        readonly ICampaignStore _campaigns;
        readonly IClock _clock;
        readonly SendOptions _options;
        bool _serverAnswered;

        public DeliveryAttempt(IMailTransport transport, MailboxAddress sender, ILedger ledger, ICampaignStore campaigns, IClock clock, SendOptions options)
        {
            _transport = transport; _sender = sender; _ledger = ledger; _campaigns = campaigns; _clock = clock; _options = options;
        }

        /// <summary>
        /// Hands the message over. Cannot reach the server at all: throws (<see cref="SmtpUnreachableException"/>
        /// for a connection, TLS or login failure); cannot reach it again mid-run: a retryable reply.
        /// </summary>
        public SmtpReply Transmit(long id, ComposedMessage composed, int attempt, CancellationToken cancellationToken)
        {
            // From the server's go-ahead on, it may take the message: the send is Unknown until its reply
            // is recorded. A process killed before that leaves it InFlight, so a rerun knows it was never
            // handed over and sends it again; killed after, it stays Unknown and is never sent twice.
            void HandingOver() => _ledger.Complete(id, SendStatus.Unknown, _clock.UtcNow, "handed to the server; the run ended before its reply was recorded", attempt);
            _transport.DataGoAhead += HandingOver;
            try
            {
                var reply = _transport.Send(composed.Message, _sender, composed.Envelope, cancellationToken);
                _serverAnswered = true;
                return reply;
            }
            catch (OperationCanceledException)
            {
                _ledger.Complete(id, SendStatus.Unknown, _clock.UtcNow, "cancelled during the SMTP transaction", attempt);
                throw;
            }
            catch (Exception e) when (_serverAnswered && attempt < _options.Retry.MaxAttempts && !(e is SignInException || e is UnencryptedAuthenticationException))
            {
                // The server answered earlier in this run: a failed reconnect is worth a retry (the reply releases the quota);
                // a refused sign-in is not: it stops the run.
                return new SmtpReply(false, 0, "connection lost: cannot connect again: " + e.Message, SmtpStage.Sender);
            }
            catch (Exception e)
            {
                // Could not reach or log in to the server (any more): the message never left.
                _ledger.Complete(id, SendStatus.Released, _clock.UtcNow, null, attempt);
                if (SmtpUnreachableException.Describes(e)) throw new SmtpUnreachableException(e);
                throw;
            }
            finally
            {
                _transport.DataGoAhead -= HandingOver;
            }
        }

        /// <summary>Records the attempt in the ledger: the send's status, and the recipients refused for good.</summary>
        public void Complete(long id, Dictionary<PendingRow, SmtpReply> refused, SmtpReply reply, ReplyClass verdict, int attempt)
        {
            if (_options.Campaign is string campaign)
            {
                foreach (var refusal in refused)
                    _campaigns.RejectRow(campaign, refusal.Key.Key, refusal.Value.ToString());
            }
            _ledger.Complete(id, ToLedger(reply, verdict), _clock.UtcNow, reply.ToString(), attempt);
        }

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
