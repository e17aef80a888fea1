using System;

namespace MailQuota.Core.Storage
{
    /// <summary>
    /// The ledger was written by a newer module (its schema version is above what this one knows). It is
    /// refused, never rewritten: an older module could not keep the newer one's rules.
    /// </summary>
    public sealed class LedgerTooNewException : Exception
    {
        /// <summary>The stable identifier of this error (the cmdlets' ErrorRecord id).</summary>
        public const string ErrorId = "LedgerTooNew";

        public LedgerTooNewException(string path, long foundVersion, long knownVersion)
            : base($"The ledger '{path}' was written by a newer version of MailQuotaPS (schema version {foundVersion}; this version knows up to {knownVersion}). "
                + "Update the module, or keep this version on a ledger of its own; the ledger was left as it is.")
        {
            Path = path; FoundVersion = foundVersion; KnownVersion = knownVersion;
        }

        public string Path { get; }
        public long FoundVersion { get; }
        public long KnownVersion { get; }
    }
}
