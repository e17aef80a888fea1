using System;
using System.Linq;
using System.Management.Automation;
using MailQuota.Core.Monitoring;
using MailQuota.Core.Quota;

namespace MailQuotaPS
{
    /// <summary>
    /// Reads what was sent, when and with what answer: one object per send in the ledger, oldest
    /// first, streamed as it is read. Pipe it to Export-Csv for an audit file.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "SendLog")]
    [OutputType(typeof(SendLogEntry))]
    public sealed class GetSendLogCommand : LedgerCmdlet
    {
        /// <summary>Sending accounts (wildcards, any case); all when omitted.</summary>
        [Parameter(Position = 0)]
        [SupportsWildcards]
        public string[]? Account { get; set; }

        /// <summary>Campaigns (wildcards, any case).</summary>
        [Parameter]
        [SupportsWildcards]
        public string[]? Campaign { get; set; }

        /// <summary>Sent, Failed, Unknown, InFlight or Released.</summary>
        [Parameter]
        public SendStatus[]? Status { get; set; }

        /// <summary>Recipient addresses (wildcards, any case), e.g. '*@contoso.com'.</summary>
        [Parameter]
        [SupportsWildcards]
        public string[]? Recipient { get; set; }

        /// <summary>Only sends reserved after this time (a local time unless it says otherwise).</summary>
        [Parameter]
        public DateTime? After { get; set; }

        /// <summary>Only sends reserved before this time.</summary>
        [Parameter]
        public DateTime? Before { get; set; }

        protected override void ProcessRecord()
        {
            using var ledger = OpenLedger();
            var query = new SendLogQuery
            {
                Accounts = Account?.Select(p => new TextPattern(p)).ToList(),
                Campaigns = Campaign?.Select(p => new TextPattern(p)).ToList(),
                Recipients = Recipient?.Select(p => new TextPattern(p)).ToList(),
                Statuses = Status,
                After = After.HasValue ? new DateTimeOffset(After.Value) : (DateTimeOffset?)null,
                Before = Before.HasValue ? new DateTimeOffset(Before.Value) : (DateTimeOffset?)null,
            };
            foreach (var entry in ledger.ReadSendLog(query)) WriteObject(entry);
        }
    }
}
