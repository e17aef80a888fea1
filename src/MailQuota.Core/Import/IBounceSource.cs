using System.Collections.Generic;
using MailQuota.Core.Smtp;

namespace MailQuota.Core.Import
{
    /// <summary>
    /// Recipients whose mailbox does not exist, as learnt from the servers' replies: what a
    /// suppression list should drop. Implemented by each ledger backend.
    /// </summary>
    public interface IBounceSource
    {
        /// <summary>
        /// Every recipient whose latest failed send was a hard bounce (see <see cref="HardBounce"/>)
        /// and that nothing was delivered to since; each address once (case ignored).
        /// </summary>
        IEnumerable<string> HardBouncedRecipients();
    }
}
