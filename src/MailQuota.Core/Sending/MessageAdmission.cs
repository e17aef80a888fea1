using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using MailQuota.Core.Campaigns;
using MailQuota.Core.Content;
using MailQuota.Core.Mail;
using MailQuota.Core.Quota;
using MailQuota.Core.Time;

namespace MailQuota.Core.Sending
{
    /// <summary>
    /// What a message needs before it goes: its content judged against the near-duplicate limits
    /// (waiting, warning or skipping), and quota reserved for it with its campaign rows and its
    /// fingerprint, waiting while the windows, the pace or a suspension need it, up to -MaxWait.
    /// </summary>
    internal sealed class MessageAdmission
    {
        readonly string _account;
        readonly QuotaPolicy _policy;
        readonly MessageTemplate _template;
        readonly MessageComposer _composer;
        readonly CampaignRows _campaignRows;
        readonly QuotaGate _gate;
        readonly PacingController _pace;
        readonly ContentGuard? _contentGuard;
        readonly IClock _clock;
        readonly SendOptions _options;
        readonly RunWaits _waits;

        public MessageAdmission(string account, QuotaPolicy policy, MessageTemplate template, MessageComposer composer, CampaignRows campaignRows,
            QuotaGate gate, PacingController pace, ContentGuard? contentGuard, IClock clock, SendOptions options, RunWaits waits)
        {
            _account = account; _policy = policy; _template = template; _composer = composer; _campaignRows = campaignRows;
            _gate = gate; _pace = pace; _contentGuard = contentGuard; _clock = clock; _options = options; _waits = waits;
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
                    _waits.WaitUntil(until, content.Warning!, first, cancellationToken, onWait);
                    continue;
                }
                foreach (var row in batch) row.Result.Warning = content.Warning;
                return content;
            }
        }

        /// <summary>One message for the batch: a Bcc batch has no merge fields, so the first row's fields serve.</summary>
        public ComposedMessage Compose(List<PendingRow> batch)
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
        /// Quota for the message's next attempt, its content judged first when asked (and again when,
        /// in the reservation's transaction, it turned out over a near-duplicate limit: another process
        /// sent the same template in between). False when the rows are done without it: skipped,
        /// taken by another run, deferred or refused by the policy.
        /// </summary>
        /// <param name="paceEpoch">The run's pace now (<see cref="ReplyActions.PaceEpoch"/>), kept with the reservation.</param>
        public bool Admit(Delivery delivery, bool judgeContent, int paceEpoch, CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            while (true)
            {
                if (judgeContent)
                {
                    var content = Guard(delivery.Batch, cancellationToken, onWait);
                    if (content?.Skipped == true)
                    {
                        foreach (var row in delivery.Batch) RowResults.Skipped(row.Result, content.Warning ?? "over the near-duplicate limit");
                        return false;
                    }
                    delivery.Fingerprint = content?.Fingerprint;
                    delivery.Recheck = content?.Warning == null;
                    judgeContent = false;
                }
                if (delivery.FirstAttempt == default) delivery.FirstAttempt = _clock.UtcNow;
                ReserveDecision decision;
                try { decision = Reserve(Request(delivery), delivery.Batch[0], cancellationToken, onWait); }
                catch (NearDuplicateRace)
                {
                    judgeContent = true;
                    continue;
                }
                catch (CampaignRowTakenException e)
                {
                    // Only that row is another run's: the rest of a Bcc batch goes without it.
                    var taken = delivery.Batch.First(r => r.Key == e.RowKey);
                    RowResults.Taken(taken.Result, e.Message);
                    taken.Entry.Final = true;
                    delivery.Batch = delivery.Batch.Where(r => r != taken).ToList();
                    if (delivery.Batch.Count == 0) return false;
                    delivery.Composed = Compose(delivery.Batch);
                    continue;
                }
                if (!decision.Granted)
                {
                    NotReserved(delivery.Batch, decision);
                    return false;
                }
                foreach (var row in delivery.Batch)
                {
                    row.Result.Attempts = delivery.Attempt;
                    if (decision.Warning != null) row.Result.Warning = decision.Warning;
                }
                delivery.ReservationId = decision.ReservationId;
                delivery.PaceEpoch = paceEpoch;
                return true;
            }
        }

        /// <summary>
        /// What the reservation records with the send: the campaign's rows, and under near-duplicate
        /// limits the fingerprint (judged again in its transaction when admitted within the limits);
        /// without limits the fingerprint is kept after the send.
        /// </summary>
        ReservationRequest Request(Delivery delivery)
        {
            var rowKeys = delivery.Batch.Select(r => r.Key).ToList();
            var fingerprint = delivery.Fingerprint;
            var recheck = delivery.Recheck;
            var messageId = delivery.Composed.Message.MessageId;
            delivery.FingerprintAt = null;
            return new ReservationRequest(_account, delivery.Batch[0].To.Address, delivery.Composed.Envelope.Count)
            {
                Campaign = _options.Campaign,
                MessageId = messageId,
                DurableBeforeSend = true,   // the connection makes it durable before MAIL (ConnectionLanes)
                AlsoRecord = (id, at) =>
                {
                    _campaignRows.Link(rowKeys, id);
                    if (fingerprint == null) return;
                    if (!_contentGuard!.KeepsAtReservation)
                    {
                        delivery.FingerprintAt = at;   // kept once the server has it (SentFingerprints)
                        return;
                    }
                    if (recheck && !_contentGuard!.StillAdmits(_account, fingerprint)) throw new NearDuplicateRace();
                    _contentGuard!.Keep(id, _account, at, messageId, fingerprint);
                },
            };
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
                _waits.Tick(decision.RetryAt!.Value, decision.Reason!, row, cancellationToken, onWait);
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

        /// <summary>Another process sent the same content between the content check and the reservation: the reservation rolls back.</summary>
        sealed class NearDuplicateRace : Exception { }
    }
}
