using System;
using System.Linq;
using MailQuota.Core.Monitoring;

namespace MailQuota.Core.Ledger
{
    /// <summary>
    /// How much of the send log must stay: every send still inside a quota window of its account
    /// (forgetting it would let the account over-send) and the history the volume monitor's baseline
    /// is taken from. Older sends can be cleared.
    /// </summary>
    public static class SendLogRetention
    {
        /// <summary>The latest instant before which sends may be cleared at <paramref name="now"/>.</summary>
        public static DateTimeOffset LatestClearBefore(ILedger ledger, DateTimeOffset now, VolumeThresholds thresholds)
        {
            var keep = now - thresholds.Baseline - TimeSpan.FromHours(2);
            foreach (var account in ledger.Accounts())
            {
                var policy = ledger.GetPolicy(account) ?? Quota.QuotaPolicy.ConservativeDefault();
                foreach (var since in policy.Limits().Select(l => l.Since(now)))
                    if (since < keep) keep = since;
            }
            return keep;
        }
    }
}
