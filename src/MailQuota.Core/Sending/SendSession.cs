using System;
using System.Collections.Generic;
using System.Linq;
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
    /// One run of sends for one account. Each row is checked and looked up in its campaign; rows
    /// are gathered into a message (one, or several as Bcc), which is composed, given quota (waiting
    /// for it, or deferred past -MaxWait), handed to the server and retried as its reply says, and
    /// recorded in the ledger with the account's pace.
    /// </summary>
    public sealed class SendSession
    {
        /// <summary>The span over which the pace an account was sending at is measured, when a throttle reply halves it.</summary>
        static readonly TimeSpan PaceSample = TimeSpan.FromMinutes(1);

        static readonly SendResult[] NoResults = new SendResult[0];

        readonly string _account;
        readonly QuotaPolicy _policy;
        readonly MessageComposer _composer;
        readonly ILedger _ledger;
        readonly IPacingStore _pacing;
        readonly ICampaignStore _campaigns;
        readonly QuotaGate _gate;
        readonly IMailTransport _transport;
        readonly IClock _clock;
        readonly SendOptions _options;
        readonly MessageTemplate _template;
        readonly ContentGuard? _contentGuard;
        readonly HashSet<string> _seen = new HashSet<string>(StringComparer.Ordinal);
        readonly List<PendingRow> _pending = new List<PendingRow>();
        int _sentMessages;
        int _pausedAfter;
        bool _serverAnswered;

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
            _ledger = ledger;
            _pacing = pacing;
            _campaigns = campaigns;
            _gate = new QuotaGate(ledger, clock);
            _transport = transport;
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
                Invalid(result, e);
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
            catch (InvalidRowException e) { return new[] { Invalid(result, e) }; }
            result.Recipient = to.Address;
            var key = CampaignKey.RowKey(to.Address);
            if (!_seen.Add(key)) return new[] { Skipped(result, "the same address came earlier in this run") };
            if (EarlierRun(key, result) is SendResult done) return new[] { done };
            _pending.Add(new PendingRow(row, to, key, result));
            return _pending.Count >= _options.RecipientsPerMessage ? SendPending(cancellationToken, onWait) : NoResults;
        }

        /// <summary>Sends the rows still gathered for a Bcc batch (at the end of the input).</summary>
        public IReadOnlyList<SendResult> Flush(CancellationToken cancellationToken, Action<WaitNotice>? onWait = null) =>
            _pending.Count > 0 ? SendPending(cancellationToken, onWait) : NoResults;

        /// <summary>
        /// Refuses what cannot work with several rows per message: merge fields (one message cannot be
        /// personalised for several rows) and more rows than the policy's recipients per message.
        /// </summary>
        public static void CheckBatching(MessageTemplate template, QuotaPolicy? policy, int perMessage)
        {
            if (perMessage < 1) throw new ArgumentException("-RecipientsPerMessage must be at least 1.");
            if (perMessage == 1) return;
            var fields = template.MergeFields();
            if (fields.Count > 0)
                throw new ArgumentException($"-RecipientsPerMessage {perMessage} sends one message to several rows, so it cannot be personalised: remove the merge fields {string.Join(", ", fields.Select(f => "{{" + f + "}}"))} or send one message per row.");
            if (policy?.MaxRecipientsPerMessage is int max && perMessage > max)
                throw new ArgumentException($"-RecipientsPerMessage {perMessage} is above the account's maximum of {max} recipients per message.");
        }

        /// <summary>The row's fate in an earlier run of the campaign: done (sent, or refused for good), unknown, or null to send it.</summary>
        SendResult? EarlierRun(string key, SendResult result)
        {
            if (_options.Campaign is not string campaign || _campaigns.FindRow(campaign, key) is not CampaignRow earlier) return null;
            if (earlier.RejectedReply != null)
                return Skipped(result, $"refused for good in an earlier run of campaign {campaign} ({earlier.At:u}): {earlier.RejectedReply}");
            switch (earlier.Status)
            {
                case SendStatus.Sent:
                    result.SentAt = earlier.At;
                    return Skipped(result, $"sent in an earlier run of campaign {campaign} at {earlier.At:u} (another campaign id sends it again)");
                case SendStatus.InFlight:
                case SendStatus.Unknown:
                    if (_options.RetryUnknown) return null;
                    result.Status = RowStatus.Unknown;
                    result.Reply = $"an earlier run of campaign {campaign} handed it to the server at {earlier.At:u} and never learnt the outcome; give -RetryUnknown to send it again";
                    return result;
                default:
                    return null;
            }
        }

        IReadOnlyList<SendResult> SendPending(CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            var batch = _pending.ToList();
            _pending.Clear();
            ComposedMessage composed;
            try { composed = Compose(batch); }
            catch (InvalidRowException e)
            {
                foreach (var row in batch) Invalid(row.Result, e);
                return batch.Select(r => r.Result).ToList();
            }
            var content = Guard(batch, cancellationToken, onWait);
            if (content?.Skipped == true)
            {
                foreach (var row in batch) Skipped(row.Result, content.Warning ?? "over the near-duplicate limit");
                return batch.Select(r => r.Result).ToList();
            }
            Deliver(batch, composed, content?.Fingerprint, cancellationToken, onWait);
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
            var content = _contentGuard.Admit(_account, MessageContent.FromTemplate(_template, first.Row.Fields), first.Row.Number, first.To.Address, cancellationToken, onWait);
            foreach (var row in batch) row.Result.Warning = content.Warning;
            return content;
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

        /// <summary>Reserve, send, record, and again as the reply says, up to the retry policy's attempts.</summary>
        void Deliver(List<PendingRow> batch, ComposedMessage composed, ContentFingerprint? fingerprint, CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            var first = batch[0];
            var request = new ReservationRequest(_account, first.To.Address, composed.Envelope.Count)
            {
                Campaign = _options.Campaign,
                MessageId = composed.Message.MessageId,
                RowKeys = batch.Select(r => r.Key).ToList(),
                RetryUnknown = _options.RetryUnknown,
                Fingerprint = fingerprint,
            };
            PauseBetweenBatches(first, cancellationToken, onWait);
            for (var attempt = 1; ; attempt++)
            {
                ReserveDecision decision;
                try { decision = Reserve(request, first, cancellationToken, onWait); }
                catch (CampaignRowTakenException e)
                {
                    foreach (var row in batch) Skipped(row.Result, e.Message);
                    return;
                }
                if (!decision.Granted)
                {
                    NotReserved(batch, decision);
                    return;
                }
                foreach (var row in batch) row.Result.Attempts = attempt;
                var id = decision.ReservationId!.Value;
                var reply = Transmit(id, composed, attempt, cancellationToken);
                var verdict = ReplyClassifier.Classify(reply);
                var refused = Refusals(batch, reply, verdict).ToDictionary(r => r.Row, r => r.Reply);
                Complete(id, refused, reply, verdict, attempt);
                if (!Retry(batch, refused, reply, verdict, attempt, cancellationToken, onWait)) return;
            }
        }

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
                var pacing = _pacing.GetPacing(_account);
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

        /// <summary>Hands the message over. Cannot reach the server at all: throws; cannot reach it again mid-run: a retryable reply.</summary>
        SmtpReply Transmit(long id, ComposedMessage composed, int attempt, CancellationToken cancellationToken)
        {
            try
            {
                var reply = _transport.Send(composed.Message, _composer.Sender, composed.Envelope, cancellationToken);
                _serverAnswered = true;
                return reply;
            }
            catch (OperationCanceledException)
            {
                _ledger.Complete(id, SendStatus.Unknown, _clock.UtcNow, "cancelled during the SMTP transaction", attempt);
                throw;
            }
            catch (Exception e) when (_serverAnswered && attempt < _options.Retry.MaxAttempts && !(e is SignInException))
            {
                // The server answered earlier in this run: a failed reconnect is worth a retry (the reply releases the quota);
                // a refused sign-in is not: it stops the run.
                return new SmtpReply(false, 0, "connection lost: cannot connect again: " + e.Message, SmtpStage.Sender);
            }
            catch
            {
                // Could not reach or log in to the server (any more): the message never left.
                _ledger.Complete(id, SendStatus.Released, _clock.UtcNow, null, attempt);
                throw;
            }
        }

        /// <summary>Records the attempt in the ledger: the send's status, and the recipients refused for good.</summary>
        void Complete(long id, Dictionary<PendingRow, SmtpReply> refused, SmtpReply reply, ReplyClass verdict, int attempt)
        {
            if (_options.Campaign is string campaign)
            {
                foreach (var refusal in refused)
                    _campaigns.RejectRow(campaign, refusal.Key.Key, refusal.Value.ToString());
            }
            _ledger.Complete(id, ToLedger(reply, verdict), _clock.UtcNow, reply.ToString(), attempt);
        }

        /// <summary>The rows whose recipient the server refused for good, each with its reply.</summary>
        static IEnumerable<(PendingRow Row, SmtpReply Reply)> Refusals(List<PendingRow> batch, SmtpReply reply, ReplyClass verdict)
        {
            foreach (var row in batch)
            {
                var own = reply.RefusedRecipients.FirstOrDefault(r => string.Equals(r.Address, row.To.Address, StringComparison.OrdinalIgnoreCase));
                if (own != null) yield return (row, own.Reply);
                else if (verdict.Outcome == ReplyOutcome.RecipientRejected) yield return (row, reply);
            }
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

        /// <summary>Acts on the reply: the rows' results, the account's pace; true to try the message again.</summary>
        bool Retry(List<PendingRow> batch, Dictionary<PendingRow, SmtpReply> refused, SmtpReply reply, ReplyClass verdict, int attempt,
            CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            var now = _clock.UtcNow;
            var last = attempt >= _options.Retry.MaxAttempts;
            switch (verdict.Outcome)
            {
                case ReplyOutcome.Success:
                    _sentMessages++;
                    foreach (var row in batch)
                    {
                        if (refused.TryGetValue(row, out var own)) Finish(row, RowStatus.Failed, own.ToString());
                        else { Finish(row, RowStatus.Sent, reply.ToString()); row.Result.SentAt = now; }
                    }
                    Recover(now);
                    return false;
                case ReplyOutcome.Throttled:
                    var cooldown = SlowDown(reply, attempt, now);
                    if (!last) return true;
                    Defer(batch, cooldown, $"throttled {attempt} times, last: {reply}");
                    return false;
                case ReplyOutcome.QuotaExhausted:
                    Defer(batch, Suspend(reply, verdict, now), $"the provider's quota is used up ({reply})");
                    return false;
                case ReplyOutcome.Transient when reply.Ambiguous:
                    foreach (var row in batch) Finish(row, RowStatus.Unknown, reply + " (the server may or may not have taken it; a rerun of the campaign does not resend it unless -RetryUnknown is given)");
                    return false;
                case ReplyOutcome.Transient when !last:
                    var retryAt = now + _options.Retry.Delay(attempt, _options.Random);
                    if (_options.MaxWait is TimeSpan longest && retryAt - now > longest)
                    {
                        Defer(batch, retryAt, $"a temporary failure ({reply})");
                        return false;
                    }
                    WaitUntil(retryAt, $"retry {attempt + 1} of {_options.Retry.MaxAttempts} after a temporary failure ({reply})", batch[0], cancellationToken, onWait);
                    return true;
                case ReplyOutcome.ContentRejected:
                case ReplyOutcome.AccountBlocked:
                    foreach (var row in batch) Finish(row, RowStatus.Failed, reply.ToString());
                    Stopped = new RunStop(verdict, reply, batch[0].Row.Number);
                    return false;
                default:
                    // Refused for good (recipient, message form), or temporary failures past the last attempt.
                    var suffix = verdict.Outcome == ReplyOutcome.Transient ? $" (after {attempt} attempts)" : "";
                    foreach (var row in batch)
                        Finish(row, RowStatus.Failed, (refused.TryGetValue(row, out var own2) ? own2 : reply) + suffix);
                    return false;
            }
        }

        /// <summary>AIMD decrease: halve the pace the account was sending at and cool down; returns the end of the cool-down.</summary>
        DateTimeOffset SlowDown(SmtpReply reply, int attempt, DateTimeOffset now)
        {
            var state = _pacing.GetPacing(_account) ?? new PacingState();
            var current = AdaptivePace.Current(state, _ledger.ReservationsSince(_account, now - PaceSample, 10_000), _policy);
            state.Interval = AdaptivePace.Slowed(current);
            state.CooldownUntil = now + _options.Retry.Delay(attempt, _options.Random);
            state.Reason = reply.ToString();
            state.UpdatedAt = now;
            _pacing.SavePacing(_account, state);
            return state.CooldownUntil.Value;
        }

        /// <summary>AIMD increase after an accepted message, while the pace is cut.</summary>
        void Recover(DateTimeOffset now)
        {
            if (!(_pacing.GetPacing(_account) is PacingState state) || !(state.Interval is TimeSpan interval)) return;
            state.Interval = AdaptivePace.Recovered(interval, _policy);
            state.UpdatedAt = now;
            _pacing.SavePacing(_account, state);
        }

        /// <summary>
        /// Suspends the account until the provider's window frees up: the oldest use of the account in
        /// that window leaves it then (the whole window from now when there is none).
        /// </summary>
        DateTimeOffset Suspend(SmtpReply reply, ReplyClass verdict, DateTimeOffset now)
        {
            var window = verdict.QuotaWindow ?? TimeSpan.FromDays(1);
            var oldest = _ledger.ReservationsSince(_account, now - window, 1);
            var until = (oldest.Count > 0 ? oldest[0].At : now) + window;
            if (until <= now) until = now + window;
            var state = _pacing.GetPacing(_account) ?? new PacingState();
            state.SuspendedUntil = until;
            state.Reason = reply.ToString();
            state.UpdatedAt = now;
            _pacing.SavePacing(_account, state);
            return until;
        }

        void NotReserved(List<PendingRow> batch, ReserveDecision decision)
        {
            if (decision.Impossible)
            {
                foreach (var row in batch) Finish(row, RowStatus.Failed, "refused by the quota policy: " + decision.Reason);
                return;
            }
            var longest = _options.MaxWait is TimeSpan max ? $" (longer than -MaxWait {max})" : "";
            Defer(batch, decision.RetryAt!.Value, decision.Reason + longest);
        }

        static void Defer(List<PendingRow> batch, DateTimeOffset until, string reason)
        {
            foreach (var row in batch)
            {
                Finish(row, RowStatus.Deferred, $"deferred until {until:u}: {reason}");
                row.Result.DeferredUntil = until;
            }
        }

        static void Finish(PendingRow row, RowStatus status, string reply)
        {
            row.Result.Status = status;
            row.Result.Reply = reply;
        }

        void WaitUntil(DateTimeOffset until, string reason, PendingRow row, CancellationToken cancellationToken, Action<WaitNotice>? onWait) =>
            _clock.WaitUntil(until, row.Row.Number, row.To.Address, reason, onWait, cancellationToken);

        void Tick(DateTimeOffset until, string reason, PendingRow row, CancellationToken cancellationToken, Action<WaitNotice>? onWait) =>
            _clock.Step(until, row.Row.Number, row.To.Address, reason, onWait, cancellationToken);

        static SendResult Invalid(SendResult result, InvalidRowException e)
        {
            result.Status = RowStatus.Invalid;
            result.ErrorId = e.ErrorId;
            result.Reply = e.Message;
            return result;
        }

        static SendResult Skipped(SendResult result, string reason)
        {
            result.Status = RowStatus.Skipped;
            result.Reply = reason;
            return result;
        }

        sealed class PendingRow
        {
            public PendingRow(MailRow row, MailboxAddress to, string key, SendResult result) { Row = row; To = to; Key = key; Result = result; }
            public MailRow Row { get; }
            public MailboxAddress To { get; }
            public string Key { get; }
            public SendResult Result { get; }
        }
    }
}
