using System;
using System.Linq;
using MailQuota.Core.Monitoring;
using MailQuota.Core.Quota;
using MailQuota.Core.Time;

namespace MailQuota.Core.Monitoring
{
    /// <summary>
    /// Trims the send log so the ledger does not grow without end, but never below what must stay:
    /// every send still inside a quota window of its account (forgetting it would let the account
    /// over-send) and the history the volume monitor's baseline is taken from.
    /// </summary>
    public sealed class SendLogRetention
    {
        readonly ILedger _ledger;
        readonly ISendLog _log;
        readonly IAlertStore _alerts;
        readonly IClock _clock;
        readonly VolumeThresholds _thresholds;

        public SendLogRetention(ILedger ledger, ISendLog log, IAlertStore alerts, IClock clock, VolumeThresholds? thresholds = null)
        {
            _ledger = ledger; _log = log; _alerts = alerts; _clock = clock; _thresholds = thresholds ?? new VolumeThresholds();
        }

        /// <summary>The latest instant before which sends may be cleared now.</summary>
        public DateTimeOffset LatestClearBefore()
        {
            var now = _clock.UtcNow;
            var keep = now - _thresholds.Baseline - TimeSpan.FromHours(2);
            foreach (var account in _ledger.Accounts())
            {
                var policy = _ledger.GetPolicy(account) ?? Quota.QuotaPolicy.ConservativeDefault();
                foreach (var since in policy.Limits().Select(l => l.Since(now)))
                    if (since < keep) keep = since;
            }
            return keep;
        }

        /// <summary>How many sends clearing before <paramref name="before"/> would remove; throws <see cref="SendLogRetentionException"/> when that is too recent.</summary>
        public int CountBefore(DateTimeOffset before)
        {
            Check(before);
            return _log.CountSendLogBefore(before);
        }

        public SendLogCleared Clear(DateTimeOffset before)
        {
            Check(before);
            return new SendLogCleared(before, _log.ClearSendLog(before), _alerts.ClearAlerts(before));
        }

        void Check(DateTimeOffset before)
        {
            var latest = LatestClearBefore();
            if (before > latest) throw new SendLogRetentionException(before, latest);
        }
    }

    /// <summary>What a clearing removed.</summary>
    public sealed class SendLogCleared
    {
        public SendLogCleared(DateTimeOffset before, int sends, int alerts) { Before = before; Sends = sends; Alerts = alerts; }
        public DateTimeOffset Before { get; }
        public int Sends { get; }
        public int Alerts { get; }
    }

    /// <summary>Clearing up to the given instant would forget sends that still count.</summary>
    public sealed class SendLogRetentionException : Exception
    {
        public SendLogRetentionException(DateTimeOffset before, DateTimeOffset latest)
            : base($"Sends after {latest.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC still count against a quota window or the volume baseline; "
                + $"clear before that instant at the latest, not {before.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC.")
        {
            Before = before;
            Latest = latest;
        }

        public DateTimeOffset Before { get; }
        public DateTimeOffset Latest { get; }
    }
}
