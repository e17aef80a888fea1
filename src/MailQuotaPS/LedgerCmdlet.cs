using System.Management.Automation;
using MailQuota.Core.Profiles;
using MailQuota.Core.Storage;
using MailQuota.Core.Storage.Sqlite;

namespace MailQuotaPS
{
    /// <summary>A cmdlet that reads or writes the ledger: owns -LedgerPath, and opens the ledger with its errors as ErrorRecords.</summary>
    public abstract class LedgerCmdlet : CancellableCmdlet
    {
        /// <summary>The ledger file; $env:MAILQUOTAPS_LEDGER or the per-user default when omitted.</summary>
        [Parameter]
        public string? LedgerPath { get; set; }

        /// <summary>The ledger's full path; a terminating LedgerOnNetworkPath error for a network path.</summary>
        protected string ResolveLedgerPath()
        {
            try { return LedgerLocation.Resolve(LedgerPath); }
            catch (LedgerPathException e) { ThrowTerminatingError(new ErrorRecord(e, "LedgerOnNetworkPath", ErrorCategory.InvalidArgument, LedgerPath)); throw; }
        }

        /// <summary>Opens the ledger at <paramref name="path"/>; a terminating error naming it when it is busy (LedgerBusy), no readable ledger (LedgerUnreadable) or written by a newer module (LedgerTooNew).</summary>
        protected SqliteLedger OpenLedger(string path)
        {
            try { return new SqliteLedger(path); }
            catch (LedgerTooNewException e) { ThrowTerminatingError(new ErrorRecord(e, LedgerTooNewException.ErrorId, ErrorCategory.InvalidData, path)); throw; }
            catch (LedgerUnavailableException e) { ThrowTerminatingError(LedgerError(e)); throw; }
        }

        protected SqliteLedger OpenLedger() => OpenLedger(ResolveLedgerPath());

        /// <summary>LedgerBusy or LedgerUnreadable, naming the ledger's path.</summary>
        protected static ErrorRecord LedgerError(LedgerUnavailableException e) =>
            new ErrorRecord(e, e.ErrorId, e.ErrorId == "LedgerBusy" ? ErrorCategory.ResourceBusy : ErrorCategory.InvalidData, e.Path);
    }

    /// <summary>A ledger cmdlet that can work under a provider profile: owns -Profile and -ProfilePath.</summary>
    public abstract class ProfileLedgerCmdlet : LedgerCmdlet
    {
        /// <summary>A provider profile (Get-SendProfile).</summary>
        [Parameter]
        [ArgumentCompleter(typeof(SendProfileCompleter))]
        public string? Profile { get; set; }

        /// <summary>The user's profile file; $env:MAILQUOTAPS_PROFILES or the user's configuration folder when omitted.</summary>
        [Parameter]
        public string? ProfilePath { get; set; }

        /// <summary>The profile given by -Profile, null without one; a terminating error when it cannot be had.</summary>
        protected SendProfile? FindProfile() => Profile == null ? null : ProfileErrors.Find(this, Profile, ProfilePath);
    }
}
