using System.Management.Automation;
using MailQuota.Core;
using MailQuota.Core.Ledger;
using MailQuota.Core.Quota;

namespace MailQuotaPS
{
    /// <summary>Shows each window of an account's quota: limit, used, remaining and when it frees up.</summary>
    [Cmdlet(VerbsCommon.Get, "SendQuota")]
    [OutputType(typeof(QuotaUsage))]
    public sealed class GetSendQuotaCommand : PSCmdlet
    {
        /// <summary>Accounts to show; all accounts in the ledger when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        public string[]? Account { get; set; }

        [Parameter]
        public string? LedgerPath { get; set; }

        protected override void ProcessRecord()
        {
            string path;
            try { path = LedgerLocation.Resolve(LedgerPath); }
            catch (LedgerPathException e) { ThrowTerminatingError(new ErrorRecord(e, "LedgerOnNetworkPath", ErrorCategory.InvalidArgument, LedgerPath)); return; }

            using var ledger = new SqliteLedger(path);
            var gate = new QuotaGate(ledger, SystemClock.Instance);
            var known = ledger.Accounts();
            foreach (var pattern in Account ?? new[] { "*" })
            {
                var wildcard = WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase);
                var matched = false;
                foreach (var account in known)
                {
                    if (!wildcard.IsMatch(account)) continue;
                    matched = true;
                    var policy = ledger.GetPolicy(account);
                    if (policy == null) continue;
                    foreach (var usage in gate.Usage(account, policy)) WriteObject(usage);
                }
                if (!matched && !WildcardPattern.ContainsWildcardCharacters(pattern))
                    WriteError(new ErrorRecord(new ItemNotFoundException($"The ledger '{path}' has no account '{pattern}'."),
                        "AccountNotFound", ErrorCategory.ObjectNotFound, pattern));
            }
        }
    }
}
