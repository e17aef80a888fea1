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
    /// for it, or deferred past -MaxWait), handed to the server on one of the run's connections and
    /// retried as its reply says, and recorded in the ledger with the account's pace.
    /// The run's thread does all of that but the SMTP transactions: while a connection carries one
    /// message, the next is checked and reserved (its reservation durable before it is handed over),
    /// so the ledger's fsync overlaps the server's round trips. Results come back in input order.
    /// </summary>
    public sealed class SendSession : IDisposable
    {
        readonly string _account;
        readonly QuotaPolicy _policy;
        readonly MessageComposer _composer;
        readonly CampaignRows _campaignRows;
        readonly QuotaGate _gate;
        readonly PacingController _pace;
        readonly DeliveryAttempt _delivery;
        readonly RowBatcher _batcher;
        readonly ConnectionLanes _lanes;
        readonly ILedger? _handovers;
        readonly OrderedResults _results = new OrderedResults();
        readonly IClock _clock;
        readonly SendOptions _options;
        readonly MessageTemplate _template;
        readonly ContentGuard? _contentGuard;
        readonly HashSet<string> _seen = new HashSet<string>(StringComparer.Ordinal);
        int _sentMessages;
        int _pausedAfter;
        int _paceEpoch;

        /// <summary>Throws <see cref="ArgumentException"/> when the options cannot work with the template or the policy.</summary>
        /// <param name="contentGuard">Checks each message against the near-duplicate policy and gives the fingerprint kept with its reservation; null keeps none.</param>
        public SendSession(string account, QuotaPolicy policy, MessageTemplate template, ILedger ledger, IPacingStore pacing,
            ICampaignStore campaigns, IMailTransport transport, IClock clock, SendOptions? options = null, ContentGuard? contentGuard = null,
            ILedger? handovers = null)
            : this(account, policy, template, ledger, pacing, campaigns, new[] { transport }, clock, options, contentGuard, handovers)
        {
        }

        /// <param name="connections">One transport per connection the run may open at once; the caller disposes them after the session.</param>
        /// <param name="handovers">
        /// Another connection to the ledger (<see cref="IRunLedger.OpenAnother"/>), which the session disposes: the
        /// connections' threads record on it that a message is Unknown from the server's go-ahead on, so a
        /// process killed before it leaves the row InFlight and a rerun sends it again. Null records no
        /// go-ahead: a killed run's rows in flight are then Unknown.
        /// </param>
        public SendSession(string account, QuotaPolicy policy, MessageTemplate template, ILedger ledger, IPacingStore pacing,
            ICampaignStore campaigns, IReadOnlyList<IMailTransport> connections, IClock clock, SendOptions? options = null, ContentGuard? contentGuard = null,
            ILedger? handovers = null)
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
            _delivery = new DeliveryAttempt(ledger, campaigns, clock, _options);
            _batcher = new RowBatcher(_options.RecipientsPerMessage);
            _clock = clock;
            _handovers = handovers;
            _lanes = new ConnectionLanes(connections, _composer.Sender, GoAhead);
        }

        /// <summary>Set when the server refused content or the account: nothing more may be sent in this run.</summary>
        public RunStop? Stopped { get; private set; }

        /// <summary>Connections the run may still use: fewer than it opened once the server refused one as too many.</summary>
        public int Connections => _lanes.Open;

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
        /// Takes one row. Returns the results final now, in input order: this row's when it is bad or
        /// already done and no earlier row is still on its way, and those of earlier rows whose messages
        /// were answered meanwhile. A row's message may still be on its way when this returns.
        /// </summary>
        public IReadOnlyList<SendResult> Add(MailRow row, CancellationToken cancellationToken, Action<WaitNotice>? onWait = null)
        {
            if (Stopped != null) throw new InvalidOperationException("The run was stopped: " + Stopped.Message);
            var result = new SendResult { Row = row.Number, Recipient = row.Address ?? "", Account = _account, Campaign = _options.Campaign };
            MailboxAddress to;
            try { to = MessageComposer.ParseRecipient(row.Address, row.Name); }
            catch (InvalidRowException e) { return Step(() => _results.Add(RowResults.Invalid(result, e), final: true), false, cancellationToken, onWait); }
            result.Recipient = to.Address;
            var key = CampaignKey.RowKey(to.Address);
            if (!_seen.Add(key)) return Step(() => _results.Add(RowResults.Skipped(result, "the same address came earlier in this run"), final: true), false, cancellationToken, onWait);
            if (_campaignRows.Outcome(key, result) is SendResult done) return Step(() => _results.Add(done, final: true), false, cancellationToken, onWait);
            var pending = new PendingRow(row, to, key, _results.Add(result, final: false));
            return Step(() => { if (_batcher.Add(pending)) Start(cancellationToken, onWait); }, false, cancellationToken, onWait);
        }

        /// <summary>Sends the rows still gathered for a Bcc batch (at the end of the input) and waits for every message on its way.</summary>
        public IReadOnlyList<SendResult> Flush(CancellationToken cancellationToken, Action<WaitNotice>? onWait = null) =>
            Step(() => { if (_batcher.HasPending) Start(cancellationToken, onWait); }, true, cancellationToken, onWait);

        /// <summary>The results final now that no call has returned yet: after a failure ended the run (an exception), those of the rows finished before it.</summary>
        public IReadOnlyList<SendResult> TakeFinished() => _results.TakeFinal();

        /// <summary>Refuses what cannot work with several rows per message (merge fields, more than the policy allows): ArgumentException.</summary>
        public static void CheckBatching(MessageTemplate template, QuotaPolicy? policy, int perMessage) => RowBatcher.Check(template, policy, perMessage);

        /// <summary>
        /// Does the step, takes in the messages answered meanwhile (all of them when <paramref name="drain"/>
        /// or the run stopped), and gives the results final now. When the step throws (Ctrl+C, an
        /// unreachable server), every message still on a connection is waited for and recorded first.
        /// </summary>
        IReadOnlyList<SendResult> Step(Action step, bool drain, CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            try
            {
                step();
                while (_lanes.TryReceive(out var answered)) Handle(answered, cancellationToken, onWait);
                if (drain || Stopped != null) Drain(cancellationToken, onWait);
            }
            catch
            {
                while (_lanes.InFlight > 0) Settle(_lanes.Receive());
                throw;
            }
            return _results.TakeFinal();
        }

        /// <summary>A message answered while the run is ending: recorded; its rows final when the server took it (the caller writes them before the failure).</summary>
        void Settle(Delivery delivery)
        {
            _delivery.Settle(delivery);
            if (!(delivery.Reply is SmtpReply reply)) return;
            var verdict = ReplyClassifier.Classify(reply);
            if (verdict.Outcome != ReplyOutcome.Success) return;
            Delivered(delivery.Batch, DeliveryAttempt.Refusals(delivery.Batch, reply, verdict), reply, _clock.UtcNow);
            Finish(delivery.Batch);
        }

        void Drain(CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            while (_lanes.InFlight > 0) Handle(_lanes.Receive(), cancellationToken, onWait);
        }

        /// <summary>The gathered rows become a message: composed, then admitted and handed to a connection.</summary>
        void Start(CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            var batch = _batcher.Take();
            ComposedMessage composed;
            try { composed = Compose(batch); }
            catch (InvalidRowException e)
            {
                foreach (var row in batch) RowResults.Invalid(row.Result, e);
                Finish(batch);
                return;
            }
            // A pause after every -BatchSize messages counts the messages sent: those on their way are waited for.
            if (_options.BatchSize != null) Drain(cancellationToken, onWait);
            PauseBetweenBatches(batch[0], cancellationToken, onWait);
            Send(new Delivery(batch, composed) { Attempt = 1 }, judgeContent: true, cancellationToken, onWait);
        }

        /// <summary>Reserves quota for the message (its content judged first when asked) and hands it to a connection; or finishes its rows.</summary>
        void Send(Delivery delivery, bool judgeContent, CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            if (Admit(delivery, judgeContent, cancellationToken, onWait)) Submit(delivery, cancellationToken, onWait);
            else Finish(delivery.Batch);
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
        /// Quota for the message's next attempt, its content judged first when asked (and again when,
        /// in the reservation's transaction, it turned out over a near-duplicate limit: another process
        /// sent the same template in between). False when the rows are done without it: skipped,
        /// taken by another run, deferred or refused by the policy.
        /// </summary>
        bool Admit(Delivery delivery, bool judgeContent, CancellationToken cancellationToken, Action<WaitNotice>? onWait)
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
                delivery.PaceEpoch = _paceEpoch;
                return true;
            }
        }

        /// <summary>What the reservation records with the send: the campaign's rows, and the fingerprint (judged again in its transaction when admitted within the limits).</summary>
        ReservationRequest Request(Delivery delivery)
        {
            var rowKeys = delivery.Batch.Select(r => r.Key).ToList();
            var fingerprint = delivery.Fingerprint;
            var recheck = delivery.Recheck;
            var messageId = delivery.Composed.Message.MessageId;
            return new ReservationRequest(_account, delivery.Batch[0].To.Address, delivery.Composed.Envelope.Count)
            {
                Campaign = _options.Campaign,
                MessageId = messageId,
                AlsoRecord = (id, at) =>
                {
                    _campaignRows.Link(rowKeys, id);
                    if (fingerprint == null) return;
                    if (recheck && !_contentGuard!.StillAdmits(_account, fingerprint)) throw new NearDuplicateRace();
                    _contentGuard!.Keep(id, _account, at, messageId, fingerprint);
                },
            };
        }

        /// <summary>
        /// Hands the reserved message to a free connection, taking in answered messages until one is
        /// free. A message reserved before the server pushed back (a throttle, a used-up quota) is
        /// released and reserved again under the new pace; one that cannot go (the run stopped, or a
        /// failure ends it) is released: it was never handed over.
        /// </summary>
        void Submit(Delivery delivery, CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            var handed = false;
            try
            {
                while (true)
                {
                    while (!_lanes.HasRoom) Handle(_lanes.Receive(), cancellationToken, onWait);
                    if (Stopped != null) return;
                    if (delivery.PaceEpoch == _paceEpoch) break;
                    Release(delivery);
                    if (!Admit(delivery, false, cancellationToken, onWait))
                    {
                        Finish(delivery.Batch);
                        return;
                    }
                }
                _lanes.Hand(delivery, cancellationToken);
                handed = true;
            }
            finally
            {
                if (!handed && delivery.ReservationId != null) Release(delivery);
            }
        }

        void Release(Delivery delivery)
        {
            _delivery.Release(delivery.ReservationId!.Value, delivery.Attempt);
            delivery.ReservationId = null;
        }

        /// <summary>A message came back from its connection: record the attempt, act on the reply, send it again when the reply says so.</summary>
        void Handle(Delivery delivery, CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            var id = delivery.ReservationId!.Value;
            delivery.ReservationId = null;
            var reply = _delivery.Reply(id, delivery, _lanes.Open > 1);
            if (ConnectionLimit.TooMany(reply)) _lanes.Retire(delivery.Lane);
            var verdict = ReplyClassifier.Classify(reply);
            var refused = DeliveryAttempt.Refusals(delivery.Batch, reply, verdict);
            _delivery.Complete(id, refused, reply, verdict, delivery.Attempt);
            if (Retry(delivery.Batch, refused, reply, verdict, delivery.Attempt, delivery.FirstAttempt, cancellationToken, onWait))
            {
                delivery.Attempt++;
                Send(delivery, judgeContent: false, cancellationToken, onWait);
                return;
            }
            Finish(delivery.Batch);
        }

        static void Finish(List<PendingRow> batch)
        {
            foreach (var row in batch) row.Entry.Final = true;
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
                    Delivered(batch, refused, reply, now);
                    _pace.Recover(now);
                    return false;
                case ReplyOutcome.Throttled:
                    _paceEpoch++;
                    var cooldown = _pace.SlowDown(reply, attempt, now);
                    if (cooldown - firstAttempt <= _options.Retry.ThrottleBudget) return true;
                    RowResults.Defer(batch, cooldown, $"throttled {attempt} times, last: {reply}");
                    return false;
                case ReplyOutcome.QuotaExhausted:
                    _paceEpoch++;
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

        /// <summary>The server took the message: its rows are sent, but those whose recipient it refused for good.</summary>
        void Delivered(List<PendingRow> batch, Dictionary<PendingRow, SmtpReply> refused, SmtpReply reply, DateTimeOffset now)
        {
            _sentMessages++;
            foreach (var row in batch)
            {
                if (refused.TryGetValue(row, out var own)) RowResults.Finish(row, RowStatus.Failed, own.ToString());
                else { RowResults.Finish(row, RowStatus.Sent, reply.ToString()); row.Result.SentAt = now; }
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

        void WaitUntil(DateTimeOffset until, string reason, PendingRow row, CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            DrainBefore(until, cancellationToken, onWait);
            _clock.WaitUntil(until, row.Row.Number, row.To.Address, reason, onWait, cancellationToken);
        }

        void Tick(DateTimeOffset until, string reason, PendingRow row, CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            DrainBefore(until, cancellationToken, onWait);
            _clock.Step(until, row.Row.Number, row.To.Address, reason, onWait, cancellationToken);
        }

        /// <summary>Nothing stays on its way while the run waits: the messages out are answered and recorded (and their rows written) first.</summary>
        void DrainBefore(DateTimeOffset until, CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            if (until > _clock.UtcNow) Drain(cancellationToken, onWait);
        }

        /// <summary>Stops the connections' threads; the transports are the caller's to dispose.</summary>
        /// <summary>
        /// The server said go ahead to the message's data (on its connection's thread): from now on it may
        /// take the message, so the send is Unknown until its reply is recorded. The connections take
        /// turns on the one handover connection to the ledger.
        /// </summary>
        void GoAhead(Delivery delivery)
        {
            if (_handovers == null) return;
            lock (_handovers)
                _handovers.Complete(delivery.ReservationId!.Value, SendStatus.Unknown, _clock.UtcNow, "handed to the server; the run ended before its reply was recorded", delivery.Attempt);
        }

        public void Dispose()
        {
            _lanes.Dispose();
            _handovers?.Dispose();
        }
    }
}
