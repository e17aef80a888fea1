using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using MailQuota.Core.Smtp;
using MimeKit;

namespace MailQuota.Core.Sending
{
    /// <summary>
    /// The run's connections to the server, each with a worker thread of its own and a short queue: a
    /// message handed to a connection is transmitted there while the run goes on (reserving the next
    /// ones), and comes back with the server's reply, or what was thrown, in the order the transactions
    /// end. Before it starts a queued message, a worker asks whether it may still go (the pace it was
    /// reserved under still holds, the run goes on, the connection is still wanted): if not, the message
    /// comes back not started. Then it makes its reservation durable (one sync serves those queued behind it),
    /// talks SMTP, and says when the server gives the message the go-ahead (before the data goes out);
    /// the rest of the ledger, the waits and the events stay on the run's thread. The transports stay
    /// the caller's to dispose, after this.
    /// </summary>
    internal sealed class ConnectionLanes : IDisposable
    {
        /// <summary>
        /// Messages a connection holds at once (the one on the wire and those queued behind it): the run
        /// reserves that far ahead, so one sync of the ledger serves several reservations, and a
        /// connection starts its next message as soon as one ends.
        /// </summary>
        public const int Depth = 4;

        readonly List<Lane> _lanes;
        readonly Handoff<Delivery> _done = new Handoff<Delivery>();

        /// <param name="mayStart">Asked on the connection's thread before a queued message starts: false sends it back not started.</param>
        /// <param name="beforeSend">Called on the connection's thread before a message's transaction: makes its reservation durable.</param>
        /// <param name="goAhead">Called on the connection's thread when the server says go ahead to a message's data.</param>
        /// <param name="taken">Called on the connection's thread when the server took a message, before the run receives it.</param>
        public ConnectionLanes(IReadOnlyList<IMailTransport> transports, MailboxAddress sender, Func<Delivery, bool> mayStart, Action<Delivery> beforeSend,
            Action<Delivery> goAhead, Action<Delivery> taken)
        {
            if (transports.Count < 1) throw new ArgumentException("a run needs at least one connection", nameof(transports));
            _lanes = transports.Select((t, i) => new Lane(i + 1, t, sender, _done, mayStart, beforeSend, goAhead, taken)).ToList();
        }

        /// <summary>Connections the run may still use (fewer than it opened once the server said too many).</summary>
        public int Open => _lanes.Count(l => !l.Retired);

        /// <summary>Messages handed over and not yet received back.</summary>
        public int InFlight { get; private set; }

        /// <summary>A connection has room for the next message.</summary>
        public bool HasRoom => _lanes.Any(l => !l.Retired && l.Held < Depth);

        /// <summary>Queues the message on the open connection holding the fewest (see <see cref="HasRoom"/>).</summary>
        public void Hand(Delivery delivery, CancellationToken cancellationToken)
        {
            Lane? lane = null;
            foreach (var open in _lanes)
            {
                if (!open.Retired && open.Held < Depth && (lane == null || open.Held < lane.Held)) lane = open;
            }
            if (lane == null) throw new InvalidOperationException("no connection has room");
            lane.Held++;
            delivery.Lane = lane.Number;
            delivery.Ticket = lane.Handed();
            delivery.Reply = null;
            delivery.WentAhead = false;
            delivery.TakenRecorded = false;
            delivery.NotStarted = false;
            delivery.PausedItsConnection = false;
            delivery.Error = null;
            InFlight++;
            lane.Inbox.Add((delivery, cancellationToken));
        }

        /// <summary>The next message whose transaction ended (waits for it; never cancelled, so a stopping run learns every outcome).</summary>
        public Delivery Receive()
        {
            _done.Take(out var delivery);
            return Received(delivery);
        }

        /// <summary>A message whose transaction has ended, if there is one now.</summary>
        public bool TryReceive(out Delivery delivery)
        {
            if (!_done.TryTake(out delivery!)) return false;
            Received(delivery);
            return true;
        }

        Delivery Received(Delivery delivery)
        {
            InFlight--;
            var lane = _lanes[delivery.Lane - 1];
            lane.Held--;
            if (delivery.PausedItsConnection) lane.Resume();
            if (lane.Retired && lane.Held == 0) lane.Inbox.Complete();
            return delivery;
        }

        /// <summary>
        /// The server refused the connection as one too many: the run goes on with one fewer, closing
        /// it (the messages queued on it come back not started), unless it is the last one.
        /// </summary>
        public bool Retire(int laneNumber)
        {
            var lane = _lanes[laneNumber - 1];
            if (lane.Retired || Open <= 1) return false;
            lane.Retired = true;
            if (lane.Held == 0) lane.Inbox.Complete();
            return true;
        }

        public void Dispose()
        {
            foreach (var lane in _lanes)
            {
                if (!lane.Inbox.IsCompleted) lane.Inbox.Complete();
            }
            foreach (var lane in _lanes) lane.Stop();
        }

        sealed class Lane
        {
            readonly IMailTransport _transport;
            readonly MailboxAddress _sender;
            readonly Handoff<Delivery> _done;
            readonly Thread _thread;
            readonly Func<Delivery, bool> _mayStart;
            readonly Action<Delivery> _beforeSend;
            readonly Action<Delivery> _goAhead;
            readonly Action<Delivery> _taken;
            volatile bool _retired;
            int _handed;
            volatile int _heldBackThrough;   // the last message handed that may not start; all of them while paused

            public Lane(int number, IMailTransport transport, MailboxAddress sender, Handoff<Delivery> done,
                Func<Delivery, bool> mayStart, Action<Delivery> beforeSend, Action<Delivery> goAhead, Action<Delivery> taken)
            {
                Number = number; _transport = transport; _sender = sender; _done = done;
                _mayStart = mayStart; _beforeSend = beforeSend; _goAhead = goAhead; _taken = taken;
                _thread = new Thread(Work) { IsBackground = true, Name = "MailQuota connection " + number };
                _thread.Start();
            }

            public int Number { get; }
            public Handoff<(Delivery Delivery, CancellationToken Token)> Inbox { get; } = new Handoff<(Delivery, CancellationToken)>();

            /// <summary>Messages handed to this connection and not yet received back (the run's thread).</summary>
            public int Held { get; set; }

            public bool Retired { get => _retired; set => _retired = value; }

            /// <summary>Numbers the next message handed to this connection (the run's thread).</summary>
            public int Handed() => Interlocked.Increment(ref _handed);

            /// <summary>
            /// The run received the message that paused the connection (its thread): what was handed before
            /// comes back not started, what the run hands from now on starts.
            /// </summary>
            public void Resume() => _heldBackThrough = Volatile.Read(ref _handed);

            void Work()
            {
                while (Inbox.Take(out var handed))
                {
                    var (delivery, token) = handed;
                    if (delivery.Ticket <= _heldBackThrough || Retired || !_mayStart(delivery))
                    {
                        delivery.NotStarted = true;
                        _done.Add(delivery);
                        continue;
                    }
                    try { _beforeSend(delivery); }
                    catch (Exception e)
                    {
                        delivery.NotStarted = true;
                        delivery.Error = e;
                        _done.Add(delivery);
                        continue;
                    }
                    void GoAhead()
                    {
                        delivery.WentAhead = true;
                        _goAhead(delivery);
                    }
                    _transport.DataGoAhead += GoAhead;
                    try { delivery.Reply = _transport.Send(delivery.Composed.Message, _sender, delivery.Composed.Envelope, token); }
                    catch (Exception e) { delivery.Error = e; }
                    finally { _transport.DataGoAhead -= GoAhead; }
                    // Unless the server took it, what the reply means is the run's to judge (a throttle, a
                    // refusal that stops the run, a lost connection): until the run has received it, the
                    // connection starts nothing, and what was handed to it before then comes back.
                    if (delivery.Error == null && delivery.Reply!.Accepted) _taken(delivery);
                    else
                    {
                        delivery.PausedItsConnection = true;
                        _heldBackThrough = int.MaxValue;
                    }
                    _done.Add(delivery);
                }
            }

            public void Stop() => _thread.Join();
        }
    }
}
