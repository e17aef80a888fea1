using System;
using System.Linq;
using MailQuota.Core.Import;
using MailQuota.Core.Quota;
using MailQuota.Core.Storage.Sqlite;

namespace MailQuota.Core.Tests
{
    public sealed class SqliteLedgerBouncesTests : IDisposable
    {
        readonly TempLedger _file = new TempLedger();
        readonly FakeClock _clock = new FakeClock();

        public void Dispose() => _file.Dispose();

        void Send(SqliteLedger ledger, string account, string recipient, SendStatus status, string reply)
        {
            var id = new QuotaGate(ledger, _clock).TryReserve(new QuotaPolicy(), new ReservationRequest(account, recipient)).ReservationId!.Value;
            _clock.Advance(TimeSpan.FromSeconds(1));
            ledger.Complete(id, status, _clock.UtcNow, reply, 1);
        }

        [Fact]
        public void Hard_bounces_are_the_recipients_whose_latest_outcome_was_an_unknown_mailbox()
        {
            using (var ledger = new SqliteLedger(_file.Path))
            {
                Send(ledger, "hr", "gone@example.test", SendStatus.Failed, "550 5.1.1 User unknown");
                Send(ledger, "it", "GONE@example.test", SendStatus.Failed, "550 5.1.1 User unknown");   // same mailbox, other account
                Send(ledger, "hr", "full@example.test", SendStatus.Failed, "452 4.2.2 Mailbox full");
                Send(ledger, "hr", "quota@example.test", SendStatus.Failed, "550 5.4.5 Daily user sending limit exceeded");
                Send(ledger, "hr", "back@example.test", SendStatus.Failed, "550 5.1.1 User unknown");
                Send(ledger, "hr", "back@example.test", SendStatus.Sent, "250 2.0.0 OK");               // recreated since
                Send(ledger, "hr", "ok@example.test", SendStatus.Sent, "250 2.0.0 OK");
                Send(ledger, "it", "moved@example.test", SendStatus.Failed, "550 5.1.6 Mailbox has moved");
            }
            using var reopened = new SqliteLedger(_file.Path);
            IBounceSource bounces = reopened;
            Assert.Equal(new[] { "gone@example.test", "moved@example.test" },
                bounces.HardBouncedRecipients().Select(r => r.ToLowerInvariant()).OrderBy(r => r));
        }

        [Fact]
        public void The_recipient_index_exists_after_opening()
        {
            using var ledger = new SqliteLedger(_file.Path);
            using var check = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_file.Path};Pooling=False");
            check.Open();
            using var cmd = check.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type='index' AND name='sends_recipient'";
            Assert.Equal(1L, cmd.ExecuteScalar());
        }
    }
}
