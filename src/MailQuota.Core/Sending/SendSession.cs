using System;
using System.Collections.Generic;
using System.Threading;
using MailQuota.Core.Content;
using MailQuota.Core.Ledger;
using MailQuota.Core.Mail;
using MailQuota.Core.Quota;
using MailQuota.Core.Smtp;
using MimeKit;

namespace MailQuota.Core.Sending
{
    /// <summary>
    /// One run of sends for one account: each row is checked, composed, given quota (waiting for
    /// it when the windows are full), handed to the server and recorded in the ledger.
    /// </summary>
    public sealed class SendSession
    {
        /// <summary>The longest single sleep, so the caller can show the time left as it runs down.</summary>
        static readonly TimeSpan WaitTick = TimeSpan.FromSeconds(1);

        readonly string _account;
        readonly QuotaPolicy _policy;
        readonly MessageComposer _composer;
        readonly ILedger _ledger;
        readonly QuotaGate _gate;
        readonly IMailTransport _transport;
        readonly IClock _clock;
        readonly MessageTemplate _template;
        readonly ContentGuard? _contentGuard;
        readonly HashSet<string> _seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        /// <param name="contentGuard">Checks each message against the near-duplicate policy and gives the fingerprint kept with its reservation; null keeps none.</param>
        public SendSession(string account, QuotaPolicy policy, MessageTemplate template, ILedger ledger, IMailTransport transport, IClock clock, ContentGuard? contentGuard = null)
        {
            _template = template;
            _contentGuard = contentGuard;
            _account = account;
            _policy = policy;
            _composer = new MessageComposer(template);
            _ledger = ledger;
            _gate = new QuotaGate(ledger, clock);
            _transport = transport;
            _clock = clock;
        }

        /// <summary>Checks and composes the row as a send would, without the server or the quota (-WhatIf).</summary>
        public static SendResult Preview(MessageTemplate template, string account, MailRow row)
        {
            var result = new SendResult { Row = row.Number, Recipient = row.Address ?? "", Account = account };
            try
            {
                var message = new MessageComposer(template).Compose(MessageComposer.ParseRecipient(row.Address, row.Name), row.Fields);
                result.Status = RowStatus.WhatIf;
                result.Subject = message.Subject ?? "";
            }
            catch (InvalidRowException e)
            {
                Invalid(result, e);
            }
            return result;
        }

        public SendResult Send(MailRow row, CancellationToken cancellationToken, Action<WaitNotice>? onWait = null)
        {
            var result = new SendResult { Row = row.Number, Recipient = row.Address ?? "", Account = _account };
            MimeMessage message;
            try
            {
                var to = MessageComposer.ParseRecipient(row.Address, row.Name);
                result.Recipient = to.Address;
                message = _composer.Compose(to, row.Fields);
                result.Subject = message.Subject ?? "";
            }
            catch (InvalidRowException e)
            {
                return Invalid(result, e);
            }
            if (!_seen.Add(result.Recipient))
            {
                result.Status = RowStatus.Skipped;
                result.Reply = "the same address came earlier in this run";
                return result;
            }

            ContentAdmission? content = null;
            if (_contentGuard != null)
            {
                content = _contentGuard.Admit(_account, MessageContent.FromTemplate(_template, row.Fields), row.Number, result.Recipient, cancellationToken, onWait);
                result.Warning = content.Warning;
                if (content.Skipped)
                {
                    result.Status = RowStatus.Skipped;
                    result.Reply = content.Warning;
                    return result;
                }
            }

            var reservation = Reserve(new ReservationRequest(_account, result.Recipient) { MessageId = message.MessageId, Fingerprint = content?.Fingerprint }, row, cancellationToken, onWait);
            if (!reservation.Granted)
            {
                result.Status = RowStatus.Failed;
                result.Reply = "refused by the quota policy: " + reservation.Reason;
                return result;
            }

            var id = reservation.ReservationId!.Value;
            SmtpReply reply;
            try
            {
                result.Attempts = 1;
                reply = _transport.Send(message, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                _ledger.Complete(id, SendStatus.Unknown, _clock.UtcNow, "cancelled during the SMTP transaction", 1);
                throw;
            }
            catch
            {
                // Could not even reach or log in to the server: the message never left.
                _ledger.Complete(id, SendStatus.Released, _clock.UtcNow, null, 1);
                throw;
            }

            result.Reply = reply.ToString();
            result.MessageId = message.MessageId;
            if (reply.Accepted)
            {
                result.Status = RowStatus.Sent;
                result.SentAt = _clock.UtcNow;
            }
            else
            {
                result.Status = reply.Code == 0 ? RowStatus.Unknown : RowStatus.Failed;
            }
            _ledger.Complete(id, ToLedger(result.Status), _clock.UtcNow, result.Reply, result.Attempts);
            return result;
        }

        ReserveDecision Reserve(ReservationRequest request, MailRow row, CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var decision = _gate.TryReserve(_policy, request);
                if (decision.Granted || decision.Impossible) return decision;
                var until = decision.RetryAt!.Value;
                var remaining = until - _clock.UtcNow;
                onWait?.Invoke(new WaitNotice(row.Number, request.Recipient, until, remaining, decision.Reason!));
                _clock.Sleep(remaining < WaitTick ? remaining : WaitTick, cancellationToken);
            }
        }

        static SendResult Invalid(SendResult result, InvalidRowException e)
        {
            result.Status = RowStatus.Invalid;
            result.ErrorId = e.ErrorId;
            result.Reply = e.Message;
            return result;
        }

        static SendStatus ToLedger(RowStatus status) => status switch
        {
            RowStatus.Sent => SendStatus.Sent,
            RowStatus.Failed => SendStatus.Failed,
            _ => SendStatus.Unknown,
        };
    }
}
