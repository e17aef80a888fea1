using System;
using System.Collections.Generic;
using MailQuota.Core.Campaigns;
using MailQuota.Core.Content;
using MailQuota.Core.Import;
using MailQuota.Core.Monitoring;
using MailQuota.Core.Quota;
using MailQuota.Core.Sending;
using MailQuota.Core.Time;

namespace MailQuota.Core.Storage
{
    /// <summary>The sends as the quota sees them, as each engine keeps them (one class per engine).</summary>
    internal interface IReservationRows
    {
        /// <summary>
        /// Opens the transaction in which one reservation for the account is decided, holding the account's
        /// lock. Unless <paramref name="durableAtCommit"/>, the commit may leave durability to <see cref="MakeDurable"/>.
        /// </summary>
        void Begin(string account, bool durableAtCommit);
        void Commit();
        void Rollback();

        /// <summary>The reservation is durable when this returns (from any thread).</summary>
        void MakeDurable(long reservationId);
        WindowUse UseSince(string account, DateTimeOffset since);
        IReadOnlyList<WindowUse> UseSince(string account, IReadOnlyList<DateTimeOffset> sinces);
        IReadOnlyList<ReservationPoint> ReservationsSince(string account, DateTimeOffset since, int max);
        DateTimeOffset? LastReservationAt(string account);
        long Insert(ReservationRequest request, DateTimeOffset at);
        /// <summary>The outcome of a send: safe from the process dying, not from a power cut (see each engine).</summary>
        void Complete(long reservationId, SendStatus status, DateTimeOffset at, string? reply, int attempts);

        /// <summary>The send is Unknown from the server's go-ahead on (<see cref="ILedger.HandOver"/>).</summary>
        void HandOver(long reservationId, DateTimeOffset at, int attempts);

        /// <summary>The server took the message (<see cref="ILedger.Delivered"/>).</summary>
        void Delivered(long reservationId, DateTimeOffset at, int attempts, string reply);

        /// <summary>Sent, written now or with the next reservation (<see cref="ILedger.CompleteSent"/>).</summary>
        void CompleteSent(long reservationId, DateTimeOffset at, string reply, int attempts);
        void WriteHeldOutcomes();
    }

    /// <summary>The accounts a ledger knows, with the policy each last sent under.</summary>
    internal interface IAccountRows
    {
        QuotaPolicy? GetPolicy(string account);
        void SavePolicy(string account, QuotaPolicy policy, DateTimeOffset at);
        IReadOnlyList<string> All();
    }

    /// <summary>The content fingerprints, which a released reservation takes back.</summary>
    internal interface IFingerprintRows : IFingerprintStore
    {
        void Forget(long sendId);
    }

    /// <summary>
    /// A ledger as its engine offers it: each policy's store (one class per store in the engine's
    /// folder), and the rules that cross stores, the same for every engine.
    /// </summary>
    public abstract class StoreLedger : ILedgerStores
    {
        readonly IReservationRows _sends;
        readonly IAccountRows _accounts;
        readonly IPacingStore _pacing;
        readonly ICampaignStore _campaigns;
        readonly IFingerprintRows _fingerprints;
        readonly IAlertStore _alerts;
        readonly IVolumeHistory _volume;
        readonly ISendLog _log;
        readonly IBounceSource _bounces;

        private protected StoreLedger(IReservationRows sends, IAccountRows accounts, IPacingStore pacing, ICampaignStore campaigns,
            IFingerprintRows fingerprints, IAlertStore alerts, IVolumeHistory volume, ISendLog log, IBounceSource bounces)
        {
            _sends = sends; _accounts = accounts; _pacing = pacing; _campaigns = campaigns; _fingerprints = fingerprints;
            _alerts = alerts; _volume = volume; _log = log; _bounces = bounces;
        }

        public abstract string Location { get; }
        public abstract IClock ClockFor(IClock hostClock);
        public abstract IRunLedger OpenAnother();
        public abstract void Dispose();

        // Quota: reservations, windows, policies.
        public IReservationTransaction BeginReservation(string account, bool durableAtCommit = true) => new ReservationTransaction(_sends, account, durableAtCommit);

        public void MakeReservationDurable(long reservationId) => _sends.MakeDurable(reservationId);

        public void Complete(long reservationId, SendStatus status, DateTimeOffset at, string? reply, int attempts)
        {
            _sends.Complete(reservationId, status, at, reply, attempts);
            // A message the server never took is no near-duplicate of anything: its retry carries the fingerprint.
            if (status == SendStatus.Released || status == SendStatus.Refused) _fingerprints.Forget(reservationId);
        }

        public void HandOver(long reservationId, DateTimeOffset at, int attempts) => _sends.HandOver(reservationId, at, attempts);
        public void Delivered(long reservationId, DateTimeOffset at, int attempts, string reply) => _sends.Delivered(reservationId, at, attempts, reply);
        public void CompleteSent(long reservationId, DateTimeOffset at, string reply, int attempts) => _sends.CompleteSent(reservationId, at, reply, attempts);
        public void WriteHeldOutcomes() => _sends.WriteHeldOutcomes();

        /// <summary>What the ledger says of a send from its go-ahead until its reply is recorded.</summary>
        internal const string HandedOverReply = "handed to the server; the run ended before its reply was recorded";

        public WindowUse UseSince(string account, DateTimeOffset since) => _sends.UseSince(account, since);
        public IReadOnlyList<ReservationPoint> ReservationsSince(string account, DateTimeOffset since, int max) => _sends.ReservationsSince(account, since, max);
        public QuotaPolicy? GetPolicy(string account) => _accounts.GetPolicy(account);
        public void SavePolicy(string account, QuotaPolicy policy, DateTimeOffset at) => _accounts.SavePolicy(account, policy, at);
        public IReadOnlyList<string> Accounts() => _accounts.All();
        public PacingState? GetPacing(string account) => _pacing.GetPacing(account);
        public void ChangePacing(string account, Func<PacingState, bool> change) => _pacing.ChangePacing(account, change);

        // Campaigns and content.
        public CampaignRow? FindRow(string campaign, string rowKey) => _campaigns.FindRow(campaign, rowKey);
        public void LinkRows(string campaign, IReadOnlyList<string> rowKeys, long sendId, bool retryUnknown) => _campaigns.LinkRows(campaign, rowKeys, sendId, retryUnknown);
        public void RejectRow(string campaign, string rowKey, string reply) => _campaigns.RejectRow(campaign, rowKey, reply);
        public IReadOnlyList<StoredFingerprint> Candidates(string account, ContentFingerprint fingerprint, DateTimeOffset since) => _fingerprints.Candidates(account, fingerprint, since);
        public void Add(long sendId, string account, DateTimeOffset at, string? messageId, ContentFingerprint fingerprint) => _fingerprints.Add(sendId, account, at, messageId, fingerprint);
        public void AddSent(IReadOnlyList<StoredFingerprint> sent) => _fingerprints.AddSent(sent);

        // Monitoring: alerts, volume, the send log.
        public bool TryRaise(SendAlert alert, out DateTimeOffset openUntil) => _alerts.TryRaise(alert, out openUntil);
        public IReadOnlyList<SendAlert> OpenAlerts(string? account, DateTimeOffset now) => _alerts.OpenAlerts(account, now);
        public int ClearAlerts(DateTimeOffset before) => _alerts.ClearAlerts(before);
        public IReadOnlyList<int> HourlyRecipients(string account, DateTimeOffset from, int hours) => _volume.HourlyRecipients(account, from, hours);
        public ReplyTally RepliesSince(string account, DateTimeOffset since) => _volume.RepliesSince(account, since);
        public IEnumerable<SendLogEntry> ReadSendLog(SendLogQuery query) => _log.ReadSendLog(query);
        public int CountSendLogBefore(DateTimeOffset before) => _log.CountSendLogBefore(before);
        public int ClearSendLog(DateTimeOffset before) => _log.ClearSendLog(before);

        // Import: suppression.
        public IEnumerable<string> HardBouncedRecipients() => _bounces.HardBouncedRecipients();

        /// <summary>One reservation's reads and write, in the engine's transaction under the account's lock.</summary>
        sealed class ReservationTransaction : IReservationTransaction
        {
            readonly IReservationRows _sends;
            readonly string _account;
            bool _open;

            public ReservationTransaction(IReservationRows sends, string account, bool durableAtCommit)
            {
                _sends = sends;
                _account = account;
                _sends.Begin(account, durableAtCommit);
                _open = true;
            }

            public WindowUse UseSince(DateTimeOffset since) => _sends.UseSince(_account, since);
            public IReadOnlyList<WindowUse> UseSince(IReadOnlyList<DateTimeOffset> sinces) => _sends.UseSince(_account, sinces);
            public IReadOnlyList<ReservationPoint> ReservationsSince(DateTimeOffset since, int max) => _sends.ReservationsSince(_account, since, max);
            public DateTimeOffset? LastReservationAt() => _sends.LastReservationAt(_account);
            public long Insert(ReservationRequest request, DateTimeOffset at) => _sends.Insert(request, at);

            public void Commit()
            {
                _sends.Commit();
                _open = false;
            }

            public void Dispose()
            {
                if (_open) { _open = false; _sends.Rollback(); }
            }
        }
    }
}
