using System.Text.Json.Serialization;

namespace MailQuota.Core.Quota
{
    /// <summary>How a provider counts its day and month limits.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter))]
    public enum QuotaWindowKind
    {
        /// <summary>Any 24 hours (30 days for a month): use leaves the window one length after it was made.</summary>
        Rolling,

        /// <summary>The day restarts at midnight, the month on the 1st, in the provider's reset time zone.</summary>
        Calendar,
    }
}
