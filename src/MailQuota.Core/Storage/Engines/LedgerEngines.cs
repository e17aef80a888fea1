using System;
using System.IO;
using System.Net;
using System.Threading;
using MailQuota.Core.Storage.Postgres;
using MailQuota.Core.Storage.Sqlite;

namespace MailQuota.Core.Storage.Engines
{
    /// <summary>
    /// The one place the ledger engine is chosen, from what the user gave (a parameter, else
    /// MAILQUOTAPS_LEDGER, else the per-user file): a PostgreSQL connection string or postgresql://
    /// URI opens the fleet ledger; anything else is the path of a SQLite ledger file.
    /// </summary>
    public static class LedgerEngines
    {
        /// <summary>True when the chosen ledger is a PostgreSQL database.</summary>
        public static bool IsPostgres(string? given) => PostgresTarget.IsPostgres(LedgerLocation.Chosen(given));

        /// <summary>
        /// Opens the chosen ledger. Throws <see cref="LedgerPathException"/> for a file on a network path,
        /// <see cref="ArgumentException"/> for a connection that cannot be read (or carries a password, or
        /// a credential given for a file), <see cref="LedgerUnavailableException"/> and <see cref="LedgerTooNewException"/>.
        /// </summary>
        public static ILedgerStores Open(string? given, NetworkCredential? credential = null, CancellationToken cancel = default)
        {
            var chosen = LedgerLocation.Chosen(given);
            if (PostgresTarget.IsPostgres(chosen)) return new PostgresLedger(PostgresTarget.Parse(chosen, credential), cancel: cancel);
            if (credential != null)
                throw new ArgumentException("A ledger credential is for a PostgreSQL ledger; the ledger given is a file, which needs none.");
            return new SqliteLedger(LedgerLocation.Resolve(chosen));
        }

        /// <summary>True when there is a ledger to read: a file that exists, or a database server (which is asked when opened).</summary>
        public static bool Exists(string? given)
        {
            var chosen = LedgerLocation.Chosen(given);
            return PostgresTarget.IsPostgres(chosen) || File.Exists(LedgerLocation.Resolve(chosen));
        }
    }
}
