using System.Collections.Generic;

namespace MailQuota.Core.Sending
{
    /// <summary>
    /// The rows' results in input order: a row whose message is still on its way holds back the rows
    /// after it, however early theirs are final.
    /// </summary>
    internal sealed class OrderedResults
    {
        readonly Queue<Entry> _rows = new Queue<Entry>();

        /// <summary>The next input row; <paramref name="final"/> when its result is known already.</summary>
        public Entry Add(SendResult result, bool final)
        {
            var entry = new Entry(result) { Final = final };
            _rows.Enqueue(entry);
            return entry;
        }

        /// <summary>The results final now, in input order, up to the first row still on its way.</summary>
        public IReadOnlyList<SendResult> TakeFinal()
        {
            var ready = new List<SendResult>();
            while (_rows.Count > 0 && _rows.Peek().Final) ready.Add(_rows.Dequeue().Result);
            return ready;
        }

        internal sealed class Entry
        {
            public Entry(SendResult result) => Result = result;
            public SendResult Result { get; }
            public bool Final { get; set; }
        }
    }
}
