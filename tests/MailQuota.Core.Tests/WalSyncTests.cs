using System;
using MailQuota.Core.Quota;
using MailQuota.Core.Storage.Sqlite;

namespace MailQuota.Core.Tests
{
    /// <summary>
    /// A run's reservations commit without waiting for the disk and are made durable by a sync of the
    /// ledger file's WAL before their messages go out: one sync serves every reservation committed before it.
    /// </summary>
    public sealed class WalSyncTests : IDisposable
    {
        readonly TempLedger _file = new TempLedger();
        readonly SqliteLedger _ledger;
        readonly FakeClock _clock = new FakeClock();
        readonly QuotaGate _gate;

        public WalSyncTests()
        {
            _ledger = new SqliteLedger(_file.Path);
            _gate = new QuotaGate(_ledger, _clock);
        }

        public void Dispose() { _ledger.Dispose(); _file.Dispose(); }

        long Reserve(string to, bool durableBeforeSend) =>
            _gate.TryReserve(new QuotaPolicy { MessagesPerMinute = 100 }, new ReservationRequest("hr@example.test", to) { DurableBeforeSend = durableBeforeSend }).ReservationId!.Value;

        long Synchronous() => (long)_ledger.Database.Prepared("PRAGMA synchronous;").ExecuteScalar()!;

        [Fact]
        public void One_sync_serves_every_reservation_committed_before_it_and_none_is_made_for_one_already_durable()
        {
            var a = Reserve("a@example.test", durableBeforeSend: true);
            var b = Reserve("b@example.test", durableBeforeSend: true);
            var c = Reserve("c@example.test", durableBeforeSend: true);
            Assert.Equal(2L, Synchronous());                                 // FULL again for every other write

            _ledger.MakeReservationDurable(b);
            Assert.Equal(1, _ledger.ReservationSyncs);
            _ledger.MakeReservationDurable(a);                               // covered by b's sync, as is c
            _ledger.MakeReservationDurable(c);
            Assert.Equal(1, _ledger.ReservationSyncs);

            var d = Reserve("d@example.test", durableBeforeSend: false);     // durable at its commit
            _ledger.MakeReservationDurable(d);
            Assert.Equal(1, _ledger.ReservationSyncs);

            var e = Reserve("e@example.test", durableBeforeSend: true);
            _ledger.MakeReservationDurable(c);
            Assert.Equal(1, _ledger.ReservationSyncs);
            _ledger.MakeReservationDurable(e);
            Assert.Equal(2, _ledger.ReservationSyncs);
            Assert.Equal(5, _ledger.UseSince("hr@example.test", _clock.UtcNow.AddMinutes(-1)).Messages);
        }

        [Fact]
        public void A_reservation_refused_or_rolled_back_leaves_the_connection_syncing_fully_and_nothing_to_sync()
        {
            var policy = new QuotaPolicy { MessagesPerMinute = 1 };
            var first = _gate.TryReserve(policy, new ReservationRequest("hr@example.test", "a@example.test") { DurableBeforeSend = true });
            _ledger.MakeReservationDurable(first.ReservationId!.Value);
            var full = _gate.TryReserve(policy, new ReservationRequest("hr@example.test", "b@example.test") { DurableBeforeSend = true });
            Assert.False(full.Granted);
            Assert.Throws<InvalidOperationException>(() => _gate.TryReserve(new QuotaPolicy(),
                new ReservationRequest("hr@example.test", "c@example.test") { DurableBeforeSend = true, AlsoRecord = (_, _) => throw new InvalidOperationException("rolled back") }));

            Assert.Equal(2L, Synchronous());
            _ledger.MakeReservationDurable(first.ReservationId!.Value);
            Assert.Equal(1, _ledger.ReservationSyncs);
        }
    

        [Fact]
        public void A_ledger_whose_file_system_refused_WAL_syncs_the_file_itself()
        {
            Assert.Equal("delete", (string)_ledger.Database.Prepared("PRAGMA journal_mode=DELETE;").ExecuteScalar()!);
            var a = Reserve("a@example.test", durableBeforeSend: true);

            _ledger.MakeReservationDurable(a);

            Assert.Equal(1, _ledger.ReservationSyncs);
            Assert.False(System.IO.File.Exists(_file.Path + "-wal"));
        }
    }
}
