using System;
using System.Collections.Generic;

namespace MailQuota.Core.Monitoring
{
    /// <summary>The ledger's sends read as an audit log, oldest first, and trimmed for retention.</summary>
    public interface ISendLog
    {
        /// <summary>Streams the matching sends; the rows are read as the caller enumerates.</summary>
        IEnumerable<SendLogEntry> ReadSendLog(SendLogQuery query);

        /// <summary>How many sends were reserved before <paramref name="before"/>.</summary>
        int CountSendLogBefore(DateTimeOffset before);

        /// <summary>Deletes the sends reserved before <paramref name="before"/>; returns how many.</summary>
        int ClearSendLog(DateTimeOffset before);
    }
}
