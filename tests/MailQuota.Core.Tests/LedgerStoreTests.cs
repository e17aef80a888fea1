using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using MailQuota.Core.Quota;
using MailQuota.Core.Storage.Sqlite;
using MailQuota.Core.Tests.Postgres;

namespace MailQuota.Core.Tests
{
    /// <summary>The ledger's own rules, on each engine: reopening, outcomes, rollback, several processes, pacing, take-over.</summary>
    public abstract class LedgerStoreTests : IDisposable
    {
        readonly LedgerEngine _engine;

        protected LedgerStoreTests(LedgerEngine engine) => _engine = engine;

        public void Dispose() => _engine.Dispose();

        [SkippableFact]
        public void Reservations_and_policies_survive_reopening_the_ledger()
        {
            var clock = new FakeClock();
            var policy = new QuotaPolicy { MessagesPerHour = 2, MinInterval = TimeSpan.FromSeconds(1) };
            using (var ledger = _engine.Open())
            {
                var gate = new QuotaGate(ledger, clock);
                Assert.True(gate.TryReserve(policy, new ReservationRequest("a", "x@example.test")).Granted);
                clock.Advance(TimeSpan.FromSeconds(5));
                Assert.True(gate.TryReserve(policy, new ReservationRequest("a", "y@example.test")).Granted);
                ledger.SavePolicy("a", policy, clock.UtcNow);
            }
            using (var reopened = _engine.Open())
            {
                Assert.Equal(policy, reopened.GetPolicy("a"));
                Assert.Equal(new[] { "a" }, reopened.Accounts());
                var refused = new QuotaGate(reopened, clock).TryReserve(policy, new ReservationRequest("a", "z@example.test"));
                Assert.False(refused.Granted);
            }
        }

        [SkippableFact]
        public void Complete_records_the_outcome_of_a_reservation()
        {
            var clock = new FakeClock();
            using var ledger = _engine.Open();
            var id = new QuotaGate(ledger, clock).TryReserve(new QuotaPolicy(), new ReservationRequest("a", "x@example.test") { MessageId = "m1@x" }).ReservationId!.Value;
            ledger.Complete(id, SendStatus.Sent, clock.UtcNow, "250 2.0.0 queued", 1);
            var entry = Assert.Single(ledger.ReadSendLog(new MailQuota.Core.Monitoring.SendLogQuery()));
            Assert.Equal(id, entry.Id);
            Assert.Equal("Sent", entry.Status);
            Assert.Equal("250 2.0.0 queued", entry.Reply);
            Assert.Equal("m1@x", entry.MessageId);
            Assert.Equal(1, entry.Attempts);
        }

        [SkippableFact]
        public void An_abandoned_reservation_transaction_rolls_back()
        {
            using var ledger = _engine.Open();
            using (var tx = ledger.BeginReservation("a"))
                tx.Insert(new ReservationRequest("a", "x@example.test"), DateTimeOffset.UtcNow);
            Assert.Equal(0, ledger.UseSince("a", DateTimeOffset.UtcNow.AddDays(-1)).Messages);
        }

        [SkippableFact]
        public async Task Two_processes_on_one_ledger_never_reserve_more_than_the_limit_together()
        {
            const int limit = 150;
            var workers = Enumerable.Range(0, 2).Select(_ => StartWorker(_engine.Location, "shared@example.test", attempts: 120, limit)).ToList();
            foreach (var w in workers) Assert.Equal("ready", await w.StandardOutput.ReadLineAsync());
            foreach (var w in workers) await w.StandardInput.WriteLineAsync("go");
            var granted = 0;
            foreach (var w in workers)
            {
                var line = await w.StandardOutput.ReadLineAsync();
                Assert.StartsWith("granted ", line);
                var n = int.Parse(line!.Substring("granted ".Length));
                Assert.True(n > 0, "each worker got some of the quota");
                granted += n;
                Assert.True(w.WaitForExit(60_000));
                Assert.Equal(0, w.ExitCode);
            }
            Assert.Equal(limit, granted);
            using var ledger = _engine.Open();
            Assert.Equal(limit, ledger.UseSince("shared@example.test", DateTimeOffset.UtcNow.AddHours(-1)).Messages);
        }

        static Process StartWorker(string ledger, string account, int attempts, int limit, bool hold = false)
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "LedgerWorker.dll");
            var info = new ProcessStartInfo("dotnet")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { dll, ledger, account, attempts.ToString(), limit.ToString() }) info.ArgumentList.Add(a);
            if (hold) info.ArgumentList.Add("hold");
            return Process.Start(info)!;
        }

        [SkippableFact]
        public void A_change_of_pacing_is_atomic_so_another_process_never_overwrites_it()
        {
            // Two processes: one recovers the pace while the other suspends the account after a
            // daily-quota reply. Each change reads and writes under the lock, so the later one
            // builds on the earlier one: the recovery does not wipe the suspension.
            var t0 = new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
            using var first = _engine.Open();
            using var second = _engine.Open();
            first.ChangePacing("a", s => { s.Interval = TimeSpan.FromSeconds(4); s.UpdatedAt = t0; return true; });
            Task? suspend = null;
            first.ChangePacing("a", s =>
            {
                // The other process tries to suspend the account while this change is in progress: it must wait for it.
                suspend = Task.Run(() => second.ChangePacing("a", t => { t.SuspendedUntil = t0.AddDays(1); t.Reason = "quota"; return true; }));
                Assert.False(suspend.Wait(300));
                s.Interval = TimeSpan.FromSeconds(2);
                return true;
            });
            suspend!.Wait();
            var state = first.GetPacing("a")!;
            Assert.Equal(TimeSpan.FromSeconds(2), state.Interval);           // the recovery
            Assert.Equal(t0.AddDays(1), state.SuspendedUntil);               // and the suspension
        }

        [SkippableFact]
        public void A_running_process_that_reserved_is_alive_to_every_other_process()
        {
            // Each worker stamps its row with its own identity; this process must read each of them as
            // running. On Linux two processes read one process's start from .NET a millisecond apart
            // about one time in three: eight workers all read alike by chance about one time in 25.
            var workers = Enumerable.Range(0, 8).Select(_ => StartWorker(_engine.Location, "alive@example.test", 1, 100, hold: true)).ToList();
            try
            {
                foreach (var w in workers)
                {
                    Assert.Equal("ready", w.StandardOutput.ReadLine());
                    w.StandardInput.WriteLine();
                    Assert.Equal("granted 1", w.StandardOutput.ReadLine());
                }
                var owners = workers.Select((_, i) => (string)_engine.Scalar($"SELECT owner FROM sends WHERE account = 'alive@example.test' ORDER BY id LIMIT 1 OFFSET {i}")!).ToList();
                Assert.Equal(workers.Count, owners.Distinct().Count());
                Assert.All(owners, owner => Assert.True(MailQuota.Core.Storage.ProcessIdentity.IsAlive(owner), owner + " reads as gone"));
                Assert.All(owners, owner => Assert.False(MailQuota.Core.Storage.ProcessIdentity.DiedWithoutRestart(owner), owner));
            }
            finally
            {
                foreach (var w in workers)
                {
                    w.StandardInput.WriteLine();
                    w.WaitForExit(60_000);
                }
            }
        }

        [SkippableFact]
        public void RetryUnknown_takes_over_a_row_in_flight_only_once_the_process_that_sent_it_is_gone()
        {
            if (System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows)) return;
            using var ledger = _engine.Open();
            var at = new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
            long Reserve(bool retryUnknown)
            {
                using var tx = ledger.BeginReservation("a");
                var id = tx.Insert(new ReservationRequest("a", "row@example.test") { Campaign = "c" }, at);
                ledger.LinkRows("c", new[] { "row@example.test" }, id, retryUnknown);
                tx.Commit();
                return id;
            }
            var first = Reserve(false);                                   // left in flight
            // ... by another process that is still running: a real one.
            using var other = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
            var owner = MailQuota.Core.Storage.ProcessIdentity.Of(other);
            _engine.Scalar($"UPDATE sends SET owner = '{owner}' WHERE id = {first}");
            Assert.Throws<MailQuota.Core.Campaigns.CampaignRowTakenException>(() => Reserve(true));   // it may still be sending it
            other.Kill();
            other.WaitForExit();
            Assert.True(Reserve(true) > first);                           // gone: the row is taken over
        }
    }

    public sealed class SqliteLedgerStoreTests : LedgerStoreTests
    {
        public SqliteLedgerStoreTests() : base(new SqliteEngine()) { }
    }

    [Collection(PostgresCluster.Collection)]
    public sealed class PostgresLedgerStoreTests : LedgerStoreTests
    {
        public PostgresLedgerStoreTests(PostgresCluster cluster) : base(new PostgresEngine(cluster)) { }
    }

    /// <summary>What only the SQLite file has.</summary>
    public sealed class SqliteLedgerTests : IDisposable
    {
        readonly TempLedger _file = new TempLedger();

        public void Dispose() => _file.Dispose();

        [Fact]
        public void The_file_uses_write_ahead_logging()
        {
            using var ledger = new SqliteLedger(_file.Path);
            using var check = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_file.Path};Pooling=False");
            check.Open();
            using var cmd = check.CreateCommand();
            cmd.CommandText = "PRAGMA journal_mode;";
            Assert.Equal("wal", cmd.ExecuteScalar());
        }
    }
}
