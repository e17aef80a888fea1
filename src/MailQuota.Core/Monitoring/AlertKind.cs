namespace MailQuota.Core.Monitoring
{
    /// <summary>What looked abnormal about an account's sending.</summary>
    public enum AlertKind
    {
        /// <summary>The last hour carried far more recipients than the account's usual busy hour.</summary>
        VolumeSpike,

        /// <summary>A large share of the last hour's sends got throttle or quota replies.</summary>
        ThrottleReplies,

        /// <summary>A day or month window is nearly used up.</summary>
        QuotaNearlyUsed,
    }
}
