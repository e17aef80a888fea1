using System;
using System.Diagnostics;
using System.Management.Automation;
using MailQuota.Core.Sending;
using MailQuota.Core.Time;

namespace MailQuotaPS
{
    /// <summary>Send-ThrottledMail's progress bar and its wait notes (verbose and information, tag Wait).</summary>
    sealed class SendProgress
    {
        /// <summary>Rendering progress costs more than sending a message: update it a few times a second.</summary>
        static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

        readonly Cmdlet _cmdlet;
        readonly ProgressRecord _record = new ProgressRecord(1, "Send-ThrottledMail", "Starting");
        readonly Stopwatch _sinceUpdate = Stopwatch.StartNew();
        string? _lastWaitReason;
        int _sent;

        public SendProgress(Cmdlet cmdlet) => _cmdlet = cmdlet;

        public void Result(SendResult result)
        {
            if (result.Status == RowStatus.Sent) _sent++;
            if (_sinceUpdate.Elapsed < Interval) return;
            _record.StatusDescription = $"{_sent} sent, row {result.Row} {result.Status}: {result.Recipient}";
            _record.CurrentOperation = null;
            _record.SecondsRemaining = -1;
            _cmdlet.WriteProgress(_record);
            _sinceUpdate.Restart();
        }

        public void Wait(WaitNotice wait)
        {
            if (wait.Reason != _lastWaitReason)
            {
                _lastWaitReason = wait.Reason;
                var text = $"Row {wait.Row} ({wait.Recipient}) waits {wait.Remaining.TotalSeconds:0} s for the quota: {wait.Reason}; resumes at {wait.Until.ToLocalTime():T}.";
                _cmdlet.WriteVerbose(text);
                _cmdlet.WriteInformation(new InformationRecord(text, "Send-ThrottledMail") { Tags = { "Wait" } });
            }
            _record.StatusDescription = $"Waiting for the quota: {wait.Reason}";
            _record.CurrentOperation = $"Row {wait.Row} ({wait.Recipient}) resumes at {wait.Until.ToLocalTime():T}";
            _record.SecondsRemaining = (int)Math.Ceiling(Math.Max(0, wait.Remaining.TotalSeconds));
            _cmdlet.WriteProgress(_record);
        }

        public void Complete()
        {
            _record.RecordType = ProgressRecordType.Completed;
            _cmdlet.WriteProgress(_record);
        }
    }
}
