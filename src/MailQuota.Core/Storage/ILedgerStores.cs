using MailQuota.Core.Import;
using MailQuota.Core.Monitoring;
using MailQuota.Core.Sending;
using MailQuota.Core.Time;

namespace MailQuota.Core.Storage
{
    /// <summary>Every store one ledger engine offers (SQLite on one host, PostgreSQL for a fleet).</summary>
    public interface ILedgerStores : IRunLedger, ISendLog, IBounceSource
    {
        /// <summary>Where the ledger is, for messages: a file path, or the server and database (never a password).</summary>
        string Location { get; }

        /// <summary>
        /// The clock a run on this ledger decides by: the host's own for a ledger on this host; for a
        /// ledger shared by hosts, the database server's (the host's clock corrected by the measured
        /// difference), so every host waits on the one clock the reservations are stamped with.
        /// </summary>
        IClock ClockFor(IClock hostClock);
    }
}
