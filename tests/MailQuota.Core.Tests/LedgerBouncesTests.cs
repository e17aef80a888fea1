using System;
using System.Linq;
using MailQuota.Core.Import;
using MailQuota.Core.Quota;
using MailQuota.Core.Storage;
using MailQuota.Core.Tests.Postgres;

namespace MailQuota.Core.Tests
{
    public abstract class LedgerBouncesTests : IDisposable
    {
        readonly LedgerEngine _engine;

        protected LedgerBouncesTests(LedgerEngine engine) => _engine = engine;
        readonly FakeClock _clock = new FakeClock();

        public void Dispose() => _engine.Dispose();

        void Send(ILedgerStores ledger, string account, string recipient, SendStatus status, string reply)
        {
            var id = new QuotaGate(ledger, _clock).TryReserve(new QuotaPolicy(), new ReservationRequest(account, recipient)).ReservationId!.Value;
            _clock.Advance(TimeSpan.FromSeconds(1));
            ledger.Complete(id, status, _clock.UtcNow, reply, 1);
        }

        [SkippableFact]
        public void Hard_bounces_are_the_recipients_whose_latest_outcome_was_an_unknown_mailbox()
        {
            using (var ledger = _engine.Open())
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
            using var reopened = _engine.Open();
            IBounceSource bounces = reopened;
            Assert.Equal(new[] { "gone@example.test", "moved@example.test" },
                bounces.HardBouncedRecipients().Select(r => r.ToLowerInvariant()).OrderBy(r => r));
        }

        [SkippableFact]
        public void The_recipient_index_exists_after_opening()
        {
            using var ledger = _engine.Open();
            Assert.True(_engine.HasIndex("sends_recipient"));
        }
    }

    public sealed class SqliteBouncesTests : LedgerBouncesTests { public SqliteBouncesTests() : base(new SqliteEngine()) { } }

    [Collection(PostgresCluster.Collection)]
    public sealed class PostgresBouncesTests : LedgerBouncesTests { public PostgresBouncesTests(PostgresCluster cluster) : base(new PostgresEngine(cluster)) { } }
}
