using System;
using System.IO;
using System.Linq;
using MailQuota.Core.Monitoring;
using MailQuota.Core.Quota;
using MailQuota.Core.Storage;
using MailQuota.Core.Storage.Sqlite;

namespace MailQuota.Core.Tests
{
    /// <summary>The ledger's schema version: written by a new ledger, reached by migration from every shipped version, and a newer one refused.</summary>
    public sealed class LedgerSchemaTests : IDisposable
    {
        readonly TempLedger _file = new TempLedger();

        public void Dispose() => _file.Dispose();

        static long Scalar(string path, string sql)
        {
            using var check = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
            check.Open();
            using var cmd = check.CreateCommand();
            cmd.CommandText = sql;
            return Convert.ToInt64(cmd.ExecuteScalar());
        }

        [Fact]
        public void A_new_ledger_is_written_at_the_current_schema_version()
        {
            using (new SqliteLedger(_file.Path)) { }
            Assert.True(SqliteLedger.SchemaVersion >= 1);
            Assert.Equal(SqliteLedger.SchemaVersion, Scalar(_file.Path, "PRAGMA user_version;"));
        }

        [Fact]
        public void A_ledger_of_a_newer_module_is_refused_and_left_as_it_is()
        {
            var newer = SqliteLedger.SchemaVersion + 1;
            using (var ledger = new SqliteLedger(_file.Path)) ledger.SavePolicy("a@example.test", new QuotaPolicy { MessagesPerDay = 5 }, DateTimeOffset.UtcNow);
            Scalar(_file.Path, $"PRAGMA user_version={newer};");

            var e = Assert.Throws<LedgerTooNewException>(() => new SqliteLedger(_file.Path));
            Assert.Equal("LedgerTooNew", LedgerTooNewException.ErrorId);
            Assert.Equal(_file.Path, e.Path);
            Assert.Equal(newer, e.FoundVersion);
            Assert.Contains(_file.Path, e.Message);
            Assert.Contains("newer version of MailQuotaPS", e.Message);
            Assert.Equal(newer, Scalar(_file.Path, "PRAGMA user_version;"));
            Assert.Equal(1, Scalar(_file.Path, "SELECT COUNT(*) FROM accounts"));
        }

        /// <summary>tests/fixtures/ledger-v0.1.0: written by v0.1.0, which had no schema version.</summary>
        [Fact]
        public void A_v010_ledger_is_migrated_and_keeps_its_sends_windows_and_rows()
        {
            var fixture = Path.Combine(AppContext.BaseDirectory, "fixtures", "ledger-v0.1.0", "ledger.sqlite");
            File.Copy(fixture, _file.Path);
            Assert.Equal(0, Scalar(_file.Path, "PRAGMA user_version;"));

            using (var ledger = new SqliteLedger(_file.Path))
            {
                Assert.Equal(new[] { "news@example.test", "ops@example.test" }, ledger.Accounts());
                Assert.Equal(18, ledger.ReadSendLog(new SendLogQuery()).Count());
                var use = ledger.UseSince("news@example.test", DateTimeOffset.UtcNow);
                Assert.Equal((10, 12), (use.Messages, use.Recipients));
                Assert.Equal(50, ledger.GetPolicy("news@example.test")!.MessagesPerHour);
                Assert.NotNull(ledger.GetPacing("news@example.test")!.SuspendedUntil);
                Assert.Single(ledger.OpenAlerts("news@example.test", DateTimeOffset.UtcNow));
                Assert.Equal(new[] { "gone@example.test" }, ledger.HardBouncedRecipients());
                Assert.NotNull(ledger.FindRow("autumn", "gone@example.test")!.RejectedReply);
                Assert.Equal(SendStatus.Sent, ledger.FindRow("winter", "b2@example.test")!.Status);
            }
            Assert.Equal(SqliteLedger.SchemaVersion, Scalar(_file.Path, "PRAGMA user_version;"));
            Assert.Equal(15, Scalar(_file.Path, "SELECT COUNT(*) FROM content_fingerprints"));
        }
    }
}
