using System;
using MailQuota.Core.Quota;
using MailQuota.Core.Time;

namespace MailQuota.Core.Sending
{
    /// <summary>
    /// The ledger's turns between the run's thread and the connections' threads, and the record that a
    /// message goes to the server (its go-ahead, on its connection's thread, on a second connection to
    /// the ledger). With that record, a reservation need not wait for the disk when it is committed:
    /// the first handover after it syncs the ledger, and with it every reservation committed before
    /// (those of the messages still waiting for a connection, too), so a message never goes out before
    /// its reservation is on the disk, and one sync serves several messages. A handover whose
    /// reservation an earlier sync carried is recorded without one: should a power cut lose that
    /// record, the row stays InFlight, and after a restart such a row is Unknown, never sent again.
    /// </summary>
    internal sealed class HandoverRecords : IDisposable
    {
        readonly ILedger? _ledger;
        readonly IClock _clock;
        long _reserved;
        long _durable;

        /// <param name="ledger">The second connection to the ledger, which this disposes; null records no handover, and every reservation is then synced itself.</param>
        public HandoverRecords(ILedger? ledger, IClock clock)
        {
            _ledger = ledger;
            _clock = clock;
        }

        /// <summary>
        /// Taken for a reservation (its commit), a completion and a handover's record: the connections'
        /// threads wait here for a commit to end, woken at once, rather than meet the ledger's lock and
        /// sleep in SQLite's busy handler.
        /// </summary>
        public object Turn { get; } = new object();

        /// <summary>Reservations may be committed without a sync: a handover record will carry them to the disk.</summary>
        public bool Recorded => _ledger != null;

        /// <summary>A reservation was committed (call under <see cref="Turn"/>): its place in the run's order of commits.</summary>
        public long Reserved() => ++_reserved;

        /// <summary>The server said go ahead to the message's data: from here the send is Unknown until its reply is recorded.</summary>
        public void GoAhead(Delivery delivery)
        {
            if (_ledger == null) return;
            lock (Turn)
            {
                var sync = delivery.Reserved > _durable;
                var upTo = _reserved;
                _ledger.HandOver(delivery.ReservationId!.Value, _clock.UtcNow, delivery.Attempt, durable: sync);
                if (sync) _durable = upTo;
            }
        }

        public void Dispose() => _ledger?.Dispose();
    }
}
