using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.ExceptionServices;
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
    /// are gathered into a message (one, or several as Bcc), which is composed and given quota
    /// (<see cref="MessageAdmission"/>: waiting for it, or deferred past -MaxWait), handed to the server
    /// on one of the run's connections (<see cref="ConnectionLanes"/>), recorded (<see cref="DeliveryAttempt"/>)
    /// and acted on as its reply says (<see cref="ReplyActions"/>: retried, paced, deferred, stopped).
    /// The run's thread does all of that but the SMTP transactions: while a connection carries one
    /// message, the next ones are checked, reserved and queued on it; the connection makes a message's
    /// reservation durable before it starts it (one sync of a ledger file serves the messages queued
    /// behind it too), so the sync is off the run's thread and shared. Results come back in input order.
    /// </summary>
    public sealed class SendSession : IDisposable
    {
        readonly string _account;
        readonly CampaignRows _campaignRows;
        readonly MessageAdmission _admission;
        readonly ReplyActions _replies;
        readonly RunWaits _waits;
        readonly DeliveryAttempt _delivery;
        readonly SentFingerprints? _fingerprints;
        readonly RowBatcher _batcher;
        readonly ConnectionLanes _lanes;
        readonly ILedger? _handovers;
        readonly object _handoverTurn = new object();
        readonly OrderedResults _results = new OrderedResults();
        readonly IClock _clock;
        readonly SendOptions _options;
        readonly HashSet<string> _seen = new HashSet<string>(StringComparer.Ordinal);
        readonly Queue<Delivery> _unstarted = new Queue<Delivery>();
        int _pausedAfter;

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
            CheckBatching(template, policy, _options.RecipientsPerMessage);
            _account = account;
            var composer = new MessageComposer(template);
            _campaignRows = new CampaignRows(campaigns, _options);
            var pace = new PacingController(account, policy, ledger, pacing, _options);
            _waits = new RunWaits(clock, Drain);
            _admission = new MessageAdmission(account, policy, template, composer, _campaignRows, new QuotaGate(ledger, clock, _options.DeliveryMargin),
                pace, contentGuard, clock, _options, _waits);
            _replies = new ReplyActions(clock, _options, pace, _waits);
            if (contentGuard != null && !contentGuard.KeepsAtReservation) _fingerprints = new SentFingerprints(contentGuard, account);
            _delivery = new DeliveryAttempt(ledger, campaigns, clock, _options, _fingerprints);
            _batcher = new RowBatcher(_options.RecipientsPerMessage);
            _clock = clock;
            _handovers = handovers;
            _lanes = new ConnectionLanes(connections, composer.Sender, MayStart, d => ledger.MakeReservationDurable(d.ReservationId!.Value), GoAhead, Taken);
        }

        /// <summary>Set when the server refused content or the account: nothing more may be sent in this run.</summary>
        public RunStop? Stopped => _replies.Stopped;

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
                SendUnstarted(cancellationToken, onWait);
                if (drain || Stopped != null)
                {
                    Drain(cancellationToken, onWait);
                    while (_unstarted.Count > 0 && Stopped == null)
                    {
                        SendUnstarted(cancellationToken, onWait);
                        Drain(cancellationToken, onWait);
                    }
                }
            }
            catch
            {
                while (_lanes.InFlight > 0) Settle(_lanes.Receive());
                KeepRecords();
                throw;
            }
            return _results.TakeFinal();
        }

        /// <summary>
        /// Writes the fingerprints gathered and the outcomes held back, as a run ends on a failure or is
        /// closed: what the user must see is that failure (or none), so one of the ledger here loses
        /// only those few fingerprints (the handover connection's record makes those outcomes Sent).
        /// </summary>
        void KeepRecords()
        {
            try { _fingerprints?.Write(); }
            catch (Exception e) when (!(e is OutOfMemoryException)) { }
            try { _delivery.WriteHeldOutcomes(); }
            catch (Exception e) when (!(e is OutOfMemoryException)) { }
        }

        /// <summary>A message answered while the run is ending: recorded; its rows final when the server took it (the caller writes them before the failure).</summary>
        void Settle(Delivery delivery)
        {
            _delivery.Settle(delivery);
            if (!(delivery.Reply is SmtpReply reply)) return;
            var verdict = ReplyClassifier.Classify(reply);
            if (verdict.Outcome != ReplyOutcome.Success) return;
            _replies.Delivered(delivery.Batch, DeliveryAttempt.Refusals(delivery.Batch, reply, verdict), reply, _clock.UtcNow);
            Finish(delivery.Batch);
        }

        /// <summary>Takes in every message still out and writes their fingerprints and outcomes (before a wait, and at the end).</summary>
        void Drain(CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            while (_lanes.InFlight > 0) Handle(_lanes.Receive(), cancellationToken, onWait);
            _fingerprints?.Write();
            _delivery.WriteHeldOutcomes();
        }

        /// <summary>
        /// Sends again, in the order they came back, the messages a connection returned not started, now
        /// that the run has acted on the reply before them; not once the run stopped (their rows stay unsent).
        /// </summary>
        void SendUnstarted(CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            while (_unstarted.Count > 0 && Stopped == null) Send(_unstarted.Dequeue(), judgeContent: false, cancellationToken, onWait);
        }

        /// <summary>The gathered rows become a message (after those sent back not started): composed, then admitted and handed to a connection.</summary>
        void Start(CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            SendUnstarted(cancellationToken, onWait);
            var batch = _batcher.Take();
            ComposedMessage composed;
            try { composed = _admission.Compose(batch); }
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
            if (_admission.Admit(delivery, judgeContent, _replies.PaceEpoch, cancellationToken, onWait)) Submit(delivery, cancellationToken, onWait);
            else Finish(delivery.Batch);
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
                    if (delivery.PaceEpoch == _replies.PaceEpoch) break;
                    Release(delivery);
                    if (!_admission.Admit(delivery, false, _replies.PaceEpoch, cancellationToken, onWait))
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

        /// <summary>
        /// Asked on a connection's thread before a queued message starts: it may go while the pace it was
        /// reserved under holds and the run goes on.
        /// </summary>
        bool MayStart(Delivery delivery) => delivery.PaceEpoch == _replies.PaceEpoch && Stopped == null;

        /// <summary>A message came back from its connection: record the attempt, act on the reply, send it again when the reply says so.</summary>
        void Handle(Delivery delivery, CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            if (delivery.NotStarted)
            {
                // Queued behind a message the server did not take, reserved before the server pushed back,
                // queued on a connection since closed, or the run stopped: released, and sent again on the
                // new terms once the run has acted on the reply (<see cref="SendUnstarted"/>). Its
                // reservation could not be made durable: the run ends.
                Release(delivery);
                if (delivery.Error != null) ExceptionDispatchInfo.Capture(delivery.Error).Throw();
                _unstarted.Enqueue(delivery);
                return;
            }
            var id = delivery.ReservationId!.Value;
            delivery.ReservationId = null;
            var reply = _delivery.Reply(id, delivery, _lanes.Open > 1);
            if (ConnectionLimit.TooMany(reply)) _lanes.Retire(delivery.Lane);
            var verdict = ReplyClassifier.Classify(reply);
            var refused = DeliveryAttempt.Refusals(delivery.Batch, reply, verdict);
            _delivery.Complete(id, delivery, refused, reply, verdict);
            if (_replies.Retry(delivery.Batch, refused, reply, verdict, delivery.Attempt, delivery.FirstAttempt, cancellationToken, onWait))
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

        void PauseBetweenBatches(PendingRow row, CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            if (!(_options.BatchSize is int size) || _replies.SentMessages == 0 || _replies.SentMessages % size != 0 || _pausedAfter == _replies.SentMessages) return;
            _pausedAfter = _replies.SentMessages;
            _waits.WaitUntil(_clock.UtcNow + _options.BatchDelay, $"pause of {_options.BatchDelay.TotalSeconds:0.###} s after a batch of {size} messages", row, cancellationToken, onWait);
        }

        /// <summary>
        /// The server said go ahead to the message's data (on its connection's thread): from now on it may
        /// take the message, so the send is Unknown until its reply is recorded. The connections take
        /// turns on the one handover connection to the ledger; the run's thread never waits for it.
        /// </summary>
        void GoAhead(Delivery delivery)
        {
            if (_handovers == null) return;
            lock (_handoverTurn)
                _handovers.HandOver(delivery.ReservationId!.Value, _clock.UtcNow, delivery.Attempt);
        }

        /// <summary>
        /// The server took the message (on its connection's thread, before the run receives it): recorded
        /// on the handover connection, so the run may write its Sent with the next reservation
        /// (<see cref="DeliveryAttempt.Complete"/>). A record that fails leaves it to be written at once.
        /// </summary>
        void Taken(Delivery delivery)
        {
            if (_handovers == null) return;
            try
            {
                lock (_handoverTurn)
                    _handovers.Delivered(delivery.ReservationId!.Value, _clock.UtcNow, delivery.Attempt, delivery.Reply!.ToString());
                delivery.TakenRecorded = true;
            }
            catch (Exception e) when (!(e is OutOfMemoryException)) { }
        }

        /// <summary>Stops the connections' threads, keeps the fingerprints gathered and the outcomes held back, and closes the handover connection; the transports are the caller's to dispose.</summary>
        public void Dispose()
        {
            _lanes.Dispose();
            KeepRecords();
            _handovers?.Dispose();
        }
    }
}
