using System;
using System.Collections.Generic;
using System.Linq;
using MailQuota.Core.Monitoring;
using MailQuota.Core.Quota;
using MailQuota.Core.Sending;
using MailQuota.Core.Storage.Sqlite;

namespace MailQuota.Core.Tests
{
    /// <summary>
    /// Reservations committed without a sync, and the handover record that carries them to the disk
    /// before their message's data goes out: one sync for every reservation committed before it.
    /// </summary>
    public sealed class HandoverRecordsTests : IDisposable
    {
        readonly TempLedger _file = new TempLedger();

        public void Dispose() => _file.Dispose();

        [Fact]
        public void The_first_handover_after_a_reservation_syncs_and_a_handover_whose_reservation_that_sync_carried_does_not()
        {
            using var file = new SqliteLedger(_file.Path);
            var ledger = new HandoverLog(file);
            var records = new HandoverRecords(ledger, new FakeClock());
            Assert.True(records.Recorded);
            var a = Reserve(file, records, "a@example.test");
            var b = Reserve(file, records, "b@example.test");   // reserved while a waits for its go-ahead
            records.GoAhead(a);
            records.GoAhead(b);
            var c = Reserve(file, records, "c@example.test");
            records.GoAhead(c);
            Assert.Equal(new[] { (a.ReservationId!.Value, true), (b.ReservationId!.Value, false), (c.ReservationId!.Value, true) }, ledger.HandOvers);
            Assert.Equal(3, file.ReadSendLog(new SendLogQuery()).Count(e => e.Status == nameof(SendStatus.Unknown)));
        }

        [Fact]
        public void Without_a_handover_connection_nothing_is_recorded_and_reservations_are_synced_themselves()
        {
            var records = new HandoverRecords(null, new FakeClock());
            Assert.False(records.Recorded);
            records.GoAhead(new Delivery(new List<PendingRow>(), null!) { ReservationId = 1, Reserved = 1 });   // nothing to record on
        }

        [Fact]
        public void A_reservation_not_synced_itself_runs_at_normal_safety_and_the_ledger_is_back_at_full_safety_after_it()
        {
            using var file = new SqliteLedger(_file.Path);
            long Safety() => (long)file.Database.Prepared("PRAGMA synchronous;").ExecuteScalar()!;
            using (var tx = file.BeginReservation("a@example.test", durable: false))
            {
                Assert.Equal(1, Safety());   // NORMAL: the commit is in the file, the next durable write syncs it
                tx.Insert(new ReservationRequest("a@example.test", "x@example.test"), DateTimeOffset.UtcNow);
                tx.Commit();
            }
            Assert.Equal(2, Safety());       // FULL again
            using (file.BeginReservation("a@example.test", durable: false)) { }   // rolled back
            Assert.Equal(2, Safety());
            using (var tx = file.BeginReservation("a@example.test"))
            {
                Assert.Equal(2, Safety());
                tx.Commit();
            }
        }

        static Delivery Reserve(SqliteLedger file, HandoverRecords records, string recipient)
        {
            var delivery = new Delivery(new List<PendingRow>(), null!) { Attempt = 1 };
            lock (records.Turn)
            {
                using var tx = file.BeginReservation("hr@example.test", durable: false);
                delivery.ReservationId = tx.Insert(new ReservationRequest("hr@example.test", recipient) { DurableAtHandover = true }, DateTimeOffset.UtcNow);
                tx.Commit();
                delivery.Reserved = records.Reserved();
            }
            return delivery;
        }

        /// <summary>The handover connection, noting whether each record was asked to sync.</summary>
        sealed class HandoverLog : ILedger
        {
            readonly ILedger _ledger;
            public HandoverLog(ILedger ledger) => _ledger = ledger;
            public List<(long, bool)> HandOvers { get; } = new List<(long, bool)>();

            public void HandOver(long reservationId, DateTimeOffset at, int attempts, bool durable)
            {
                HandOvers.Add((reservationId, durable));
                _ledger.HandOver(reservationId, at, attempts, durable);
            }

            public IReservationTransaction BeginReservation(string account, bool durable = true) => _ledger.BeginReservation(account, durable);
            public void Complete(long reservationId, SendStatus status, DateTimeOffset at, string? reply, int attempts) => _ledger.Complete(reservationId, status, at, reply, attempts);
            public QuotaPolicy? GetPolicy(string account) => _ledger.GetPolicy(account);
            public void SavePolicy(string account, QuotaPolicy policy, DateTimeOffset at) => _ledger.SavePolicy(account, policy, at);
            public IReadOnlyList<string> Accounts() => _ledger.Accounts();
            public WindowUse UseSince(string account, DateTimeOffset since) => _ledger.UseSince(account, since);
            public IReadOnlyList<ReservationPoint> ReservationsSince(string account, DateTimeOffset since, int max) => _ledger.ReservationsSince(account, since, max);
            public void Dispose() { }
        }
    }
}
