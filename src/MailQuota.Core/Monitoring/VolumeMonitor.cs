using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MailQuota.Core.Quota;
using MailQuota.Core.Time;

namespace MailQuota.Core.Monitoring
{
    /// <summary>
    /// Watches an account's sending for what providers act on, so the administrator hears of it
    /// first: the last hour far above the account's own usual busy hour, many throttle or quota
    /// replies, a day or month quota nearly used up. Each condition raises one alert per window,
    /// recorded in the ledger, however many sends (or processes) see it.
    /// </summary>
    public sealed class VolumeMonitor
    {
        static readonly TimeSpan Hour = TimeSpan.FromHours(1);

        readonly ILedger _ledger;
        readonly IVolumeHistory _history;
        readonly IAlertStore _alerts;
        readonly IClock _clock;
        readonly VolumeThresholds _thresholds;
        readonly Dictionary<string, DateTimeOffset> _openUntil = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        (string Account, DateTimeOffset End, double Median) _baseline;

        public VolumeMonitor(ILedger ledger, IVolumeHistory history, IAlertStore alerts, IClock clock, VolumeThresholds? thresholds = null)
        {
            _ledger = ledger;
            _history = history;
            _alerts = alerts;
            _clock = clock;
            _thresholds = thresholds ?? new VolumeThresholds();
        }

        /// <summary>Checks the account now; returns the alerts this call raised (none that were already open).</summary>
        /// <param name="replies">Tally the server's refusals of the last hour too (a sender passes false when it saw none since its last check).</param>
        public IReadOnlyList<SendAlert> Check(string account, QuotaPolicy policy, bool replies = true)
        {
            var now = _clock.UtcNow;
            var raised = new List<SendAlert>();
            Raise(raised, account, AlertKind.VolumeSpike, "", now, () => Spike(account, now));
            if (replies) Raise(raised, account, AlertKind.ThrottleReplies, "", now, () => Throttling(account, now));
            foreach (var limit in policy.Limits().Where(l => l.Length >= TimeSpan.FromDays(1)))
                Raise(raised, account, AlertKind.QuotaNearlyUsed, $"{limit.Window} {limit.Unit}", now, () => NearlyUsed(account, limit, now));
            return raised;
        }

        /// <summary>The median recipients of the hours with any sending in the baseline period before the last hour.</summary>
        internal double UsualHour(string account, DateTimeOffset now)
        {
            var end = FloorToHour(now - Hour);
            if (_baseline.Account == account && _baseline.End == end) return _baseline.Median;
            var hours = (int)Math.Ceiling(_thresholds.Baseline.TotalHours);
            var busy = _history.HourlyRecipients(account, end - TimeSpan.FromHours(hours), hours).Where(n => n > 0).OrderBy(n => n).ToList();
            var median = busy.Count == 0 ? 0
                : busy.Count % 2 == 1 ? busy[busy.Count / 2]
                : (busy[busy.Count / 2 - 1] + busy[busy.Count / 2]) / 2.0;
            _baseline = (account, end, median);
            return median;
        }

        void Raise(List<SendAlert> raised, string account, AlertKind kind, string scope, DateTimeOffset now, Func<SendAlert?> condition)
        {
            var key = account + "\n" + kind + "\n" + scope;
            if (_openUntil.TryGetValue(key, out var until) && until > now) return; // known to be raised already
            if (!(condition() is SendAlert alert)) return;
            if (_alerts.TryRaise(alert, out until)) raised.Add(alert);
            _openUntil[key] = until;
        }

        SendAlert? Spike(string account, DateTimeOffset now)
        {
            var lastHour = _ledger.UseSince(account, now - Hour).Recipients;
            if (lastHour < _thresholds.SpikeMinimum) return null;
            var usual = UsualHour(account, now);
            var threshold = Math.Max(_thresholds.SpikeFactor * usual, _thresholds.SpikeMinimum);
            if (lastHour < threshold) return null;
            var days = _thresholds.Baseline.TotalDays;
            var message = usual > 0
                ? Text("{0}: {1} recipients in the last hour, {2:0.0} times its usual {3:0.#} an hour (the median busy hour of the previous {4:0.#} days).",
                    account, lastHour, lastHour / usual, usual, days)
                : Text("{0}: {1} recipients in the last hour, with no sending in the previous {2:0.#} days.", account, lastHour, days);
            return new SendAlert(account, AlertKind.VolumeSpike, "", now, now + Hour, lastHour, threshold, message);
        }

        SendAlert? Throttling(string account, DateTimeOffset now)
        {
            var tally = _history.RepliesSince(account, now - Hour);
            if (tally.Finished < _thresholds.ThrottleMinimumSends) return null;
            var throttled = tally.Refusals.Where(ThrottleReplies.IsThrottle).ToList();
            var share = (double)throttled.Count / tally.Finished;
            if (throttled.Count == 0 || share < _thresholds.ThrottleShare) return null;
            var message = Text("{0}: {1} of {2} sends in the last hour ({3:0%}) got throttle or quota replies, the last: {4}",
                account, throttled.Count, tally.Finished, share, throttled[throttled.Count - 1]);
            return new SendAlert(account, AlertKind.ThrottleReplies, "", now, now + Hour, share, _thresholds.ThrottleShare, message);
        }

        SendAlert? NearlyUsed(string account, QuotaLimit limit, DateTimeOffset now)
        {
            var used = _ledger.UseSince(account, limit.Since(now)).Of(limit.Unit);
            var share = (double)used / limit.Limit;
            if (share < _thresholds.QuotaShare) return null;
            var end = limit.Calendar?.EndOf(now);
            var message = Text("{0}: {1} of {2} used ({3:0%}); {4}.", account, used, limit, share,
                end is DateTimeOffset reset ? Text("the window resets at {0:yyyy-MM-dd HH:mm} UTC", reset.UtcDateTime) : "the window frees up as its oldest sends leave it");
            return new SendAlert(account, AlertKind.QuotaNearlyUsed, $"{limit.Window} {limit.Unit}", now, end ?? now + limit.Length, share, _thresholds.QuotaShare, message);
        }

        static DateTimeOffset FloorToHour(DateTimeOffset t) =>
            new DateTimeOffset(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerHour, TimeSpan.Zero);

        static string Text(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
    }
}
