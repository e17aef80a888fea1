using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using MailQuota.Core.Auth;
using MailQuota.Core.Campaigns;
using MailQuota.Core.Content;
using MailQuota.Core.Mail;
using MailQuota.Core.Monitoring;
using MailQuota.Core.Profiles;
using MailQuota.Core.Quota;
using MailQuota.Core.Sending;
using MailQuota.Core.Smtp;
using MailQuota.Core.Storage;
using MailQuota.Core.Time;

namespace MailQuotaPS
{
    /// <summary>
    /// Sends one message per pipeline row, as each row arrives, within the account's quota:
    /// when a window is full it waits (shown in the progress bar) instead of being blocked.
    /// </summary>
    [Cmdlet(VerbsCommunications.Send, "ThrottledMail", SupportsShouldProcess = true)]
    [OutputType(typeof(SendResult))]
    public sealed class SendThrottledMailCommand : ProfileLedgerCmdlet
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

        /// <summary>Log in with -Credential even over a connection that is not encrypted (a relay on this host). Without it such a login is refused before the password is sent.</summary>
        [Parameter]
        public SwitchParameter AllowUnencryptedAuthentication { get; set; }

        [Parameter]
        public SmtpSecurity SecureSocketOptions { get; set; } = SmtpSecurity.Auto;

        /// <summary>The client secret of the profile's Entra app (app-only sign-in without a certificate) or Google OAuth client (GoogleUser).</summary>
        [Parameter]
        public System.Security.SecureString? ClientSecret { get; set; }

        /// <summary>The password of the profile's certificate file (-CertificatePath in the profile).</summary>
        [Parameter]
        public System.Security.SecureString? CertificatePassword { get; set; }

        /// <summary>A profile that signs in as a user (EntraUser): when no saved sign-in works, show a device code to sign in with.</summary>
        [Parameter]
        public SwitchParameter DeviceCode { get; set; }

        /// <summary>A profile that signs in as a Google user (GoogleUser): when no saved sign-in works, show an address to open in a browser, which returns to a loopback address on this computer.</summary>
        [Parameter]
        public SwitchParameter BrowserSignIn { get; set; }

        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxPerMinute { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxPerHour { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxPerDay { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxRecipientsPerHour { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxRecipientsPerDay { get; set; }
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxRecipientsPerMessage { get; set; }
        [ValidateNonNegativeTimeSpan]
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

        /// <summary>Copy recipients, comma-separated; may hold merge fields. They count against the quota.</summary>
        [Parameter]
        public string? Cc { get; set; }

        /// <summary>The Reply-To address; may hold merge fields.</summary>
        [Parameter]
        public string? ReplyTo { get; set; }

        /// <summary>Files to attach; paths may hold merge fields (e.g. 'payslips/{{EmployeeId}}.pdf'), relative ones are from the current location.</summary>
        [Parameter]
        public string[]? Attachment { get; set; }

        /// <summary>Let the rows' values name attachments anywhere. Without it a path filled in by a row must stay inside the folder the -Attachment text names (a cell with an absolute path or '..' makes the row Invalid).</summary>
        [Parameter]
        public SwitchParameter AllowAnyAttachmentPath { get; set; }

        /// <summary>Custom headers, name = value; values may hold merge fields; a line break in a value refuses the row.</summary>
        [Parameter]
        public Hashtable? Header { get; set; }

        /// <summary>The List-Unsubscribe header, e.g. '&lt;mailto:unsubscribe@contoso.com?subject={{Email}}&gt;'.</summary>
        [Parameter]
        public string? ListUnsubscribe { get; set; }

        /// <summary>Rows per message, sent as Bcc (at most the account's maximum recipients per message); no merge fields then.</summary>
        [Parameter, ValidateRange(1, 10000)]
        public int RecipientsPerMessage { get; set; } = 1;

        /// <summary>What the To header shows on a message to several rows; the From address when omitted.</summary>
        [Parameter]
        public string? UndisclosedTo { get; set; }

        /// <summary>Pause for -BatchDelay after every this many messages.</summary>
        [Parameter, ValidateRange(1, int.MaxValue)]
        public int? BatchSize { get; set; }

        /// <summary>The pause after every -BatchSize messages, e.g. ([TimeSpan]'0:5:0').</summary>
        [Parameter]
        [ValidateNonNegativeTimeSpan]
        public TimeSpan BatchDelay { get; set; }

        /// <summary>The campaign: a rerun with the same one skips rows already sent. Derived from the account and the templates when omitted.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? CampaignId { get; set; }

        /// <summary>Send again rows whose earlier message has an unknown outcome (the process died, or the connection broke, after the server said go ahead with the data). Rows a killed process never handed over are sent again without it.</summary>
        [Parameter]
        public SwitchParameter RetryUnknown { get; set; }

        /// <summary>The longest a row waits for the quota; past it the remaining rows come out Deferred for a later rerun.</summary>
        [Parameter]
        [ValidateNonNegativeTimeSpan]
        public TimeSpan? MaxWait { get; set; }

        /// <summary>SMTP attempts per message when the server fails temporarily. A throttled message is tried again with growing pauses for up to 15 minutes, however many attempts that takes.</summary>
        [Parameter, ValidateRange(1, 20)]
        public int MaxAttempts { get; set; } = 5;

        /// <summary>
        /// SMTP connections to open at once, each carrying one message at a time (1 to 32). They share the
        /// account's quota and pace; the profile's documented concurrency (Exchange Online: 3) when omitted, else 1.
        /// </summary>
        [Parameter, ValidateRange(1, SendProfile.MaxConnectionsAllowed)]
        public int? MaxConnections { get; set; }

        /// <summary>Runs once for each volume alert raised during the run, with the alert as $_ (its output is discarded).</summary>
        [Parameter]
        public ScriptBlock? OnAlert { get; set; }

        MessageTemplate _template = null!;
        SendSettings _settings = null!;
        string _account = "";
        string _campaign = "";
        SendSummary _summary = null!;
        readonly Dictionary<int, object?> _targets = new Dictionary<int, object?>();
        int _row;
        ILedgerStores? _ledger;
        SendRun? _run;
        string _sender = "";
        SendProgress _progress = null!;
        int _connections;
        int _pipelineThread;
        readonly ConcurrentQueue<string> _laterVerbose = new ConcurrentQueue<string>();


        protected override void BeginProcessing()
        {
            _pipelineThread = Thread.CurrentThread.ManagedThreadId;
            _progress = new SendProgress(this);
            if (!MailAddressRule.TryParseAddress(From, out var from))
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-From '{From}' is not a valid e-mail address."), "InvalidFrom", ErrorCategory.InvalidArgument, From));
                return;
            }
            try { _template = new MessageTemplate(From, Subject, Body, HtmlBody); }
            catch (ArgumentException e) { ThrowTerminatingError(new ErrorRecord(new ArgumentException("Give -Body, -HtmlBody or both: " + e.Message), "NoBody", ErrorCategory.InvalidArgument, null)); }
            _template.Cc = Cc == null ? null : new MergeTemplate(Cc);
            _template.ReplyTo = ReplyTo == null ? null : new MergeTemplate(ReplyTo);
            _template.ListUnsubscribe = ListUnsubscribe == null ? null : new MergeTemplate(ListUnsubscribe);
            _template.Attachments = (Attachment ?? new string[0]).Select(a => new MergeTemplate(a)).ToList();
            _template.AttachmentFolder = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
            _template.AllowAnyAttachmentPath = AllowAnyAttachmentPath;
            if (UndisclosedTo != null)
            {
                if (!MailAddressRule.TryParseAddress(UndisclosedTo, out _))
                    ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-UndisclosedTo '{UndisclosedTo}' is not a valid e-mail address."), "InvalidUndisclosedTo", ErrorCategory.InvalidArgument, UndisclosedTo));
                _template.SetUndisclosedTo(UndisclosedTo);
            }
            try
            {
                if (Header != null)
                    _template.SetHeaders(Header.Cast<DictionaryEntry>().Select(e => new KeyValuePair<string, string?>(e.Key?.ToString() ?? "", PipelineRow.AsText(e.Value))));
            }
            catch (ArgumentException e) { ThrowTerminatingError(new ErrorRecord(e, "InvalidHeader", ErrorCategory.InvalidArgument, Header)); }
            try { SendSession.CheckBatching(_template, null, RecipientsPerMessage); }
            catch (ArgumentException e) { ThrowTerminatingError(new ErrorRecord(e, "InvalidBatching", ErrorCategory.InvalidArgument, RecipientsPerMessage)); }
            _sender = from;
            _settings = ResolveSettings();
            _account = SendingAccount.Key(Account, from, Login(), CountsPer());
            _campaign = CampaignId ?? CampaignKey.Derive(_account, _template);
            _summary = new SendSummary(_account, _campaign);
        }

        /// <summary>The user name the run signs in as: the sending mailbox with the profile's OAuth 2.0 sign-in, else the credential's.</summary>
        string? Login() => SignsInWithOAuth(out _) ? _sender : Credential?.UserName;

        CountedPer CountsPer() => _settings.Profile?.CountsPer ?? CountedPer.Sender;

        bool SignsInWithOAuth(out SignInSettings signIn)
        {
            signIn = _settings.Profile?.SignIn!;
            return signIn != null && signIn.Method != SignInMethod.None;
        }

        /// <summary>The profile's server, port and TLS with every explicitly given value on top (a bad profile name stops the run before any row).</summary>
        SendSettings ResolveSettings()
        {
            var profile = FindProfile();
            if (profile != null)
            {
                WriteVerbose($"Profile {profile.Name}: {profile.SmtpServer}:{profile.Port} ({profile.SecureSocketOptions}), {profile.Limits}; source {profile.Source}, checked {profile.CheckedOn:yyyy-MM-dd}.");
            }
            var security = MyInvocation.BoundParameters.ContainsKey(nameof(SecureSocketOptions)) ? SecureSocketOptions : (SmtpSecurity?)null;
            return SendSettings.Resolve(profile, SmtpServer, Port, security);
        }

        protected override void ProcessRecord()
        {
            var row = ReadRow(++_row);
            var subject = Subject;
            if (!ShouldProcess(row.Address ?? $"row {row.Number}", $"Send '{subject}' as {_account}"))
            {
                Emit(SendSession.Preview(_template, _account, row), InputObject ?? (object?)row.Address);
                return;
            }
            var run = _run ??= OpenRun();
            _targets[row.Number] = InputObject ?? (object?)row.Address;
            Run(() => run.Add(row, CancelToken));
        }

        protected override void EndProcessing()
        {
            if (_run != null)
            {
                var run = _run;
                Run(() => run.Flush(CancelToken));
                _progress.Complete();
            }
            WriteSummary();
        }

        /// <summary>Runs one step of the session and writes its results; ends the run when the server refused content or account.</summary>
        void Run(Func<IReadOnlyList<SendResult>> step)
        {
            IReadOnlyList<SendResult> results;
            try
            {
                results = step();
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }
            catch (ContentLimitExceededException e)
            {
                Ended();
                ThrowTerminatingError(new ErrorRecord(e, "NearDuplicateLimitExceeded", ErrorCategory.LimitsExceeded, InputObject)
                {
                    ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = "Use -DuplicateAction Wait to spread the messages over time, or raise -MaxNearDuplicatesPerHour / -MaxNearDuplicatesPerDay." },
                });
                return;
            }
            catch (SignInException e)
            {
                Ended();
                StopForSignIn(e, $"Row {_row} and the rows after it were not sent; once fixed, run the same command again (campaign {_campaign}): rows already sent are skipped.");
                return;
            }
            catch (LedgerUnavailableException e)
            {
                Ended();
                var record = LedgerError(e);
                record.ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = $"Row {_row} was stopped and the rows after it were not sent; once the ledger can be used again, run the same command again (campaign {_campaign}): rows already sent are skipped." };
                ThrowTerminatingError(record);
                return;
            }
            catch (UnencryptedAuthenticationException e)
            {
                Ended();
                ThrowTerminatingError(new ErrorRecord(e, UnencryptedAuthenticationException.ErrorId, ErrorCategory.SecurityError, SmtpSettings().Host)
                {
                    ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = "Use -SecureSocketOptions SslOnConnect or StartTls, or give -AllowUnencryptedAuthentication for a relay on this host." },
                });
                return;
            }
            catch (SmtpUnreachableException e)
            {
                Ended();
                ThrowTerminatingError(new ErrorRecord(new InvalidOperationException($"Cannot send through {SmtpSettings()}: {e.Message}", e.InnerException),
                    "SmtpConnectionFailed", e.IsAuthentication ? ErrorCategory.AuthenticationError : ErrorCategory.ConnectionError, SmtpSettings().Host));
                return;
            }
            Publish(results);
            if (_run != null && _run.Connections < _connections)
            {
                _connections = _run.Connections;
                WriteWarning($"The server refused a connection as one too many: the run goes on with {_connections}.");
            }
            if (_run?.Stopped is RunStop stop)
            {
                WriteSummary();
                var id = stop.Verdict.Outcome == ReplyOutcome.ContentRejected ? "ContentRejected" : "AccountBlocked";
                ThrowTerminatingError(new ErrorRecord(new InvalidOperationException($"Send-ThrottledMail stopped: {stop.Message} {_summary}"),
                    id, stop.Verdict.Outcome == ReplyOutcome.ContentRejected ? ErrorCategory.InvalidData : ErrorCategory.PermissionDenied, _summary));
            }
        }

        /// <summary>A failure ends the run: the rows finished before it are written, then the summary.</summary>
        void Ended()
        {
            if (_run != null) Publish(_run.TakeFinished());
            WriteSummary();
        }

        /// <summary>
        /// A verbose note from any thread. The connections' threads sign in and renew tokens (a note each),
        /// but PowerShell takes output only from the pipeline's thread: their notes wait for it.
        /// </summary>
        void VerboseFromAnyThread(string text)
        {
            if (Thread.CurrentThread.ManagedThreadId == _pipelineThread) WriteVerbose(text);
            else _laterVerbose.Enqueue(text);
        }

        /// <summary>Writes the notes the connections' threads left (on the pipeline's thread).</summary>
        void WriteLaterVerbose()
        {
            while (_laterVerbose.TryDequeue(out var text)) WriteVerbose(text);
        }

        /// <summary>Writes the results (in input order) with their progress.</summary>
        void Publish(IReadOnlyList<SendResult> results)
        {
            WriteLaterVerbose();
            foreach (var result in results)
            {
                _progress.Result(result);
                _targets.TryGetValue(result.Row, out var target);
                _targets.Remove(result.Row);
                Emit(result, target);
            }
        }

        void Emit(SendResult result, object? target)
        {
            WriteObject(result);
            _summary.Add(result);
            if (result.Warning != null) WriteWarning(result.Warning);
            if (result.Status == RowStatus.Invalid)
                WriteError(new ErrorRecord(new ArgumentException($"Row {result.Row}: {result.Reply}"), result.ErrorId ?? "InvalidRow", ErrorCategory.InvalidData, target));
            else if (result.Status == RowStatus.Failed || result.Status == RowStatus.Unknown)
                WriteError(new ErrorRecord(new InvalidOperationException($"Row {result.Row} ({result.Recipient}): {result.Status}: {result.Reply}"),
                    result.Status == RowStatus.Failed ? "SendFailed" : "SendOutcomeUnknown", ErrorCategory.InvalidResult, target));
        }

        /// <summary>
        /// One line for the log (information stream, tag Summary, and verbose); when rows were not sent,
        /// also one non-terminating error, so $? is false and a scheduled task sees it.
        /// </summary>
        void WriteSummary()
        {
            if (_summary.Rows == 0) return;
            var text = _summary.ToString();
            WriteVerbose(text);
            WriteInformation(new InformationRecord(text, "Send-ThrottledMail") { Tags = { "Summary" } });
            if (!_summary.Incomplete || _run?.Stopped != null) return;
            var hints = new List<string>();
            if (_summary.DeferredUntil is DateTimeOffset until)
                hints.Add($"Run the same command again (campaign {_campaign}) after {until.ToLocalTime():yyyy-MM-dd HH:mm:ss} to send the deferred rows.");
            if (_summary.Count(RowStatus.Unknown) > 0)
                hints.Add("Rows with an Unknown outcome may have been delivered: they are not sent again unless -RetryUnknown is given.");
            if (_summary.TakenByAnotherRun > 0)
                hints.Add($"{_summary.TakenByAnotherRun} rows were skipped because another run of the campaign had them: run the same command again once that run has ended.");
            var category = _summary.Count(RowStatus.Deferred) > 0 ? ErrorCategory.LimitsExceeded : ErrorCategory.InvalidResult;
            WriteError(new ErrorRecord(new InvalidOperationException($"Not every row was sent. {text} {string.Join(" ", hints)}".TrimEnd()),
                "SendIncomplete", category, _summary));
        }

        SendRun OpenRun()
        {
            _ledger = OpenLedger();
            var request = new SendRequest(_template, SmtpSettings())
            {
                Account = Account,
                Login = Login(),
                CountedPer = CountsPer(),
                Campaign = _campaign,
                Limits = new QuotaPolicy
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
                },
                ProfileLimits = _settings.Profile?.Policy,
                Options = new SendOptions
                {
                    RecipientsPerMessage = RecipientsPerMessage,
                    BatchSize = BatchSize,
                    BatchDelay = BatchDelay,
                    MaxWait = MaxWait,
                    RetryUnknown = RetryUnknown,
                    Retry = new RetryPolicy { MaxAttempts = MaxAttempts },
                },
                DuplicateAction = DuplicateAction,
                Authenticator = OAuth(),
                MaxConnections = MaxConnections ?? _settings.Profile?.MaxConnections ?? 1,
            };
            SendRun run;
            try { run = SendRun.Create(request, _ledger, LedgerClock); }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "InvalidBatching", ErrorCategory.InvalidArgument, RecipientsPerMessage));
                throw;
            }
            var limits = string.Join(", ", run.Policy.Limits());
            if (run.PolicySource == PolicySource.Default)
                WriteWarning($"No limits are known for account '{_account}': using a conservative default ({limits}). Give -MaxPerMinute, -MaxPerHour, -MaxPerDay for your provider; they are remembered for the account.");
            else
                WriteVerbose($"Account '{_account}' sends under {limits} ({run.PolicySource.ToString().ToLowerInvariant()} policy); ledger {_ledger.Location}.");
            WriteVerbose($"Campaign {_campaign}: rows already sent under it are skipped.");
            if (request.MaxConnections > 1) WriteVerbose($"Up to {request.MaxConnections} connections to {SmtpSettings()} at once, sharing the quota; results in input order.");
            if (run.PacingAtStart is PacingState pacing)
            {
                var now = LedgerClock.UtcNow;
                if (pacing.IsSuspendedAt(now))
                    WriteWarning($"Account '{_account}' is suspended until {pacing.SuspendedUntil!.Value.ToLocalTime():yyyy-MM-dd HH:mm:ss}: its provider's quota is used up ({pacing.Reason}).");
                else if (pacing.Interval is TimeSpan interval)
                    WriteVerbose($"Account '{_account}' starts at a reduced pace of one message per {interval.TotalSeconds:0.###} s after the server throttled ({pacing.Reason}).");
            }
            _connections = request.MaxConnections;
            run.Waiting += _progress.Wait;
            run.Waiting += _ => WriteLaterVerbose();
            run.AlertRaised += ReportAlert;
            return run;
        }

        /// <summary>The profile's OAuth 2.0 sign-in for the sending mailbox (the From address), or null to sign in with -Credential.</summary>
        ISmtpAuthenticator? OAuth()
        {
            if (!SignsInWithOAuth(out var signIn)) return null;
            try
            {
                // MSAL and Google ask on a worker thread: the host's UI, not the pipeline, shows the device code or the address.
                var prompt = DeviceCode || BrowserSignIn ? Host.UI.WriteWarningLine : (Action<string>?)null;
                var source = TokenSources.Create(signIn, _sender, ClientSecret, CertificatePassword, SystemClock.Instance, VerboseFromAnyThread, prompt);
                WriteVerbose($"Signs in as {_sender} with {source.Description}.");
                return new OAuthSignIn(_sender, source, SystemClock.Instance) { OnToken = VerboseFromAnyThread };
            }
            catch (SignInException e)
            {
                StopForSignIn(e, "Nothing was sent.");
                throw;
            }
        }

        /// <summary>A sign-in that cannot work: one terminating error with the stable id, what failed and what to fix.</summary>
        void StopForSignIn(SignInException e, string rows) =>
            ThrowTerminatingError(new ErrorRecord(new InvalidOperationException($"{e.Message} {e.Fix} {rows}", e), e.ErrorId, ErrorCategory.AuthenticationError, SmtpSettings().Host)
            {
                ErrorDetails = new ErrorDetails($"{e.Message} {e.Fix} {rows}") { RecommendedAction = e.Fix },
            });

        SmtpSettings? _smtp;

        SmtpSettings SmtpSettings()
        {
            if (_smtp != null) return _smtp;
            var host = _settings.Host;
            if (string.IsNullOrWhiteSpace(host)) host = SessionState.PSVariable.GetValue("PSEmailServer") as string;
            if (string.IsNullOrWhiteSpace(host))
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("Give -SmtpServer or -Profile (or set $PSEmailServer)."), "NoSmtpServer", ErrorCategory.InvalidArgument, null));
            return _smtp = new SmtpSettings(host!, _settings.Port, _settings.Security, Credential?.GetNetworkCredential())
            {
                AllowUnencryptedAuthentication = AllowUnencryptedAuthentication,
            };
        }

        /// <summary>The core raised a volume alert (once each): a warning here, and -OnAlert runs.</summary>
        void ReportAlert(SendAlert alert)
        {
            WriteWarning(alert.Message);
            if (OnAlert == null) return;
            try { OnAlert.InvokeWithContext(null, new List<PSVariable> { new PSVariable("_", alert) }, alert); }
            catch (RuntimeException e) { WriteError(new ErrorRecord(e, "OnAlertFailed", ErrorCategory.OperationStopped, alert)); }
        }

        /// <summary>The row's address, name and every property (as text) for merge fields.</summary>
        MailRow ReadRow(int number) => PipelineRow.Read(InputObject, number, To, Name);

        public override void Dispose()
        {
            _run?.Dispose();
            _ledger?.Dispose();
            base.Dispose();
        }
    }
}
