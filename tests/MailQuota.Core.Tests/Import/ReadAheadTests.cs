using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using MailQuota.Core.Import;

namespace MailQuota.Core.Tests.Import
{
    public sealed class ReadAheadTests
    {
        [Fact]
        public void Every_item_comes_out_in_order()
        {
            var items = ReadAhead.Run(_ => Enumerable.Range(0, 10_001), 64, 4, CancellationToken.None).ToList();
            Assert.Equal(Enumerable.Range(0, 10_001), items);
        }

        [Fact]
        public void The_worker_stays_a_bounded_number_of_items_ahead()
        {
            var produced = 0;
            IEnumerable<int> Source(CancellationToken token)
            {
                for (var i = 0; i < 2000; i++)
                {
                    Interlocked.Increment(ref produced);
                    yield return i;
                }
            }
            // Ahead of the consumer at most: the rest of its batch, 3 queued batches, one in the worker's hand.
            var consumed = 0;
            var mostAhead = 0;
            foreach (var _ in ReadAhead.Run(Source, 10, 3, CancellationToken.None))
            {
                consumed++;
                mostAhead = Math.Max(mostAhead, Volatile.Read(ref produced) - consumed);
            }
            Assert.Equal(2000, consumed);
            Assert.InRange(mostAhead, 0, 49);
        }

        [Fact]
        public void A_failure_of_the_source_comes_out_after_the_items_before_it()
        {
            IEnumerable<int> Source(CancellationToken token)
            {
                for (var i = 1; i <= 6; i++) yield return i;
                throw new InvalidOperationException("broken file");
            }
            var seen = new List<int>();
            var e = Assert.Throws<InvalidOperationException>(() => { foreach (var i in ReadAhead.Run(Source, 4, 1, CancellationToken.None)) seen.Add(i); });
            Assert.Equal("broken file", e.Message);
            Assert.Equal(new[] { 1, 2, 3, 4, 5, 6 }, seen);
        }

        [Fact]
        public void Stopping_early_stops_the_worker_before_returning()
        {
            var finished = false;
            IEnumerable<int> Source(CancellationToken token)
            {
                try
                {
                    for (var i = 0; ; i++)
                    {
                        token.ThrowIfCancellationRequested();
                        yield return i;
                    }
                }
                finally { finished = true; }
            }
            Assert.Equal(new[] { 0, 1, 2 }, ReadAhead.Run(Source, 4, 2, CancellationToken.None).Take(3));
            Assert.True(finished);
        }

        [Fact]
        public void Cancelling_the_consumer_stops_both()
        {
            using var cancel = new CancellationTokenSource();
            var items = ReadAhead.Run(_ => Enumerable.Range(0, int.MaxValue), 8, 2, cancel.Token);
            Assert.Throws<OperationCanceledException>(() =>
            {
                foreach (var i in items)
                    if (i == 100) cancel.Cancel();
            });
        }
    }
}
