using System;
using System.Collections.Generic;
using MailQuota.Core.Campaigns;
using MailQuota.Core.Content;
using MailQuota.Core.Import;
using MailQuota.Core.Monitoring;
using MailQuota.Core.Quota;
using MailQuota.Core.Sending;

namespace MailQuota.Core.Storage.Sqlite
{
    /// <summary>
    /// The embedded ledger: one SQLite file per host, shared by every process of the user. Opens the
    /// file (bringing its schema up to date, or refusing a newer one with <see cref="LedgerTooNewException"/>)
    /// and offers each policy its store, all over one connection; it holds the rules that cross stores.
    /// </summary>
    public sealed class SqliteLedger : IRunLedger, ISendLog, IBounceSource
    {
        readonly SqliteDatabase _db;
        readonly SqliteReservations _sends;
        readonly SqliteAccounts _accounts;
        readonly SqlitePacing _pacing;
        readonly SqliteCampaigns _campaigns;
        readonly SqliteFingerprints _fingerprints;
        readonly SqliteAlerts _alerts;
        readonly SqliteVolumeHistory _volume;
        readonly SqliteSendLog _log;
        readonly SqliteBounces _bounces;

        /// <param name="busyTimeout">How long to wait for another process's lock before the ledger is busy (LedgerBusy); 30 s when omitted.</param>
        public SqliteLedger(string path, TimeSpan? busyTimeout = null)
        {
            _db = new SqliteDatabase(path, busyTimeout ?? SqliteDatabase.DefaultBusyTimeout);
            try { SqliteSchema.Upgrade(_db); }
            catch (Microsoft.Data.Sqlite.SqliteException e)
            {
                _db.Dispose();
                throw _db.Unavailable(e);
            }
            catch
            {
                _db.Dispose();
                throw;
            }
            _sends = new SqliteReservations(_db);
            _accounts = new SqliteAccounts(_db);
            _pacing = new SqlitePacing(_db);
            _campaigns = new SqliteCampaigns(_db);
            _fingerprints = new SqliteFingerprints(_db);
            _alerts = new SqliteAlerts(_db);
            _volume = new SqliteVolumeHistory(_db, _sends);
            _log = new SqliteSendLog(_db);
            _bounces = new SqliteBounces(_db);
        }

        public string Path => _db.Path;

        /// <summary>The schema version this module reads and writes (PRAGMA user_version).</summary>
        public static int SchemaVersion => SqliteSchema.Current;

        // Quota: reservations, windows, policies.
        public IReservationTransaction BeginReservation(string account) => _sends.Begin(account);

        public void Complete(long reservationId, SendStatus status, DateTimeOffset at, string? reply, int attempts)
        {
            _sends.Complete(reservationId, status, at, reply, attempts);
            // A message the server never took is no near-duplicate of anything: its retry carries the fingerprint.
            if (status == SendStatus.Released || status == SendStatus.Refused) _fingerprints.Forget(reservationId);
        }

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

        public void Dispose() => _db.Dispose();
    }
}
