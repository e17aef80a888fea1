using System;
using System.Globalization;

namespace MailQuota.Core.Monitoring
{
    /// <summary>
    /// One alert about an account, raised once per condition and window and kept in the ledger. It is
    /// open until <see cref="OpenUntil"/>; while it is open the same condition raises nothing new.
    /// </summary>
    public sealed class SendAlert
    {
        public SendAlert(string account, AlertKind kind, string scope, DateTimeOffset raisedAt, DateTimeOffset openUntil, double observed, double threshold, string message)
        {
            Account = account; Kind = kind; Scope = scope; RaisedAt = raisedAt; OpenUntil = openUntil;
            Observed = observed; Threshold = threshold; Message = message;
        }

        public long Id { get; internal set; }
        public string Account { get; }
        public AlertKind Kind { get; }

        /// <summary>The quota window concerned, e.g. "Day Recipients"; empty for an alert about the whole account.</summary>
        public string Scope { get; }
        public DateTimeOffset RaisedAt { get; }
        public DateTimeOffset OpenUntil { get; }

        /// <summary>Recipients in the last hour (VolumeSpike) or a share between 0 and 1 (the others).</summary>
        public double Observed { get; }

        /// <summary>The value <see cref="Observed"/> reached, in the same unit.</summary>
        public double Threshold { get; }
        public string Message { get; }

        /// <summary>A few words for a table column, e.g. "volume 240/h", "throttled 25%", "92% used".</summary>
        public string Summary => Kind switch
        {
            AlertKind.VolumeSpike => string.Format(CultureInfo.InvariantCulture, "volume {0:0}/h", Observed),
            AlertKind.ThrottleReplies => string.Format(CultureInfo.InvariantCulture, "throttled {0:0%}", Observed),
            _ => string.Format(CultureInfo.InvariantCulture, "{0:0%} used", Observed),
        };

        public override string ToString() => Message;
    }
}
