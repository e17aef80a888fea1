using System;
using System.Collections.Generic;
using System.Linq;

namespace MailQuota.Core.Sending
{
    /// <summary>What a run did, row by row counted: what a scheduled task logs and checks at the end.</summary>
    public sealed class SendSummary
    {
        readonly Dictionary<RowStatus, int> _counts = new Dictionary<RowStatus, int>();

        public SendSummary(string account, string? campaign) { Account = account; Campaign = campaign; }

        public string Account { get; }
        public string? Campaign { get; }
        public int Rows { get; private set; }

        /// <summary>When every deferred row can go (the latest of their times); null when none was deferred.</summary>
        public DateTimeOffset? DeferredUntil { get; private set; }

        /// <summary>Rows skipped because another run of the campaign had them (sent, or sending).</summary>
        public int TakenByAnotherRun { get; private set; }

        /// <summary>True when some row was not sent and a rerun or a look is needed: failed, deferred, unknown, or left to another run.</summary>
        public bool Incomplete => Count(RowStatus.Failed) + Count(RowStatus.Deferred) + Count(RowStatus.Unknown) + TakenByAnotherRun > 0;

        public int Count(RowStatus status) => _counts.TryGetValue(status, out var n) ? n : 0;

        public void Add(SendResult result)
        {
            Rows++;
            _counts[result.Status] = Count(result.Status) + 1;
            if (result.ErrorId == RowResults.TakenByAnotherRun) TakenByAnotherRun++;
            if (result.DeferredUntil is DateTimeOffset until && (DeferredUntil == null || until > DeferredUntil))
                DeferredUntil = until;
        }

        public override string ToString()
        {
            var parts = Enum.GetValues(typeof(RowStatus)).Cast<RowStatus>().Where(s => Count(s) > 0)
                .Select(s => $"{Count(s)} {s.ToString().ToLowerInvariant()}" +
                    (s == RowStatus.Deferred && DeferredUntil is DateTimeOffset until ? $" (until {until:u})" : ""));
            var counts = Rows == 0 ? "no rows" : $"{Rows} rows: " + string.Join(", ", parts);
            return Campaign == null ? $"Account {Account}, {counts}." : $"Account {Account}, campaign {Campaign}, {counts}.";
        }
    }
}
