using System;
using System.Management.Automation;
using MailQuota.Core;
using MailQuota.Core.Content;
using MailQuota.Core.Ledger;
using MailQuota.Core.Mail;
using MailQuota.Core.Quota;
using MailQuota.Core.Sending;
using MailQuota.Core.Smtp;
using MimeKit;

namespace MailQuotaPS
{
    /// <summary>
    /// Sends one message per pipeline row, as each row arrives, within the account's quota:
    /// when a window is full it waits (shown in the progress bar) instead of being blocked.
    /// </summary>
    [Cmdlet(VerbsCommunications.Send, "ThrottledMail", SupportsShouldProcess = true)]
    [OutputType(typeof(SendResult))]
    public sealed class SendThrottledMailCommand : CancellableCmdlet
    {
        /// <summary>The row: any object; its properties are the merge fields.</summary>
        [Parameter(ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Email", "EmailAddress", "Mail", "Address")]
        public string? To { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("DisplayName")]
        public string? Name { get; set; }

        [Parameter(Mandatory = true)]
        public string From { get; set; } = "";

        [Parameter(Mandatory = true)]
        public string Subject { get; set; } = "";

        [Parameter]
        public string? Body { get; set; }

        [Parameter]
        public string? HtmlBody { get; set; }

        /// <summary>The SMTP server; $PSEmailServer when omitted.</summary>
        [Parameter]
        public string? SmtpServer { get; set; }

        [Parameter]
        [ValidateRange(0, 65535)]
        public int Port { get; set; }

        [Parameter]
        [Credential]
        public PSCredential? Credential { get; set; }

        [Parameter]
        public SmtpSecurity SecureSocketOptions { get; set; } = SmtpSecurity.Auto;

        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxPerMinute { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxPerHour { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxPerDay { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxRecipientsPerHour { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxRecipientsPerDay { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxRecipientsPerMessage { get; set; }
        [Parameter] public TimeSpan? MinInterval { get; set; }

        /// <summary>Near-identical messages (one template, personalised) allowed per rolling hour; remembered for the account.</summary>
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxNearDuplicatesPerHour { get; set; }

        /// <summary>Near-identical messages allowed per rolling day; remembered for the account.</summary>
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxNearDuplicatesPerDay { get; set; }

        /// <summary>Estimated Jaccard similarity from which two messages are near-identical (default 0.7); remembered for the account.</summary>
        [Parameter, ValidateRange(0.05, 1.0)] public double? SimilarityThreshold { get; set; }

        /// <summary>What to do with a message over a near-duplicate limit: Wait (default) until the window has room, Warn and send, Skip it, or Stop the run.</summary>
        [Parameter] public DuplicateAction DuplicateAction { get; set; } = DuplicateAction.Wait;

        /// <summary>The quota account; the From address when omitted.</summary>
        [Parameter]
        public string? Account { get; set; }

        [Parameter]
        public string? LedgerPath { get; set; }

        MessageTemplate _template = null!;
        string _account = "";
        int _row;
        SqliteLedger? _ledger;
        MailKitTransport? _transport;
        SendSession? _session;
        readonly ProgressRecord _progress = new ProgressRecord(1, "Send-ThrottledMail", "Starting");
        string? _lastWaitReason;
        int _sent;

        protected override void BeginProcessing()
        {
            if (!MailboxAddress.TryParse(From, out var from) || from.Address.IndexOf('@') <= 0)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-From '{From}' is not a valid e-mail address."), "InvalidFrom", ErrorCategory.InvalidArgument, From));
                return;
            }
            try { _template = new MessageTemplate(from, Subject, Body, HtmlBody); }
            catch (ArgumentException e) { ThrowTerminatingError(new ErrorRecord(new ArgumentException("Give -Body, -HtmlBody or both: " + e.Message), "NoBody", ErrorCategory.InvalidArgument, null)); }
            _account = string.IsNullOrWhiteSpace(Account) ? from.Address.ToLowerInvariant() : Account!;
        }

        protected override void ProcessRecord()
        {
            var row = ReadRow(++_row);
            var subject = Subject;
            if (!ShouldProcess(row.Address ?? $"row {row.Number}", $"Send '{subject}' as {_account}"))
            {
                Emit(SendSession.Preview(_template, _account, row), row);
                return;
            }
            var session = _session ??= OpenSession();
            SendResult result;
            try
            {
                result = session.Send(row, CancelToken, ShowWait);
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }
            catch (ContentLimitExceededException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "NearDuplicateLimitExceeded", ErrorCategory.LimitsExceeded, InputObject ?? (object?)row.Address)
                {
                    ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = "Use -DuplicateAction Wait to spread the messages over time, or raise -MaxNearDuplicatesPerHour / -MaxNearDuplicatesPerDay." },
                });
                return;
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException || e is System.IO.IOException || e is MailKit.Security.AuthenticationException || e is MailKit.Security.SslHandshakeException || e is MailKit.ProtocolException || e is MailKit.Net.Smtp.SmtpCommandException)
            {
                ThrowTerminatingError(new ErrorRecord(new InvalidOperationException($"Cannot send through {SmtpSettings()}: {e.Message}", e),
                    "SmtpConnectionFailed", e is MailKit.Security.AuthenticationException ? ErrorCategory.AuthenticationError : ErrorCategory.ConnectionError, SmtpSettings().Host));
                return;
            }
            if (result.Status == RowStatus.Sent) _sent++;
            _progress.StatusDescription = $"{_sent} sent, row {row.Number} {result.Status}: {result.Recipient}";
            _progress.CurrentOperation = null;
            _progress.SecondsRemaining = -1;
            WriteProgress(_progress);
            Emit(result, row);
        }

        protected override void EndProcessing()
        {
            if (_session == null) return;
            _progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(_progress);
        }

        void Emit(SendResult result, MailRow row)
        {
            WriteObject(result);
            if (result.Warning != null) WriteWarning(result.Warning);
            if (result.Status == RowStatus.Invalid)
                WriteError(new ErrorRecord(new ArgumentException($"Row {row.Number}: {result.Reply}"), result.ErrorId ?? "InvalidRow", ErrorCategory.InvalidData, InputObject ?? (object?)row.Address));
            else if (result.Status == RowStatus.Failed || result.Status == RowStatus.Unknown)
                WriteError(new ErrorRecord(new InvalidOperationException($"Row {row.Number} ({result.Recipient}): {result.Status}: {result.Reply}"),
                    result.Status == RowStatus.Failed ? "SendFailed" : "SendOutcomeUnknown", ErrorCategory.InvalidResult, InputObject ?? (object?)row.Address));
        }

        SendSession OpenSession()
        {
            string path;
            try { path = LedgerLocation.Resolve(LedgerPath); }
            catch (LedgerPathException e) { ThrowTerminatingError(new ErrorRecord(e, "LedgerOnNetworkPath", ErrorCategory.InvalidArgument, LedgerPath)); throw; }
            _ledger = new SqliteLedger(path);
            var given = new QuotaPolicy
            {
                MessagesPerMinute = MaxPerMinute,
                MessagesPerHour = MaxPerHour,
                MessagesPerDay = MaxPerDay,
                RecipientsPerHour = MaxRecipientsPerHour,
                RecipientsPerDay = MaxRecipientsPerDay,
                MaxRecipientsPerMessage = MaxRecipientsPerMessage,
                MinInterval = MinInterval,
                NearDuplicatesPerHour = MaxNearDuplicatesPerHour,
                NearDuplicatesPerDay = MaxNearDuplicatesPerDay,
                SimilarityThreshold = SimilarityThreshold,
            };
            var policy = AccountPolicy.Resolve(_ledger, _account, given, SystemClock.Instance.UtcNow, out var source);
            var limits = string.Join(", ", policy.Limits());
            if (source == PolicySource.Default)
                WriteWarning($"No limits are known for account '{_account}': using a conservative default ({limits}). Give -MaxPerMinute, -MaxPerHour, -MaxPerDay for your provider; they are remembered for the account.");
            else
                WriteVerbose($"Account '{_account}' sends under {limits} ({source.ToString().ToLowerInvariant()} policy); ledger {path}.");
            _transport = new MailKitTransport(SmtpSettings());
            return new SendSession(_account, policy, _template, _ledger, _transport, SystemClock.Instance,
                new ContentGuard(_ledger, SystemClock.Instance, policy, DuplicateAction));
        }

        SmtpSettings? _smtp;

        SmtpSettings SmtpSettings()
        {
            if (_smtp != null) return _smtp;
            var host = SmtpServer;
            if (string.IsNullOrWhiteSpace(host)) host = SessionState.PSVariable.GetValue("PSEmailServer") as string;
            if (string.IsNullOrWhiteSpace(host))
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("Give -SmtpServer (or set $PSEmailServer)."), "NoSmtpServer", ErrorCategory.InvalidArgument, null));
            return _smtp = new SmtpSettings(host!, Port, SecureSocketOptions, Credential?.GetNetworkCredential());
        }

        void ShowWait(WaitNotice wait)
        {
            if (wait.Reason != _lastWaitReason)
            {
                _lastWaitReason = wait.Reason;
                var text = $"Row {wait.Row} ({wait.Recipient}) waits {wait.Remaining.TotalSeconds:0} s for the quota: {wait.Reason}; resumes at {wait.Until.ToLocalTime():T}.";
                WriteVerbose(text);
                WriteInformation(new InformationRecord(text, "Send-ThrottledMail") { Tags = { "Wait" } });
            }
            _progress.StatusDescription = $"Waiting for the quota: {wait.Reason}";
            _progress.CurrentOperation = $"Row {wait.Row} ({wait.Recipient}) resumes at {wait.Until.ToLocalTime():T}";
            _progress.SecondsRemaining = (int)Math.Ceiling(Math.Max(0, wait.Remaining.TotalSeconds));
            WriteProgress(_progress);
        }

        /// <summary>The row's address, name and every property (as text) for merge fields.</summary>
        MailRow ReadRow(int number) => PipelineRow.Read(InputObject, number, To, Name);

        public override void Dispose()
        {
            _transport?.Dispose();
            _ledger?.Dispose();
            base.Dispose();
        }
    }
}
