using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using MailQuota.Core.Content;
using MailQuota.Core.Mail;
using MailQuota.Core.Monitoring;
using MailQuota.Core.Quota;
using MailQuota.Core.Smtp;
using MailQuota.Core.Time;

namespace MailQuota.Core.Sending
{
    /// <summary>
    /// One run for one account, built from a <see cref="SendRequest"/> by <see cref="Create"/>: takes
    /// rows and gives back their results, checks the account's volume after every message handed to
    /// the server, and tells the caller of waits and alerts through its events.
    /// </summary>
    public sealed class SendRun : IDisposable
    {
        readonly SendSession _session;
        readonly VolumeMonitor _monitor;
        readonly IReadOnlyList<IMailTransport> _transports;

        SendRun(SendRequest request, string account, QuotaPolicy policy, PolicySource source, PacingState? pacing,
            SendSession session, VolumeMonitor monitor, IReadOnlyList<IMailTransport> transports)
        {
            Request = request; Account = account; Policy = policy; PolicySource = source; PacingAtStart = pacing;
            _session = session; _monitor = monitor; _transports = transports;
        }

        /// <summary>
        /// Builds the run: the account and campaign keys, the policy (given limits over the profile's or
        /// the remembered ones, else a conservative default; remembered for the account), the content
        /// guard, the volume monitor and one transport per connection (<see cref="SendRequest.MaxConnections"/>).
        /// Throws <see cref="ArgumentException"/> when the batching cannot work with the template or the policy.
        /// </summary>
        /// <param name="transports">Makes the transport of each connection (tests); MailKit over the request's SMTP settings when null.</param>
        public static SendRun Create(SendRequest request, IRunLedger ledger, IClock clock, Func<IMailTransport>? transports = null)
        {
            var account = request.AccountKey;
            request.Options.Campaign = request.CampaignKey;
            var policy = AccountPolicy.Resolve(ledger, account, request.Limits, clock.UtcNow, out var source, request.ProfileLimits);
            var guard = new ContentGuard(ledger, clock, policy, request.DuplicateAction);
            transports ??= () => new MailKitTransport(request.Smtp, request.Authenticator);
            var connections = Enumerable.Range(0, request.MaxConnections).Select(_ => transports()).ToList();
            IRunLedger? handovers = null;
            try
            {
                handovers = ledger.OpenAnother();
                var session = new SendSession(account, policy, request.Template, ledger, ledger, ledger, connections, clock, request.Options, guard, handovers);
                return new SendRun(request, account, policy, source, ledger.GetPacing(account), session, new VolumeMonitor(ledger, ledger, ledger, clock), connections);
            }
            catch
            {
                foreach (var transport in connections) transport.Dispose();
                handovers?.Dispose();
                throw;
            }
        }

        public SendRequest Request { get; }
        public string Account { get; }
        public string Campaign => Request.CampaignKey;
        public QuotaPolicy Policy { get; }
        public PolicySource PolicySource { get; }

        /// <summary>How the account was held back when the run began (null: it was not).</summary>
        public PacingState? PacingAtStart { get; }

        /// <summary>Set when the server refused content or the account: nothing more may be sent in this run.</summary>
        public RunStop? Stopped => _session.Stopped;

        /// <summary>Connections the run may still use: fewer than it opened once the server refused one as too many.</summary>
        public int Connections => _session.Connections;

        /// <summary>A message waits (for the quota, the pace, a near-duplicate limit or a retry): once per tick of the wait.</summary>
        public event Action<WaitNotice>? Waiting;

        /// <summary>A volume alert was raised for the account (once per open alert, across processes).</summary>
        public event Action<SendAlert>? AlertRaised;

        /// <summary>Takes one row; returns the results that are final now (see <see cref="SendSession.Add"/>).</summary>
        public IReadOnlyList<SendResult> Add(MailRow row, CancellationToken cancellationToken) =>
            Checked(_session.Add(row, cancellationToken, OnWait));

        /// <summary>Sends what is still gathered for a Bcc batch (at the end of the input) and waits for every message on its way.</summary>
        public IReadOnlyList<SendResult> Flush(CancellationToken cancellationToken) =>
            Checked(_session.Flush(cancellationToken, OnWait));

        /// <summary>The results final now that no call has returned yet: after a failure ended the run (an exception), those of the rows finished before it.</summary>
        public IReadOnlyList<SendResult> TakeFinished() => _session.TakeFinished();

        void OnWait(WaitNotice notice) => Waiting?.Invoke(notice);

        /// <summary>
        /// One volume check after messages handed to the server (a Bcc batch is one message). The
        /// server's refusals are tallied only when some came back (a retried or refused message): the
        /// tally reads the whole hour, the other checks a few index seeks.
        /// </summary>
        IReadOnlyList<SendResult> Checked(IReadOnlyList<SendResult> results)
        {
            if (results.Any(r => r.Status == RowStatus.Sent || r.Status == RowStatus.Failed || r.Status == RowStatus.Unknown))
            {
                var refusals = results.Any(r => r.Attempts > 1 || r.Status == RowStatus.Failed || r.Status == RowStatus.Unknown || r.Status == RowStatus.Deferred);
                foreach (var alert in _monitor.Check(Account, Policy, refusals)) AlertRaised?.Invoke(alert);
            }
            return results;
        }

        public void Dispose()
        {
            _session.Dispose();
            foreach (var transport in _transports) transport.Dispose();
        }
    }
}
