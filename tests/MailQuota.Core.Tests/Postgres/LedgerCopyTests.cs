using System;
using System.Linq;
using MailQuota.Core.Content;
using MailQuota.Core.Monitoring;
using MailQuota.Core.Quota;
using MailQuota.Core.Storage.Engines;
using MailQuota.Core.Storage.Postgres;
using MailQuota.Core.Storage.Sqlite;

namespace MailQuota.Core.Tests.Postgres
{
    /// <summary>A ledger file copied into PostgreSQL: everything arrives, the windows still count, and a second copy adds nothing.</summary>
    [Collection(PostgresCluster.Collection)]
    public sealed class LedgerCopyTests : IDisposable
    {
        const string Account = "hr@example.test";
        readonly SqliteEngine _file = new SqliteEngine();
        readonly PostgresEngine _database;

        public LedgerCopyTests(PostgresCluster cluster) => _database = new PostgresEngine(cluster);

        public void Dispose() => _file.Dispose();

        static readonly ContentFingerprint Payslip = ContentFingerprint.Of(new MessageContent("Payslip", "Your payslip for November is ready, see the portal", null));

        [SkippableFact]
        public void Sends_campaigns_pacing_fingerprints_alerts_and_bounces_arrive_the_windows_still_count_and_a_second_copy_adds_nothing()
        {
            var clock = new FakeClock(DateTimeOffset.UtcNow.AddSeconds(-20));
            var policy = new QuotaPolicy { MessagesPerMinute = 5 };
            using (var file = (SqliteLedger)_file.Open())
            {
                var fileGate = new QuotaGate(file, clock);
                for (var i = 0; i < 4; i++)
                {
                    var recipient = $"r{i}@example.test";
                    var request = new ReservationRequest(Account, recipient) { Campaign = "Payroll", MessageId = $"m{i}@example.test" };
                    request.AlsoRecord = (id, at) => { file.LinkRows("Payroll", new[] { recipient }, id, false); file.Add(id, Account, at, request.MessageId, Payslip); };
                    var decision = fileGate.TryReserve(policy, request);
                    file.Complete(decision.ReservationId!.Value, i == 3 ? SendStatus.Failed : SendStatus.Sent, clock.UtcNow, i == 3 ? "550 5.1.1 user unknown" : "250 ok", 1);
                    clock.Advance(TimeSpan.FromSeconds(1));
                }
                file.SavePolicy(Account, policy, clock.UtcNow);
                file.ChangePacing(Account, s => { s.Interval = TimeSpan.FromSeconds(3); s.Reason = "454 too fast"; s.UpdatedAt = clock.UtcNow; return true; });
                file.TryRaise(new SendAlert(Account, AlertKind.VolumeSpike, "", clock.UtcNow, clock.UtcNow.AddHours(1), 400, 100, "spike"), out _);
            }

            LedgerCopyResult Copy()
            {
                using var file = (SqliteLedger)_file.Open();
                using var database = (PostgresLedger)_database.Open();
                return LedgerCopy.Copy(file, database);
            }
            var first = Copy();
            Assert.Equal((4, 4, 4, 1, 1, 1), (first.Sends, first.CampaignRows, first.Fingerprints, first.Alerts, first.Accounts, first.Pacing));
            var second = Copy();
            Assert.Equal((0, 0, 0, 0, 0, 0), (second.Sends, second.CampaignRows, second.Fingerprints, second.Alerts, second.Accounts, second.Pacing));

            using var ledger = _database.Open();
            Assert.Equal(4, ledger.ReadSendLog(new SendLogQuery()).Count());
            Assert.Equal(4, ledger.UseSince(Account, DateTimeOffset.UtcNow.AddMinutes(-1)).Messages);
            Assert.Equal(policy, ledger.GetPolicy(Account));
            Assert.Equal(TimeSpan.FromSeconds(3), ledger.GetPacing(Account)!.Interval);
            Assert.Equal("spike", Assert.Single(ledger.OpenAlerts(Account, DateTimeOffset.UtcNow)).Message);
            Assert.Equal(SendStatus.Sent, ledger.FindRow("Payroll", "r0@example.test")!.Status);
            Assert.Equal(4, ledger.Candidates(Account, Payslip, DateTimeOffset.UtcNow.AddHours(-1)).Count);
            Assert.Equal(new[] { "r3@example.test" }, ledger.HardBouncedRecipients());

            // The minute the file's host used still counts on the database: one message left of 5, then a wait.
            var gate = new QuotaGate(ledger, ledger.ClockFor(Time.SystemClock.Instance));
            Assert.True(gate.TryReserve(policy, new ReservationRequest(Account, "new1@example.test")).Granted);
            var held = gate.TryReserve(policy, new ReservationRequest(Account, "new2@example.test"));
            Assert.False(held.Granted);
            Assert.Contains("5 messages per minute", held.Reason);
            Assert.Equal(5, ledger.UseSince(Account, DateTimeOffset.UtcNow.AddMinutes(-1)).Messages);
        }

        [SkippableFact]
        public void Copied_history_older_than_the_databases_own_sends_keeps_the_windows_exact()
        {
            var now = DateTimeOffset.UtcNow;
            using (var database = _database.Open())
            using (var tx = database.BeginReservation(Account)) { tx.Insert(new ReservationRequest(Account, "db@example.test"), now.AddSeconds(-5)); tx.Commit(); }
            using (var file = _file.Open())
            using (var tx = file.BeginReservation(Account))
            {
                tx.Insert(new ReservationRequest(Account, "old@example.test"), now.AddHours(-3));
                tx.Insert(new ReservationRequest(Account, "recent@example.test"), now.AddSeconds(-30));
                tx.Commit();
            }
            using (var file = (SqliteLedger)_file.Open())
            using (var database = (PostgresLedger)_database.Open())
                Assert.Equal(2, LedgerCopy.Copy(file, database).Sends);
            using var ledger = _database.Open();
            Assert.Equal(2, ledger.UseSince(Account, now.AddMinutes(-1)).Messages);     // recent + db, not old
            Assert.Equal(3, ledger.UseSince(Account, now.AddDays(-1)).Messages);
            Assert.Equal(now.AddSeconds(-30).ToUnixTimeMilliseconds(), ledger.ReservationsSince(Account, now.AddMinutes(-1), 1)[0].At.ToUnixTimeMilliseconds());
        }
    }
}
