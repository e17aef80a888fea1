using System;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using MailQuota.Core.Quota;
using MailQuota.Core.Storage;
using MailQuota.Core.Storage.Engines;
using MailQuota.Core.Storage.Postgres;
using MailQuota.Core.Time;

namespace MailQuota.Core.Tests.Postgres
{
    /// <summary>What only the PostgreSQL engine has: its schema versions, locks, sign-in, faults and the one clock.</summary>
    [Collection(PostgresCluster.Collection)]
    public sealed class PostgresLedgerTests : IDisposable
    {
        readonly PostgresCluster _cluster;
        readonly PostgresEngine _engine;

        public PostgresLedgerTests(PostgresCluster cluster)
        {
            _cluster = cluster;
            _engine = new PostgresEngine(cluster);
        }

        public void Dispose() => _engine.Dispose();

        PostgresLedger Open(TimeSpan? lockTimeout = null, CancellationToken cancel = default) =>
            new PostgresLedger(PostgresTarget.Parse(_engine.Location), lockTimeout, cancel);

        [SkippableFact]
        public void A_new_database_gets_the_current_schema_version()
        {
            using (Open()) { }
            Assert.Equal(PostgresLedger.SchemaVersion, Convert.ToInt32(_engine.Scalar("SELECT version FROM mailquota_schema")));
            using (Open()) { }                                                    // opening again migrates nothing
            Assert.Equal(1L, _engine.Scalar("SELECT COUNT(*) FROM mailquota_schema"));
        }

        [SkippableFact]
        public void A_database_of_a_newer_module_is_refused_and_left_as_it_is()
        {
            using (var ledger = Open()) ledger.SavePolicy("a@example.test", new QuotaPolicy { MessagesPerDay = 5 }, DateTimeOffset.UtcNow);
            var newer = PostgresLedger.SchemaVersion + 1;
            _engine.Scalar($"UPDATE mailquota_schema SET version = {newer}");
            var e = Assert.Throws<LedgerTooNewException>(() => Open());
            Assert.Equal(newer, e.FoundVersion);
            Assert.Contains("newer version of MailQuotaPS", e.Message);
            Assert.Equal(newer, Convert.ToInt32(_engine.Scalar("SELECT version FROM mailquota_schema")));
            Assert.Equal(1L, _engine.Scalar("SELECT COUNT(*) FROM accounts"));
        }

        [SkippableFact]
        public void A_user_without_CREATE_uses_a_schema_made_by_another()
        {
            using (Open()) { }                                                    // made by the owner
            _engine.Scalar("DROP ROLE IF EXISTS mq_reader; CREATE ROLE mq_reader LOGIN; GRANT USAGE ON SCHEMA public TO mq_reader; "
                + "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO mq_reader; GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO mq_reader");
            var asReader = _engine.Location.Replace("Username=postgres", "Username=mq_reader");
            using var ledger = new PostgresLedger(PostgresTarget.Parse(asReader));
            Assert.True(new QuotaGate(ledger, new FakeClock()).TryReserve(new QuotaPolicy(), new ReservationRequest("a", "x@example.test")).Granted);
        }

        [SkippableFact]
        public void A_lock_held_past_the_bound_is_LedgerBusy_not_a_hang()
        {
            using var holder = Open();
            using var waiter = Open(TimeSpan.FromMilliseconds(300));
            using var held = holder.BeginReservation("a@example.test");
            var e = Assert.Throws<LedgerUnavailableException>(() => waiter.BeginReservation("a@example.test"));
            Assert.Equal("LedgerBusy", e.ErrorId);
            using (waiter.BeginReservation("b@example.test")) { }               // another account is not held
        }

        [SkippableFact]
        public async Task A_wait_for_a_lock_is_cancelled_by_the_token()
        {
            using var holder = Open();
            using var cancel = new CancellationTokenSource();
            using var waiter = Open(TimeSpan.FromMinutes(5), cancel.Token);
            using var held = holder.BeginReservation("a@example.test");
            var wait = Task.Run(() => waiter.BeginReservation("a@example.test"));
            Assert.False(wait.Wait(300));                                          // it waits for the lock
            cancel.Cancel();
            await Assert.ThrowsAsync<OperationCanceledException>(() => wait);
        }

        [SkippableFact]
        public void The_password_comes_from_the_credential_or_PGPASSWORD_and_never_shows_in_an_error()
        {
            var asSecret = _engine.Location.Replace("Username=postgres", "Username=" + PostgresCluster.PasswordUser);
            using (var ledger = LedgerEngines.Open(asSecret, new NetworkCredential(PostgresCluster.PasswordUser, PostgresCluster.Password)))
                Assert.Empty(ledger.Accounts());
            var old = Environment.GetEnvironmentVariable("PGPASSWORD");
            try
            {
                Environment.SetEnvironmentVariable("PGPASSWORD", PostgresCluster.Password);
                using (var ledger = LedgerEngines.Open(asSecret)) Assert.Empty(ledger.Accounts());
                Environment.SetEnvironmentVariable("PGPASSWORD", null);
            }
            finally { Environment.SetEnvironmentVariable("PGPASSWORD", old); }
            const string wrong = "Wr0ng-guess-Pa55";
            var e = Assert.Throws<LedgerUnavailableException>(() => LedgerEngines.Open(asSecret, new NetworkCredential(PostgresCluster.PasswordUser, wrong)));
            Assert.Equal("LedgerUnavailable", e.ErrorId);
            Assert.Contains("password authentication failed", e.Message);
            Assert.DoesNotContain(wrong, e.ToString());
        }

        [SkippableFact]
        public void The_password_comes_from_a_pgpass_file()
        {
            var asSecret = _engine.Location.Replace("Username=postgres", "Username=" + PostgresCluster.PasswordUser);
            var passfile = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mqps-pgpass-" + Guid.NewGuid().ToString("N"));
            System.IO.File.WriteAllText(passfile, $"127.0.0.1:{_cluster.Port}:*:{PostgresCluster.PasswordUser}:{PostgresCluster.Password}\n");
            if (!OperatingSystem.IsWindows()) System.IO.File.SetUnixFileMode(passfile, System.IO.UnixFileMode.UserRead | System.IO.UnixFileMode.UserWrite);
            var old = Environment.GetEnvironmentVariable("PGPASSFILE");
            try
            {
                Environment.SetEnvironmentVariable("PGPASSFILE", passfile);
                using var ledger = LedgerEngines.Open(asSecret);
                Assert.Empty(ledger.Accounts());
            }
            finally
            {
                Environment.SetEnvironmentVariable("PGPASSFILE", old);
                System.IO.File.Delete(passfile);
            }
        }

        [SkippableFact]
        public void A_password_written_in_the_connection_is_refused_without_echoing_it()
        {
            _cluster.Require();
            foreach (var text in new[] { _engine.Location + ";Password=Hunter2-secret", $"postgresql://postgres:Hunter2-secret@127.0.0.1:{_cluster.Port}/x" })
            {
                var e = Assert.Throws<ArgumentException>(() => LedgerEngines.Open(text));
                Assert.Contains("-LedgerCredential", e.Message);
                Assert.DoesNotContain("Hunter2", e.ToString());
            }
        }

        [SkippableFact]
        public void A_postgresql_URI_opens_the_same_ledger_and_its_sslmode_is_honoured()
        {
            var database = _engine.Location.Split(';').Single(p => p.StartsWith("Database=")).Substring("Database=".Length);
            using (var ledger = Open()) ledger.SavePolicy("a@example.test", new QuotaPolicy { MessagesPerDay = 7 }, DateTimeOffset.UtcNow);
            var uri = $"postgresql://postgres@127.0.0.1:{_cluster.Port}/{database}";
            Assert.True(LedgerEngines.IsPostgres(uri));
            using (var ledger = LedgerEngines.Open(uri + "?sslmode=disable&application_name=uri-test"))
                Assert.Equal(7, ledger.GetPolicy("a@example.test")!.MessagesPerDay);
            // The test server has no SSL: requiring it must fail, not fall back to clear text.
            var e = Assert.Throws<LedgerUnavailableException>(() => LedgerEngines.Open(uri + "?sslmode=require"));
            Assert.Equal("LedgerUnavailable", e.ErrorId);
        }

        [SkippableFact]
        public void A_server_that_cannot_be_reached_is_LedgerUnavailable_naming_it()
        {
            _cluster.Require();
            var e = Assert.Throws<LedgerUnavailableException>(() => LedgerEngines.Open("Host=127.0.0.1;Port=1;Database=nowhere;Username=postgres;Timeout=3"));
            Assert.Equal("LedgerUnavailable", e.ErrorId);
            Assert.Contains("'nowhere' on 127.0.0.1:1", e.Message);
        }

        [SkippableFact]
        public void Hosts_with_skewed_clocks_share_one_window_by_the_servers_clock()
        {
            // Two hosts, one 90 s ahead and one 90 s behind: each run's clock is the server's, so the
            // stamps agree and a minute's limit holds across them.
            var policy = new QuotaPolicy { MessagesPerMinute = 5 };
            using var ahead = Open();
            using var behind = Open();
            var aheadClock = ahead.ClockFor(new OffsetClock(SystemClock.Instance, TimeSpan.FromSeconds(90)));
            var behindClock = behind.ClockFor(new OffsetClock(SystemClock.Instance, TimeSpan.FromSeconds(-90)));
            Assert.True(Math.Abs((aheadClock.UtcNow - behindClock.UtcNow).TotalSeconds) < 1);
            var gates = new[] { new QuotaGate(ahead, aheadClock), new QuotaGate(behind, behindClock) };
            var decisions = Enumerable.Range(0, 8).Select(i => gates[i % 2].TryReserve(policy, new ReservationRequest("a@example.test", $"r{i}@example.test"))).ToList();
            Assert.Equal(5, decisions.Count(d => d.Granted));
            var server = DateTimeOffset.FromUnixTimeMilliseconds((long)_engine.Scalar("SELECT " + "floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint")!);
            foreach (var d in decisions.Where(d => d.Granted)) Assert.True(Math.Abs((server - d.At).TotalSeconds) < 5, $"stamped {d.At:O}, server {server:O}");
            var refused = decisions.First(d => !d.Granted);
            Assert.True(refused.RetryAt - refused.At > TimeSpan.FromSeconds(55));   // the window frees a minute after the first, by the one clock
        }

        [SkippableFact]
        public void A_server_stopped_mid_run_is_LedgerUnavailable_and_no_reservation_is_half_made()
        {
            using var ledger = Open();
            var gate = new QuotaGate(ledger, ledger.ClockFor(SystemClock.Instance));
            Assert.True(gate.TryReserve(new QuotaPolicy(), new ReservationRequest("a@example.test", "before@example.test")).Granted);
            _cluster.Stop();
            try
            {
                var e = Assert.Throws<LedgerUnavailableException>(() => gate.TryReserve(new QuotaPolicy(), new ReservationRequest("a@example.test", "during@example.test")));
                Assert.Equal("LedgerUnavailable", e.ErrorId);
            }
            finally { _cluster.Start(); }
            using var again = Open();
            Assert.Equal(new[] { "before@example.test" }, again.ReadSendLog(new Monitoring.SendLogQuery()).Select(s => s.Recipient));
        }
    }
}
