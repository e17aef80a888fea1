using System.Linq;
using System.Management.Automation;
using MailQuota.Core.Monitoring;
using MailQuota.Core.Profiles;
using MailQuota.Core.Quota;
using MailQuota.Core.Time;

namespace MailQuotaPS
{
    /// <summary>
    /// Shows each window of an account's quota: limit, used, remaining and when it frees up, and how
    /// the account is held back after the server pushed back (Held: a reduced pace, a cool-down, or a
    /// suspension until a quota resets). Open volume alerts of an account are written as warnings and
    /// attached to its rows (Alerts).
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "SendQuota")]
    [OutputType(typeof(QuotaUsage))]
    public sealed class GetSendQuotaCommand : ProfileLedgerCmdlet
    {
        /// <summary>Accounts to show; all accounts in the ledger when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        public string[]? Account { get; set; }

        protected override void ProcessRecord()
        {
            var profile = FindProfile();

            using var ledger = OpenLedger();
            var gate = new QuotaGate(ledger, LedgerClock);
            var known = ledger.Accounts();
            foreach (var pattern in Account ?? new[] { "*" })
            {
                var wildcard = WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase);
                var matched = false;
                foreach (var account in known)
                {
                    if (!wildcard.IsMatch(account)) continue;
                    matched = true;
                    var policy = profile?.Policy ?? ledger.GetPolicy(account);
                    if (policy != null) WriteWindows(gate, ledger, ledger, account, policy);
                }
                if (matched || WildcardPattern.ContainsWildcardCharacters(pattern)) continue;
                if (profile != null)
                    WriteWindows(gate, ledger, ledger, pattern, profile.Policy); // an account that has sent nothing yet: the whole profile is left
                else
                    WriteError(new ErrorRecord(new ItemNotFoundException($"The ledger {ledger.Location} has no account '{pattern}'."),
                        "AccountNotFound", ErrorCategory.ObjectNotFound, pattern));
            }
        }

        /// <summary>The account's windows, each with the open alerts that concern it (the account's own, or that window's).</summary>
        void WriteWindows(QuotaGate gate, IAlertStore alerts, IPacingStore pacing, string account, QuotaPolicy policy)
        {
            var now = LedgerClock.UtcNow;
            var state = pacing.GetPacing(account);
            var held = state?.Describe(now);
            if (state != null && state.IsSuspendedAt(now))
                WriteWarning($"Account '{account}' is suspended until {state.SuspendedUntil!.Value.LocalDateTime:yyyy-MM-dd HH:mm:ss}: {state.Reason}");
            var open = alerts.OpenAlerts(account, now);
            foreach (var alert in open)
                WriteWarning($"Open alert since {alert.RaisedAt.LocalDateTime:yyyy-MM-dd HH:mm}: {alert.Message}");
            foreach (var usage in gate.Usage(account, policy))
            {
                var row = PSObject.AsPSObject(usage);
                var scope = $"{usage.Window} {usage.Unit}";
                row.Properties.Add(new PSNoteProperty("Held", held));
                row.Properties.Add(new PSNoteProperty("Alerts", open.Where(a => a.Scope.Length == 0 || a.Scope == scope).ToArray()));
                WriteObject(row);
            }
        }
    }
}
