using System.Threading;
using MailQuota.Core.Sending;

namespace MailQuota.Core.Tests
{
    /// <summary>The queue between the run's thread and a connection's: a taker waits for the next item, and learns when no more will come.</summary>
    public sealed class HandoffTests
    {
        [Fact]
        public void A_taker_waits_for_what_is_added_in_order_and_is_told_when_nothing_more_will_come()
        {
            var queue = new Handoff<int>();
            Assert.False(queue.TryTake(out _));
            var taken = new System.Collections.Generic.List<int>();
            var taker = new Thread(() => { while (queue.Take(out var item)) taken.Add(item); });
            taker.Start();
            queue.Add(1);
            queue.Add(2);
            queue.Complete();
            Assert.True(taker.Join(10_000), "the taker ended once the queue was completed and empty");
            Assert.Equal(new[] { 1, 2 }, taken);
            Assert.True(queue.IsCompleted);
            Assert.Throws<System.InvalidOperationException>(() => queue.Add(3));
        }

        [Fact]
        public void What_was_added_before_the_end_is_still_taken_after_it()
        {
            var queue = new Handoff<string>();
            queue.Add("last");
            queue.Complete();
            Assert.True(queue.Take(out var item));
            Assert.Equal("last", item);
            Assert.False(queue.Take(out _));
        }
    }
}
