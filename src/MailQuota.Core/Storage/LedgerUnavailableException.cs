using System;

namespace MailQuota.Core.Storage
{
    /// <summary>
    /// The ledger cannot be used: another process holds it past the busy timeout (<see cref="Busy"/>),
    /// or the path is no ledger that can be read: a directory, a text file, a corrupt file, another
    /// program's database (<see cref="Unreadable"/>). The message names the path.
    /// </summary>
    public sealed class LedgerUnavailableException : Exception
    {
        LedgerUnavailableException(string errorId, string path, string message, Exception? inner) : base(message, inner)
        {
            ErrorId = errorId; Path = path;
        }

        /// <summary>The stable identifier of this error (the cmdlets' ErrorRecord id): LedgerBusy or LedgerUnreadable.</summary>
        public string ErrorId { get; }
        public string Path { get; }

        public static LedgerUnavailableException Busy(string path, Exception? inner) =>
            new LedgerUnavailableException("LedgerBusy", path,
                $"The ledger '{path}' is busy: another process kept it locked longer than the wait allows. Try again when that run has finished.", inner);

        public static LedgerUnavailableException Unreadable(string path, string why, Exception? inner) =>
            new LedgerUnavailableException("LedgerUnreadable", path,
                $"'{path}' cannot be used as a MailQuotaPS ledger: {why}. Give the path of a ledger file, or of a new file to create.", inner);
    }
}
