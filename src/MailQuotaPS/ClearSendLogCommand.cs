using System;
using System.Management.Automation;
using MailQuota.Core.Monitoring;
using MailQuota.Core.Time;

namespace MailQuotaPS
{
    /// <summary>
    /// Deletes the sends reserved before a time, and the alerts that closed before it, so the ledger
    /// does not grow without end. Sends that still count against a quota window or the volume
    /// baseline are never deleted: an earlier -Before is asked for instead.
    /// </summary>
    [Cmdlet(VerbsCommon.Clear, "SendLog", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(SendLogCleared))]
    public sealed class ClearSendLogCommand : LedgerCmdlet
    {
        /// <summary>Delete the sends reserved before this time (a local time unless it says otherwise).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        public DateTime Before { get; set; }


        protected override void EndProcessing()
        {
            using var ledger = OpenLedger();
            var path = ledger.Location;
            var retention = new SendLogRetention(ledger, ledger, ledger, LedgerClock);
            var before = new DateTimeOffset(Before);
            try
            {
                var count = retention.CountBefore(before);
                if (!ShouldProcess($"{count} sends reserved before {Before:yyyy-MM-dd HH:mm:ss} in {path}", "Delete")) return;
                var cleared = retention.Clear(before);
                WriteVerbose($"Deleted {cleared.Sends} sends and {cleared.Alerts} closed alerts from {path}.");
                WriteObject(cleared);
            }
            catch (SendLogRetentionException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "BeforeInsideQuotaWindow", ErrorCategory.InvalidArgument, Before));
            }
        }
    }
}
