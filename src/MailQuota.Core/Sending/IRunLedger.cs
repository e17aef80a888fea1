using MailQuota.Core.Campaigns;
using MailQuota.Core.Content;
using MailQuota.Core.Monitoring;
using MailQuota.Core.Quota;

namespace MailQuota.Core.Sending
{
    /// <summary>The stores a run uses, as one ledger engine offers them.</summary>
    public interface IRunLedger : ILedger, IPacingStore, ICampaignStore, IFingerprintStore, IAlertStore, IVolumeHistory
    {
    }
}
