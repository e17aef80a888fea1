using System;

namespace MailQuota.Core.Storage
{
    /// <summary>
    /// The ledger cannot be used: another process holds it past the busy timeout (<see cref="Busy"/>),
    /// or the path is no ledger that can be read: a directory, a text file, a corrupt file, another
    /// program's database (<see cref="Unreadable"/>), or a ledger server cannot be reached or refuses
    /// the sign-in (<see cref="Unreachable"/>). The message names the path or the server, never a password.
    /// </summary>
    public sealed class LedgerUnavailableException : Exception
    {
        LedgerUnavailableException(string errorId, string path, string message, Exception? inner) : base(message, inner)
        {
            ErrorId = errorId; Path = path;
        }

        /// <summary>The stable identifier of this error (the cmdlets' ErrorRecord id): LedgerBusy, LedgerUnreadable or LedgerUnavailable.</summary>
        public string ErrorId { get; }
        public string Path { get; }

        public static LedgerUnavailableException Busy(string path, Exception? inner) =>
            new LedgerUnavailableException("LedgerBusy", path,
                $"The ledger '{path}' is busy: another process kept it locked longer than the wait allows. Try again when that run has finished.", inner);

        /// <summary>The ledger's database server cannot be reached, went away, or refused the sign-in.</summary>
        public static LedgerUnavailableException Unreachable(string server, string why, Exception? inner) =>
            new LedgerUnavailableException("LedgerUnavailable", server,
                $"The ledger database {server} cannot be used: {why}. Check that the server runs and accepts this user; rows not yet sent were not sent, and a rerun of the same command skips the rows already sent.", inner);

        public static LedgerUnavailableException Unreadable(string path, string why, Exception? inner) =>
            new LedgerUnavailableException("LedgerUnreadable", path,
                $"'{path}' cannot be used as a MailQuotaPS ledger: {why}. Give the path of a ledger file, or of a new file to create.", inner);
    }
}
