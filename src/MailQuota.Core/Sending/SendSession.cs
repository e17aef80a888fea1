using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using MailQuota.Core.Campaigns;
using MailQuota.Core.Content;
using MailQuota.Core.Mail;
using MailQuota.Core.Quota;
using MailQuota.Core.Smtp;
using MailQuota.Core.Time;
using MimeKit;

namespace MailQuota.Core.Sending
{
    /// <summary>
    /// One run of sends for one account. Each row is checked and looked up in its campaign; rows
    /// are gathered into a message (one, or several as Bcc), which is composed, given quota (waiting
    /// for it, or deferred past -MaxWait), handed to the server and retried as its reply says, and
    /// recorded in the ledger with the account's pace.
    /// </summary>
    public sealed class SendSession
    {
        static readonly SendResult[] NoResults = new SendResult[0];

        readonly string _account;
        readonly QuotaPolicy _policy;
        readonly MessageComposer _composer;
        readonly CampaignRows _campaignRows;
        readonly QuotaGate _gate;
        readonly PacingController _pace;
        readonly DeliveryAttempt _delivery;
        readonly RowBatcher _batcher;
        readonly IClock _clock;
        readonly SendOptions _options;
        readonly MessageTemplate _template;
        readonly ContentGuard? _contentGuard;
        readonly HashSet<string> _seen = new HashSet<string>(StringComparer.Ordinal);
        int _sentMessages;
        int _pausedAfter;

        /// <summary>Throws <see cref="ArgumentException"/> when the options cannot work with the template or the policy.</summary>
        /// <param name="contentGuard">Checks each message against the near-duplicate policy and gives the fingerprint kept with its reservation; null keeps none.</param>
        public SendSession(string account, QuotaPolicy policy, MessageTemplate template, ILedger ledger, IPacingStore pacing,
            ICampaignStore campaigns, IMailTransport transport, IClock clock, SendOptions? options = null, ContentGuard? contentGuard = null)
        {
            _options = options ?? new SendOptions();
            _template = template;
            _contentGuard = contentGuard;
            CheckBatching(template, policy, _options.RecipientsPerMessage);
            _account = account;
            _policy = policy;
            _composer = new MessageComposer(template);
            _campaignRows = new CampaignRows(campaigns, _options);
            _gate = new QuotaGate(ledger, clock, _options.DeliveryMargin);
            _pace = new PacingController(account, policy, ledger, pacing, _options);
            _delivery = new DeliveryAttempt(transport, _composer.Sender, ledger, campaigns, clock, _options);
            _batcher = new RowBatcher(_options.RecipientsPerMessage);
            _clock = clock;
        }

        /// <summary>Set when the server refused content or the account: nothing more may be sent in this run.</summary>
        public RunStop? Stopped { get; private set; }

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
                RowResults.Invalid(result, e);
            }
            return result;
        }

        /// <summary>
        /// Takes one row. Returns the results that are final now: this row's when it is bad, already
        /// done, or its message was sent; those of a whole Bcc batch when this row filled it; else none.
        /// </summary>
        public IReadOnlyList<SendResult> Add(MailRow row, CancellationToken cancellationToken, Action<WaitNotice>? onWait = null)
        {
            if (Stopped != null) throw new InvalidOperationException("The run was stopped: " + Stopped.Message);
            var result = new SendResult { Row = row.Number, Recipient = row.Address ?? "", Account = _account, Campaign = _options.Campaign };
            MailboxAddress to;
            try { to = MessageComposer.ParseRecipient(row.Address, row.Name); }
            catch (InvalidRowException e) { return new[] { RowResults.Invalid(result, e) }; }
            result.Recipient = to.Address;
            var key = CampaignKey.RowKey(to.Address);
            if (!_seen.Add(key)) return new[] { RowResults.Skipped(result, "the same address came earlier in this run") };
            if (_campaignRows.Outcome(key, result) is SendResult done) return new[] { done };
            return _batcher.Add(new PendingRow(row, to, key, result)) ? SendPending(cancellationToken, onWait) : NoResults;
        }

        /// <summary>Sends the rows still gathered for a Bcc batch (at the end of the input).</summary>
        public IReadOnlyList<SendResult> Flush(CancellationToken cancellationToken, Action<WaitNotice>? onWait = null) =>
            _batcher.HasPending ? SendPending(cancellationToken, onWait) : NoResults;

        /// <summary>Refuses what cannot work with several rows per message (merge fields, more than the policy allows): ArgumentException.</summary>
        public static void CheckBatching(MessageTemplate template, QuotaPolicy? policy, int perMessage) => RowBatcher.Check(template, policy, perMessage);

        IReadOnlyList<SendResult> SendPending(CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            var batch = _batcher.Take();
            ComposedMessage composed;
            try { composed = Compose(batch); }
            catch (InvalidRowException e)
            {
                foreach (var row in batch) RowResults.Invalid(row.Result, e);
                return batch.Select(r => r.Result).ToList();
            }
            while (true)
            {
                var content = Guard(batch, cancellationToken, onWait);
                if (content?.Skipped == true)
                {
                    foreach (var row in batch) RowResults.Skipped(row.Result, content.Warning ?? "over the near-duplicate limit");
                    break;
                }
                // A message admitted within the limits is checked again in the reservation's transaction:
                // another process may have sent the same template in between. Then it is judged again.
                if (Deliver(batch, composed, content?.Fingerprint, content?.Warning == null, cancellationToken, onWait)) break;
            }
            return batch.Select(r => r.Result).ToList();
        }

        /// <summary>
        /// The near-duplicate check before any quota is reserved: may wait (spreading near-identical
        /// messages), warn, skip, or stop the run (ContentLimitExceededException). A Bcc batch has no
        /// merge fields, so the first row's fields give the content.
        /// </summary>
        ContentAdmission? Guard(List<PendingRow> batch, CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            if (_contentGuard == null) return null;
            var first = batch[0];
            var fingerprint = ContentFingerprint.Of(MessageContent.FromTemplate(_template, first.Row.Fields));
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var content = _contentGuard.Admit(_account, fingerprint, first.Row.Number, first.To.Address);
                if (content.WaitUntil is DateTimeOffset until)
                {
                    WaitUntil(until, content.Warning!, first, cancellationToken, onWait);
                    continue;
                }
                foreach (var row in batch) row.Result.Warning = content.Warning;
                return content;
            }
        }

        /// <summary>One message for the batch: a Bcc batch has no merge fields, so the first row's fields serve.</summary>
        ComposedMessage Compose(List<PendingRow> batch)
        {
            var composed = _composer.Compose(batch.Select(r => r.To).ToList(), batch[0].Row.Fields);
            foreach (var row in batch)
            {
                row.Result.Subject = composed.Message.Subject ?? "";
                row.Result.MessageId = composed.Message.MessageId;
            }
            return composed;
        }

        /// <summary>
        /// Reserve, send, record, and again as the reply says, up to the retry policy's attempts. False
        /// when, in the reservation's transaction, the message turned out over a near-duplicate limit
        /// (<paramref name="recheck"/>): nothing was reserved or sent, and the content is to be judged again.
        /// </summary>
        bool Deliver(List<PendingRow> batch, ComposedMessage composed, ContentFingerprint? fingerprint, bool recheck, CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            var first = batch[0];
            var rowKeys = batch.Select(r => r.Key).ToList();
            var request = new ReservationRequest(_account, first.To.Address, composed.Envelope.Count)
            {
                Campaign = _options.Campaign,
                MessageId = composed.Message.MessageId,
                AlsoRecord = (id, at) =>
                {
                    _campaignRows.Link(rowKeys, id);
                    if (fingerprint == null) return;
                    if (recheck && !_contentGuard!.StillAdmits(_account, fingerprint)) throw new NearDuplicateRace();
                    _contentGuard!.Keep(id, _account, at, composed.Message.MessageId, fingerprint);
                },
            };
            PauseBetweenBatches(first, cancellationToken, onWait);
            var firstAttempt = _clock.UtcNow;
            for (var attempt = 1; ; attempt++)
            {
                ReserveDecision decision;
                try { decision = Reserve(request, first, cancellationToken, onWait); }
                catch (NearDuplicateRace)
                {
                    return false;
                }
                catch (CampaignRowTakenException e)
                {
                    // Only that row is another run's: the rest of a Bcc batch goes without it.
                    var taken = batch.First(r => r.Key == e.RowKey);
                    RowResults.Taken(taken.Result, e.Message);
                    var rest = batch.Where(r => r != taken).ToList();
                    return rest.Count == 0 || Deliver(rest, Compose(rest), fingerprint, recheck, cancellationToken, onWait);
                }
                if (!decision.Granted)
                {
                    NotReserved(batch, decision);
                    return true;
                }
                foreach (var row in batch)
                {
                    row.Result.Attempts = attempt;
                    if (decision.Warning != null) row.Result.Warning = decision.Warning;
                }
                var id = decision.ReservationId!.Value;
                var reply = _delivery.Transmit(id, composed, attempt, cancellationToken);
                var verdict = ReplyClassifier.Classify(reply);
                var refused = DeliveryAttempt.Refusals(batch, reply, verdict);
                _delivery.Complete(id, refused, reply, verdict, attempt);
                if (!Retry(batch, refused, reply, verdict, attempt, firstAttempt, cancellationToken, onWait)) return true;
            }
        }

        /// <summary>Another process sent the same content between the content check and the reservation: the reservation rolls back.</summary>
        sealed class NearDuplicateRace : Exception { }

        void PauseBetweenBatches(PendingRow row, CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            if (!(_options.BatchSize is int size) || _sentMessages == 0 || _sentMessages % size != 0 || _pausedAfter == _sentMessages) return;
            _pausedAfter = _sentMessages;
            WaitUntil(_clock.UtcNow + _options.BatchDelay, $"pause of {_options.BatchDelay.TotalSeconds:0.###} s after a batch of {size} messages", row, cancellationToken, onWait);
        }

        /// <summary>Quota for the message, waiting while the windows, the pace or a suspension need it, unless that is longer than -MaxWait.</summary>
        ReserveDecision Reserve(ReservationRequest request, PendingRow row, CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var pacing = _pace.Current();
                var now = _clock.UtcNow;
                ReserveDecision decision;
                if (pacing != null && pacing.IsSuspendedAt(now))
                {
                    // A used-up provider quota is only waited for when -MaxWait asks for it.
                    decision = ReserveDecision.Wait(pacing.SuspendedUntil!.Value, $"the account is suspended until its provider quota resets ({pacing.Reason})", now);
                    if (!(_options.MaxWait is TimeSpan longest && decision.RetryAt!.Value - now <= longest)) return decision;
                }
                else
                {
                    decision = _gate.TryReserve(_policy, request, pacing);
                    if (decision.Granted || decision.Impossible) return decision;
                    if (_options.MaxWait is TimeSpan longest && decision.RetryAt!.Value - now > longest) return decision;
                }
                Tick(decision.RetryAt!.Value, decision.Reason!, row, cancellationToken, onWait);
            }
        }

        /// <summary>Acts on the reply: the rows' results, the account's pace; true to try the message again.</summary>
        bool Retry(List<PendingRow> batch, Dictionary<PendingRow, SmtpReply> refused, SmtpReply reply, ReplyClass verdict, int attempt,
            DateTimeOffset firstAttempt, CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            var now = _clock.UtcNow;
            var last = attempt >= _options.Retry.MaxAttempts;
            switch (verdict.Outcome)
            {
                case ReplyOutcome.Success:
                    _sentMessages++;
                    foreach (var row in batch)
                    {
                        if (refused.TryGetValue(row, out var own)) RowResults.Finish(row, RowStatus.Failed, own.ToString());
                        else { RowResults.Finish(row, RowStatus.Sent, reply.ToString()); row.Result.SentAt = now; }
                    }
                    _pace.Recover(now);
                    return false;
                case ReplyOutcome.Throttled:
                    var cooldown = _pace.SlowDown(reply, attempt, now);
                    if (cooldown - firstAttempt <= _options.Retry.ThrottleBudget) return true;
                    RowResults.Defer(batch, cooldown, $"throttled {attempt} times, last: {reply}");
                    return false;
                case ReplyOutcome.QuotaExhausted:
                    RowResults.Defer(batch, _pace.Suspend(reply, verdict, now), $"the provider's quota is used up ({reply})");
                    return false;
                case ReplyOutcome.Transient when reply.Ambiguous:
                    foreach (var row in batch) RowResults.Finish(row, RowStatus.Unknown, reply + " (the server may or may not have taken it; a rerun of the campaign does not resend it unless asked to retry rows of unknown outcome)");
                    return false;
                case ReplyOutcome.Transient when !last:
                    var retryAt = now + _options.Retry.Delay(attempt, _options.Random);
                    if (_options.MaxWait is TimeSpan longest && retryAt - now > longest)
                    {
                        RowResults.Defer(batch, retryAt, $"a temporary failure ({reply})");
                        return false;
                    }
                    WaitUntil(retryAt, $"retry {attempt + 1} of {_options.Retry.MaxAttempts} after a temporary failure ({reply})", batch[0], cancellationToken, onWait);
                    return true;
                case ReplyOutcome.ContentRejected:
                case ReplyOutcome.AccountBlocked:
                    foreach (var row in batch) RowResults.Finish(row, RowStatus.Failed, reply.ToString());
                    Stopped = new RunStop(verdict, reply, batch[0].Row.Number);
                    return false;
                default:
                    // Refused for good (recipient, message form), or temporary failures past the last attempt.
                    var suffix = verdict.Outcome == ReplyOutcome.Transient ? $" (after {attempt} attempts)" : "";
                    foreach (var row in batch)
                        RowResults.Finish(row, RowStatus.Failed, (refused.TryGetValue(row, out var own2) ? own2 : reply) + suffix);
                    return false;
            }
        }

        void NotReserved(List<PendingRow> batch, ReserveDecision decision)
        {
            if (decision.Impossible)
            {
                foreach (var row in batch) RowResults.Finish(row, RowStatus.Failed, "refused by the quota policy: " + decision.Reason);
                return;
            }
            var longest = _options.MaxWait is TimeSpan max ? $" (longer than the longest wait allowed, {max})" : "";
            RowResults.Defer(batch, decision.RetryAt!.Value, decision.Reason + longest);
        }

        void WaitUntil(DateTimeOffset until, string reason, PendingRow row, CancellationToken cancellationToken, Action<WaitNotice>? onWait) =>
            _clock.WaitUntil(until, row.Row.Number, row.To.Address, reason, onWait, cancellationToken);

        void Tick(DateTimeOffset until, string reason, PendingRow row, CancellationToken cancellationToken, Action<WaitNotice>? onWait) =>
            _clock.Step(until, row.Row.Number, row.To.Address, reason, onWait, cancellationToken);
    }
}
