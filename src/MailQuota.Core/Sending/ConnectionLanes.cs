using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using MailQuota.Core.Smtp;
using MimeKit;

namespace MailQuota.Core.Sending
{
    /// <summary>
    /// The run's connections to the server, each with a worker thread of its own: a message handed to a
    /// free connection is transmitted there while the run goes on (reserving the next one), and comes
    /// back with the server's reply, or what was thrown, in the order the transactions end. The workers
    /// talk SMTP and say when the server gives a message the go-ahead (on their own thread, before the
    /// data goes out); the rest of the ledger, the waits and the events stay on the run's thread. The
    /// transports stay the caller's to dispose, after this.
    /// </summary>
    internal sealed class ConnectionLanes : IDisposable
    {
        readonly List<Lane> _lanes;
        readonly Handoff<Delivery> _done = new Handoff<Delivery>();

        /// <param name="goAhead">Called on the connection's thread when the server says go ahead to a message's data.</param>
        public ConnectionLanes(IReadOnlyList<IMailTransport> transports, MailboxAddress sender, Action<Delivery> goAhead)
        {
            if (transports.Count < 1) throw new ArgumentException("a run needs at least one connection", nameof(transports));
            _lanes = transports.Select((t, i) => new Lane(i + 1, t, sender, _done, goAhead)).ToList();
        }

        /// <summary>Connections the run may still use (fewer than it opened once the server said too many).</summary>
        public int Open => _lanes.Count(l => !l.Retired);

        /// <summary>Messages handed over and not yet received back.</summary>
        public int InFlight { get; private set; }

        /// <summary>A connection is free for the next message.</summary>
        public bool HasRoom => _lanes.Any(l => !l.Retired && !l.Busy);

        /// <summary>Transmits the message on a free connection (see <see cref="HasRoom"/>).</summary>
        public void Hand(Delivery delivery, CancellationToken cancellationToken)
        {
            var lane = _lanes.First(l => !l.Retired && !l.Busy);
            lane.Busy = true;
            delivery.Lane = lane.Number;
            delivery.Reply = null;
            delivery.WentAhead = false;
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
            lane.Busy = false;
            if (lane.Retired) lane.Inbox.Complete();
            return delivery;
        }

        /// <summary>
        /// The server refused the connection as one too many: the run goes on with one fewer, closing
        /// it, unless it is the last one.
        /// </summary>
        public bool Retire(int laneNumber)
        {
            var lane = _lanes[laneNumber - 1];
            if (lane.Retired || Open <= 1) return false;
            lane.Retired = true;
            if (!lane.Busy) lane.Inbox.Complete();
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
            readonly Action<Delivery> _goAhead;

            public Lane(int number, IMailTransport transport, MailboxAddress sender, Handoff<Delivery> done, Action<Delivery> goAhead)
            {
                Number = number; _transport = transport; _sender = sender; _done = done; _goAhead = goAhead;
                _thread = new Thread(Work) { IsBackground = true, Name = "MailQuota connection " + number };
                _thread.Start();
            }

            public int Number { get; }
            public Handoff<(Delivery Delivery, CancellationToken Token)> Inbox { get; } = new Handoff<(Delivery, CancellationToken)>();
            public bool Busy { get; set; }
            public bool Retired { get; set; }

            void Work()
            {
                while (Inbox.Take(out var handed))
                {
                    var (delivery, token) = handed;
                    void GoAhead()
                    {
                        delivery.WentAhead = true;
                        _goAhead(delivery);
                    }
                    _transport.DataGoAhead += GoAhead;
                    try { delivery.Reply = _transport.Send(delivery.Composed.Message, _sender, delivery.Composed.Envelope, token); }
                    catch (Exception e) { delivery.Error = e; }
                    finally { _transport.DataGoAhead -= GoAhead; }
                    _done.Add(delivery);
                }
            }

            public void Stop() => _thread.Join();
        }
    }
}
