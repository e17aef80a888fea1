using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using MailQuota.Core.Content;
using MailQuota.Core.Mail;
using MailQuota.Core.Quota;
using MailQuota.Core.Storage.Sqlite;
using MailQuota.Core.Time;

namespace MailQuotaPS
{
    /// <summary>
    /// Tells, before sending, how repetitive messages look to the provider: each message's highest
    /// similarity and its near and exact duplicates among the account's recent sends (from the
    /// ledger) and within the input, its cluster, and a verdict (Ok, Warn, Block) against the
    /// account's near-duplicate policy. Takes finished messages from the pipeline (objects with a
    /// subject and body, MimeMessage objects, .eml files, in any mix), a template with pipeline rows
    /// (rendered as Send-ThrottledMail renders them), one -Subject/-Body, or .eml paths. Nothing is
    /// written to the ledger.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "MailContentDuplication", DefaultParameterSetName = MessageSet)]
    [OutputType(typeof(ContentDuplicationResult), typeof(ContentDuplicationSummary))]
    public sealed class TestMailContentDuplicationCommand : ProfileLedgerCmdlet
    {
        const string TemplateSet = "Template";
        const string EmlSet = "Eml";
        const string MessageSet = "Message";

        /// <summary>
        /// With -Subject: a row to render the template with (as Send-ThrottledMail would); its
        /// properties are the merge fields. Without: a finished message, namely an object with
        /// Subject and Body or HtmlBody properties (or Title; Text, TextBody, Content, Message; Html,
        /// HtmlContent), a MimeMessage, a FileInfo of an .eml file or its path, or a string (the body).
        /// </summary>
        [Parameter(ParameterSetName = TemplateSet, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = MessageSet, ValueFromPipeline = true, Mandatory = true)]
        public PSObject? InputObject { get; set; }

        /// <summary>The subject, with {{Column}} merge fields.</summary>
        [Parameter(ParameterSetName = TemplateSet, Mandatory = true)]
        public string Subject { get; set; } = "";

        /// <summary>The text body, with {{Column}} merge fields.</summary>
        [Parameter(ParameterSetName = TemplateSet)]
        public string? Body { get; set; }

        /// <summary>The HTML body, with {{Column}} merge fields.</summary>
        [Parameter(ParameterSetName = TemplateSet)]
        public string? HtmlBody { get; set; }

        /// <summary>.eml files to test (wildcards allowed); Get-ChildItem output binds by FullName.</summary>
        [Parameter(ParameterSetName = EmlSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [SupportsWildcards]
        public string[] Path { get; set; } = new string[0];

        /// <summary>The ledger account to compare with; else the -From address; else the From of the first .eml file or MimeMessage.</summary>
        [Parameter]
        public string? Account { get; set; }

        /// <summary>The sender, as given to Send-ThrottledMail (its address is the default account).</summary>
        [Parameter]
        public string? From { get; set; }

        /// <summary>How far back recent sends count (default one day).</summary>
        [Parameter]
        [ValidateNonNegativeTimeSpan]
        public TimeSpan Window { get; set; } = TimeSpan.FromDays(1);

        /// <summary>Overrides the account's remembered similarity threshold for this test (not remembered).</summary>
        [Parameter, ValidateRange(0.05, 1.0)] public double? SimilarityThreshold { get; set; }

        /// <summary>Overrides the account's near-duplicate limit per hour for this test (not remembered).</summary>
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxNearDuplicatesPerHour { get; set; }

        /// <summary>Overrides the account's near-duplicate limit per day for this test (not remembered).</summary>
        [Parameter, ValidateRange(1, int.MaxValue)] public int? MaxNearDuplicatesPerDay { get; set; }

        /// <summary>One object for the whole input (clusters, their sizes, the largest) instead of one per message.</summary>
        [Parameter]
        public SwitchParameter Summary { get; set; }

        readonly List<ContentSample> _samples = new List<ContentSample>();
        MergeTemplate? _subject, _text, _html;
        string? _emlAccount;
        int _row;

        protected override void BeginProcessing()
        {
            if (Window <= TimeSpan.Zero)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-Window must be positive, not {Window}."), "InvalidWindow", ErrorCategory.InvalidArgument, Window));
            if (ParameterSetName != TemplateSet) return;
            if (string.IsNullOrEmpty(Body) && string.IsNullOrEmpty(HtmlBody))
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("Give -Body, -HtmlBody or both."), "NoBody", ErrorCategory.InvalidArgument, null));
            _subject = new MergeTemplate(Subject);
            _text = string.IsNullOrEmpty(Body) ? null : new MergeTemplate(Body);
            _html = string.IsNullOrEmpty(HtmlBody) ? null : new MergeTemplate(HtmlBody);
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == TemplateSet) AddRow();
            else if (ParameterSetName == MessageSet) AddMessage();
            else foreach (var file in ResolvePaths()) AddEml(file);
        }

        void AddMessage()
        {
            if (InputObject == null) return;
            if (FinishedMessage.FileOf(InputObject, SessionState.Path.GetUnresolvedProviderPathFromPSPath) is { } file) { AddEml(file); return; }
            var number = ++_row;
            if (EmlFile.TryRead(number, InputObject.BaseObject, out var mime, out var sender))
            {
                _samples.Add(mime);
                _emlAccount ??= sender;
                return;
            }
            try { _samples.Add(FinishedMessage.Read(InputObject, number)); }
            catch (InvalidDataException e)
            {
                WriteError(new ErrorRecord(e, "NotAMessage", ErrorCategory.InvalidData, InputObject));
            }
        }

        void AddRow()
        {
            var number = ++_row;
            // Without pipeline input the template itself is the message: its fields stay placeholders.
            var row = MyInvocation.ExpectingInput ? PipelineRow.Read(InputObject, number) : null;
            try
            {
                _samples.Add(new ContentSample(number, row != null ? $"row {number}" : "template", MessageContent.FromTemplate(_subject!, _text, _html, row?.Fields)));
            }
            catch (MergeFieldException e)
            {
                WriteError(new ErrorRecord(new ArgumentException($"Row {number}: {e.Message}", e), "MissingMergeField", ErrorCategory.InvalidData, InputObject));
            }
        }

        IEnumerable<string> ResolvePaths()
        {
            foreach (var path in Path)
            {
                System.Collections.ObjectModel.Collection<string>? resolved = null;
                try { resolved = GetResolvedProviderPathFromPSPath(path, out _); }
                catch (Exception e) when (e is ItemNotFoundException || e is System.Management.Automation.DriveNotFoundException || e is ProviderNotFoundException)
                {
                    WriteError(new ErrorRecord(e, "EmlNotFound", ErrorCategory.ObjectNotFound, path));
                }
                if (resolved == null) continue;
                foreach (var file in resolved) yield return file;
            }
        }

        void AddEml(string file)
        {
            var number = ++_row;
            try
            {
                _samples.Add(EmlFile.Read(number, file, out var sender));
                _emlAccount ??= sender;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is FormatException)
            {
                WriteError(new ErrorRecord(new InvalidDataException($"Message {number} ('{file}') cannot be read as an e-mail message: {e.Message}", e),
                    "EmlUnreadable", ErrorCategory.ReadError, file));
            }
        }


        protected override void EndProcessing()
        {
            if (_samples.Count == 0) return;
            var account = AccountToCompare();
            // Testing never creates a ledger file: with none there are no recent sends, only the input.
            using var ledger = account != null && LedgerExists() ? OpenLedger() : null;
            if (ledger == null)
                WriteVerbose(account == null ? "No account given: the messages are compared with each other only." : $"No ledger at '{LedgerLocation.Resolve(LedgerPath)}': the messages are compared with each other only.");
            var overrides = new QuotaPolicy
            {
                SimilarityThreshold = SimilarityThreshold,
                NearDuplicatesPerHour = MaxNearDuplicatesPerHour,
                NearDuplicatesPerDay = MaxNearDuplicatesPerDay,
            };
            var basePolicy = Profile != null ? FindProfile()!.Policy
                : ledger != null ? ledger.GetPolicy(account!) : null;
            var policy = basePolicy?.With(overrides) ?? overrides;
            var analyzer = new ContentDuplicationAnalyzer(ledger, policy, LedgerClock);
            var progress = new ProgressRecord(1, "Test-MailContentDuplication", $"Fingerprinting and clustering {_samples.Count} messages");
            WriteProgress(progress);
            var results = analyzer.Analyze(account, _samples, Window, out var summary, done =>
            {
                progress.StatusDescription = ledger != null ? $"Compared {done} of {_samples.Count} messages with the recent sends of {account}" : $"Checked {done} of {_samples.Count} messages";
                progress.PercentComplete = (int)(100L * done / _samples.Count);
                WriteProgress(progress);
            });
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
            if (Summary) WriteObject(summary);
            else foreach (var result in results) WriteObject(result);
        }

        string? AccountToCompare()
        {
            if (!string.IsNullOrWhiteSpace(Account)) return Account;
            if (!string.IsNullOrWhiteSpace(From))
            {
                if (MailAddressRule.TryParseAddress(From, out var from)) return MailAddressRule.AccountKey(null, from);
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-From '{From}' is not a valid e-mail address."), "InvalidFrom", ErrorCategory.InvalidArgument, From));
            }
            return _emlAccount;
        }
    }
}
