using System;
using System.Collections.Generic;
using System.Threading;

namespace MailQuota.Core.Sending
{
    /// <summary>
    /// A queue between the run's thread and a connection's thread. A taker with nothing to take sleeps
    /// until something comes (Monitor.Wait) and never spins: BlockingCollection's semaphore spins first,
    /// and on two cores those spins took the CPU time the other thread and a local server needed
    /// (a third of a connection thread's samples were sched_yield in a perf profile).
    /// </summary>
    internal sealed class Handoff<T>
    {
        readonly Queue<T> _items = new Queue<T>();
        bool _completed;

        public void Add(T item)
        {
            lock (_items)
            {
                if (_completed) throw new InvalidOperationException("the queue was completed");
                _items.Enqueue(item);
                Monitor.Pulse(_items);
            }
        }

        /// <summary>Nothing more will be added: a taker waiting on an empty queue is told so.</summary>
        public void Complete()
        {
            lock (_items)
            {
                _completed = true;
                Monitor.PulseAll(_items);
            }
        }

        public bool IsCompleted { get { lock (_items) return _completed; } }

        /// <summary>The next item if there is one now.</summary>
        public bool TryTake(out T item)
        {
            lock (_items)
            {
                if (_items.Count == 0)
                {
                    item = default!;
                    return false;
                }
                item = _items.Dequeue();
                return true;
            }
        }

        /// <summary>The next item, waiting for it; false once the queue is completed and empty.</summary>
        public bool Take(out T item)
        {
            lock (_items)
            {
                while (_items.Count == 0)
                {
                    if (_completed)
                    {
                        item = default!;
                        return false;
                    }
                    Monitor.Wait(_items);
                }
                item = _items.Dequeue();
                return true;
            }
        }
    }
}
