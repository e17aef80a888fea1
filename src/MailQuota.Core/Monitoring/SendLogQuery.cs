using System;
using System.Collections.Generic;
using MailQuota.Core.Quota;

namespace MailQuota.Core.Monitoring
{
    /// <summary>Which sends to read: every given filter must match; within one filter, any of its values.</summary>
    public sealed class SendLogQuery
    {
        public IReadOnlyList<TextPattern>? Accounts { get; set; }
        public IReadOnlyList<TextPattern>? Campaigns { get; set; }
        public IReadOnlyList<TextPattern>? Recipients { get; set; }
        public IReadOnlyList<SendStatus>? Statuses { get; set; }

        /// <summary>Only sends reserved after this instant.</summary>
        public DateTimeOffset? After { get; set; }

        /// <summary>Only sends reserved before this instant.</summary>
        public DateTimeOffset? Before { get; set; }
    }
}
