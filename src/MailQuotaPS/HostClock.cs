using System;
using System.Globalization;
using MailQuota.Core.Time;

namespace MailQuotaPS
{
    /// <summary>
    /// This host's clock. For tests only: MAILQUOTAPS_TEST_HOST_CLOCK_OFFSET (seconds, e.g. "-90") moves
    /// it, so one machine can stand for several hosts whose clocks disagree (the fleet-ledger tests).
    /// It is no setting for users: a host's clock is put right with NTP.
    /// </summary>
    internal static class HostClock
    {
        const string TestOffsetVariable = "MAILQUOTAPS_TEST_HOST_CLOCK_OFFSET";

        public static readonly IClock Instance =
            double.TryParse(Environment.GetEnvironmentVariable(TestOffsetVariable), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds != 0
                ? new OffsetClock(SystemClock.Instance, TimeSpan.FromSeconds(seconds))
                : (IClock)SystemClock.Instance;
    }
}
