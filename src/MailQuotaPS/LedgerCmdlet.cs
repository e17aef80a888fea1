using System;
using System.Management.Automation;
using MailQuota.Core.Profiles;
using MailQuota.Core.Storage;
using MailQuota.Core.Storage.Engines;
using MailQuota.Core.Storage.Sqlite;
using MailQuota.Core.Time;

namespace MailQuotaPS
{
    /// <summary>A cmdlet that reads or writes the ledger: owns -LedgerPath and -LedgerCredential, and opens the ledger with its errors as ErrorRecords.</summary>
    public abstract class LedgerCmdlet : CancellableCmdlet
    {
        /// <summary>The ledger: a file path (SQLite), or a PostgreSQL connection string or postgresql:// URI; $env:MAILQUOTAPS_LEDGER or the per-user file when omitted.</summary>
        [Parameter]
        public string? LedgerPath { get; set; }

        /// <summary>The user name and password for a PostgreSQL ledger (else PGPASSWORD or .pgpass).</summary>
        [Parameter]
        [Credential]
        public PSCredential? LedgerCredential { get; set; }

        /// <summary>
        /// Opens the ledger the user chose (the engine is chosen in one place, <see cref="LedgerEngines"/>);
        /// a terminating error when it is on a network path (LedgerOnNetworkPath), the connection cannot be
        /// read (LedgerConnectionInvalid), it is busy (LedgerBusy), unreachable (LedgerUnavailable), no
        /// readable ledger (LedgerUnreadable) or written by a newer module (LedgerTooNew). Sets <see cref="LedgerClock"/>.
        /// </summary>
        protected ILedgerStores OpenLedger()
        {
            ILedgerStores ledger;
            try { ledger = LedgerEngines.Open(LedgerPath, LedgerCredential?.GetNetworkCredential(), CancelToken); }
            catch (LedgerPathException e) { ThrowTerminatingError(new ErrorRecord(e, "LedgerOnNetworkPath", ErrorCategory.InvalidArgument, LedgerPath)); throw; }
            catch (ArgumentException e) { ThrowTerminatingError(new ErrorRecord(e, "LedgerConnectionInvalid", ErrorCategory.InvalidArgument, null)); throw; }
            catch (LedgerTooNewException e) { ThrowTerminatingError(new ErrorRecord(e, LedgerTooNewException.ErrorId, ErrorCategory.InvalidData, e.Path)); throw; }
            catch (LedgerUnavailableException e) { ThrowTerminatingError(LedgerError(e)); throw; }
            try { LedgerClock = ledger.ClockFor(HostClock.Instance); }
            catch (LedgerUnavailableException e) { ledger.Dispose(); ThrowTerminatingError(LedgerError(e)); throw; }
            return ledger;
        }

        /// <summary>The clock the ledger's windows are kept by (the database server's for a shared ledger); set by <see cref="OpenLedger"/>.</summary>
        protected IClock LedgerClock { get; private set; } = HostClock.Instance;

        /// <summary>True when there is a ledger to read (a file that exists, or a database); a terminating error for a network path.</summary>
        protected bool LedgerExists()
        {
            try { return LedgerEngines.Exists(LedgerPath); }
            catch (LedgerPathException e) { ThrowTerminatingError(new ErrorRecord(e, "LedgerOnNetworkPath", ErrorCategory.InvalidArgument, LedgerPath)); throw; }
        }

        /// <summary>LedgerBusy, LedgerUnreadable or LedgerUnavailable, naming the ledger's path or server.</summary>
        protected internal static ErrorRecord LedgerError(LedgerUnavailableException e) =>
            new ErrorRecord(e, e.ErrorId, e.ErrorId == "LedgerBusy" ? ErrorCategory.ResourceBusy
                : e.ErrorId == "LedgerUnavailable" ? ErrorCategory.ConnectionError : ErrorCategory.InvalidData, e.Path);
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
