using System;

namespace MailQuota.Core.Monitoring
{
    /// <summary>When <see cref="VolumeMonitor"/> calls sending abnormal.</summary>
    public sealed class VolumeThresholds
    {
        /// <summary>The last hour is a spike at this many times the account's usual busy hour...</summary>
        public double SpikeFactor { get; set; } = 5;

        /// <summary>...and at no fewer recipients than this (also the threshold for an account with no history).</summary>
        public int SpikeMinimum { get; set; } = 100;

        /// <summary>The history the usual busy hour is the median of (hours with any sending).</summary>
        public TimeSpan Baseline { get; set; } = TimeSpan.FromDays(7);

        /// <summary>Throttle and quota replies at this share of the last hour's finished sends...</summary>
        public double ThrottleShare { get; set; } = 0.2;

        /// <summary>...once the hour has at least this many finished sends.</summary>
        public int ThrottleMinimumSends { get; set; } = 10;

        /// <summary>A day or month window used to this share is nearly used up.</summary>
        public double QuotaShare { get; set; } = 0.9;
    }
}
