using System;
using System.Collections.Generic;

namespace MailQuota.Core.Monitoring
{
    /// <summary>The finished sends of a recent period and the replies of those the server refused.</summary>
    public sealed class ReplyTally
    {
        public ReplyTally(int finished, IReadOnlyList<string> refusals) { Finished = finished; Refusals = refusals; }

        /// <summary>Sends with a final outcome (not in flight, not released).</summary>
        public int Finished { get; }

        /// <summary>The replies of the finished sends that were not accepted.</summary>
        public IReadOnlyList<string> Refusals { get; }
    }

    /// <summary>An account's sending history as the volume monitor reads it.</summary>
    public interface IVolumeHistory
    {
        /// <summary>Recipients per hour for <paramref name="hours"/> hours from <paramref name="from"/>: element i covers [from + i h, from + (i+1) h).</summary>
        IReadOnlyList<int> HourlyRecipients(string account, DateTimeOffset from, int hours);

        ReplyTally RepliesSince(string account, DateTimeOffset since);
    }
}
