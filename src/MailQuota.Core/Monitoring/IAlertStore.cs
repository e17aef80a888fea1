using System;
using System.Collections.Generic;
using MailQuota.Core.Monitoring;

namespace MailQuota.Core.Monitoring
{
    /// <summary>The alerts raised about accounts, shared by every process that uses the ledger.</summary>
    public interface IAlertStore
    {
        /// <summary>
        /// Records the alert unless one of the same account, kind and scope is still open at its
        /// <see cref="SendAlert.RaisedAt"/>, atomically across processes. Returns true when recorded;
        /// <paramref name="openUntil"/> is when the open alert of that condition (new or old) closes.
        /// </summary>
        bool TryRaise(SendAlert alert, out DateTimeOffset openUntil);

        /// <summary>Alerts still open at <paramref name="now"/>, of one account or all, oldest first.</summary>
        IReadOnlyList<SendAlert> OpenAlerts(string? account, DateTimeOffset now);

        /// <summary>Deletes the alerts that closed before <paramref name="before"/>; returns how many.</summary>
        int ClearAlerts(DateTimeOffset before);
    }
}
