using System;
using System.Management.Automation;
using System.Threading;

namespace MailQuotaPS
{
    /// <summary>A cmdlet whose waits and network calls stop at Ctrl+C (StopProcessing cancels the token).</summary>
    public abstract class CancellableCmdlet : PSCmdlet, IDisposable
    {
        readonly CancellationTokenSource _cancel = new CancellationTokenSource();

        protected CancellationToken CancelToken => _cancel.Token;

        protected override void StopProcessing() => _cancel.Cancel();

        public virtual void Dispose() => _cancel.Dispose();
    }
}
