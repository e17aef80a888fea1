using System;
using System.Management.Automation;
using MailQuota.Core.Storage;
using MailQuota.Core.Storage.Engines;
using MailQuota.Core.Storage.Postgres;
using MailQuota.Core.Storage.Sqlite;

namespace MailQuotaPS
{
    /// <summary>
    /// Copies a ledger file's history (sends, campaigns, pacing, content fingerprints, alerts) into a
    /// PostgreSQL ledger, so hosts moving to the shared ledger keep the quota windows already used.
    /// Running it again copies nothing twice.
    /// </summary>
    [Cmdlet(VerbsCommon.Copy, "SendLedger", SupportsShouldProcess = true)]
    [OutputType(typeof(LedgerCopyResult))]
    public sealed class CopySendLedgerCommand : CancellableCmdlet
    {
        /// <summary>The ledger file to copy from (SQLite).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        public string From { get; set; } = "";

        /// <summary>The PostgreSQL ledger to copy into: a connection string or postgresql:// URI (no password in it).</summary>
        [Parameter(Mandatory = true, Position = 1)]
        public string To { get; set; } = "";

        /// <summary>The user name and password for the PostgreSQL ledger (else PGPASSWORD or .pgpass).</summary>
        [Parameter]
        [Credential]
        public PSCredential? ToCredential { get; set; }

        protected override void EndProcessing()
        {
            if (LedgerEngines.IsPostgres(From) || !LedgerEngines.IsPostgres(To))
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("Copy-SendLedger copies a ledger file (-From, a path) into a PostgreSQL ledger (-To, a connection string or postgresql:// URI)."),
                    "LedgerCopyDirection", ErrorCategory.InvalidArgument, null));
                return;
            }
            string path;
            PostgresTarget target;
            try
            {
                path = LedgerLocation.Resolve(From);
                target = PostgresTarget.Parse(To, ToCredential?.GetNetworkCredential());
            }
            catch (LedgerPathException e) { ThrowTerminatingError(new ErrorRecord(e, "LedgerOnNetworkPath", ErrorCategory.InvalidArgument, From)); return; }
            catch (ArgumentException e) { ThrowTerminatingError(new ErrorRecord(e, "LedgerConnectionInvalid", ErrorCategory.InvalidArgument, null)); return; }
            if (!System.IO.File.Exists(path))
            {
                ThrowTerminatingError(new ErrorRecord(new System.IO.FileNotFoundException($"There is no ledger file at '{path}' to copy."), "LedgerNotFound", ErrorCategory.ObjectNotFound, path));
                return;
            }
            if (!ShouldProcess($"{target.Description}", $"Copy the ledger '{path}'")) return;
            try
            {
                using var source = new SqliteLedger(path);
                using var destination = new PostgresLedger(target, cancel: CancelToken);
                var result = LedgerCopy.Copy(source, destination);
                WriteVerbose($"Copied from '{path}' to {destination.Location}: {result.Sends} sends, {result.CampaignRows} campaign rows, {result.Fingerprints} fingerprints, {result.Alerts} alerts, {result.Accounts} policies, {result.Pacing} paces (rows copied before are not copied again).");
                WriteObject(result);
            }
            catch (LedgerTooNewException e) { ThrowTerminatingError(new ErrorRecord(e, LedgerTooNewException.ErrorId, ErrorCategory.InvalidData, e.Path)); }
            catch (LedgerUnavailableException e) { ThrowTerminatingError(LedgerCmdlet.LedgerError(e)); }
        }
    }
}
