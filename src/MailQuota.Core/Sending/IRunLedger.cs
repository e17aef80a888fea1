using MailQuota.Core.Campaigns;
using MailQuota.Core.Content;
using MailQuota.Core.Monitoring;
using MailQuota.Core.Quota;

namespace MailQuota.Core.Sending
{
    /// <summary>The stores a run uses, as one ledger engine offers them.</summary>
    public interface IRunLedger : ILedger, IPacingStore, ICampaignStore, IFingerprintStore, IAlertStore, IVolumeHistory
    {
        /// <summary>
        /// Another connection to the same ledger, for another thread: the run's connections record the
        /// server's go-ahead on it while the run's own thread reserves the next message. The caller disposes it.
        /// </summary>
        IRunLedger OpenAnother();
    }
}
