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
        /// How much longer than its length each rolling window is held, so that the server, which counts
        /// a message when it arrives (a variable moment after its reservation), never sees one too many
        /// in a window either. Measured: the first message of a connection arrives 0.2-0.5 s after its
        /// reservation, later ones 10-50 ms, so a window exact at reservation held 21 of 20 at the server.
        /// </summary>
        public TimeSpan DeliveryMargin { get; set; } = TimeSpan.FromSeconds(1);

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
