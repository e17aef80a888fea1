using System;
using System.Collections.Generic;
using System.Linq;
using MailQuota.Core.Mail;
using MailQuota.Core.Quota;
using MimeKit;

namespace MailQuota.Core.Sending
{
    /// <summary>A checked row waiting for its message, with the result it will be reported by.</summary>
    internal sealed class PendingRow
    {
        public PendingRow(MailRow row, MailboxAddress to, string key, OrderedResults.Entry entry) { Row = row; To = to; Key = key; Entry = entry; }
        public MailRow Row { get; }
        public MailboxAddress To { get; }
        public string Key { get; }
        public SendResult Result => Entry.Result;

        /// <summary>The row's place in the run's output, final once its message is done.</summary>
        public OrderedResults.Entry Entry { get; }
    }

    /// <summary>Gathers rows into messages: one row per message, or several as Bcc of one message.</summary>
    internal sealed class RowBatcher
    {
        readonly int _perMessage;
        readonly List<PendingRow> _pending = new List<PendingRow>();

        public RowBatcher(int perMessage) => _perMessage = perMessage;

        public bool HasPending => _pending.Count > 0;

        /// <summary>Adds the row; true when its message is full.</summary>
        public bool Add(PendingRow row)
        {
            _pending.Add(row);
            return _pending.Count >= _perMessage;
        }

        /// <summary>The rows of the next message; the batcher starts afresh.</summary>
        public List<PendingRow> Take()
        {
            var batch = _pending.ToList();
            _pending.Clear();
            return batch;
        }

        /// <summary>
        /// Refuses what cannot work with several rows per message: merge fields (one message cannot be
        /// personalised for several rows) and more rows than the policy's recipients per message.
        /// </summary>
        public static void Check(MessageTemplate template, QuotaPolicy? policy, int perMessage)
        {
            if (perMessage < 1) throw new ArgumentException("The recipients per message must be at least 1.");
            if (perMessage == 1) return;
            var fields = template.MergeFields();
            if (fields.Count > 0)
                throw new ArgumentException($"{perMessage} recipients per message send one message to several rows, so it cannot be personalised: remove the merge fields {string.Join(", ", fields.Select(f => "{{" + f + "}}"))} or send one message per row.");
            if (policy?.MaxRecipientsPerMessage is int max && perMessage > max)
                throw new ArgumentException($"{perMessage} recipients per message are above the account's maximum of {max} recipients per message.");
        }
    }
}
