using System;
using MailQuota.Core.Campaigns;
using MailQuota.Core.Quota;

namespace MailQuota.Core.Sending
{
    /// <summary>How one run sends, beyond the account's policy.</summary>
    public sealed class SendOptions
    {
        /// <summary>The campaign id: rows already sent under it are skipped (see <see cref="CampaignKey"/>).</summary>
        public string? Campaign { get; set; }

        /// <summary>Rows per message (as Bcc); 1 sends one personalised message per row.</summary>
        public int RecipientsPerMessage { get; set; } = 1;

        /// <summary>After this many messages, pause for <see cref="BatchDelay"/>.</summary>
        public int? BatchSize { get; set; }
        public TimeSpan BatchDelay { get; set; }

        /// <summary>
        /// The longest a message waits for the quota before it is deferred; null waits as long as the
        /// windows need. A suspended account (its provider's quota used up) is only waited for when
        /// this is given and long enough.
        /// </summary>
        public TimeSpan? MaxWait { get; set; }

        /// <summary>Send rows again whose earlier message has an unknown outcome (the process died, or the connection broke during it).</summary>
        public bool RetryUnknown { get; set; }

        public RetryPolicy Retry { get; set; } = new RetryPolicy();

        /// <summary>The jitter of retry delays (seeded in tests).</summary>
        public Random Random { get; set; } = new Random();
    }
}
