using System;
using System.Collections.Generic;
using System.IO;
using MailQuota.Core.Quota;
using Microsoft.Data.Sqlite;

namespace MailQuota.Core.Storage.Sqlite
{
    /// <summary>
    /// The embedded ledger: one SQLite file per host, shared by every process of the user.
    /// WAL with synchronous=FULL, so a confirmed send survives a crash; reservations run under
    /// BEGIN IMMEDIATE, so two processes decide one after the other on the same counts.
    /// </summary>
    public sealed partial class SqliteLedger : ILedger
    {
        /// <summary>
        /// The tables of every feature (idempotent DDL, run in one transaction at every open). Each
        /// feature keeps its own DDL beside its queries (SqliteLedger.*.cs) and is listed here.
        /// </summary>
        static readonly string[] Schema = { SendsSchema, SendLogSchema, AlertsSchema, PacingSchema, CampaignsSchema, FingerprintsSchema, BouncesSchema };
        readonly SqliteConnection _connection;

        public SqliteLedger(string path)
        {
            Path = path;
            var dir = System.IO.Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            _connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = false,
                DefaultTimeout = 60,
            }.ToString());
            _connection.Open();
            Execute("PRAGMA journal_mode=WAL;");
            Execute("PRAGMA synchronous=FULL;");
            Execute("PRAGMA busy_timeout=30000;");
            Execute("PRAGMA mmap_size=268435456;"); // reads of a large ledger (fingerprint lookups) without a syscall per page
            Migrate();
        }

        public string Path { get; }

        void Migrate()
        {
            Execute("BEGIN IMMEDIATE;");
            try
            {
                foreach (var ddl in Schema) Execute(ddl);
                Execute("COMMIT;");
            }
            catch
            {
                Execute("ROLLBACK;");
                throw;
            }
        }

        const string SendsSchema = @"
CREATE TABLE IF NOT EXISTS sends (
  id           INTEGER PRIMARY KEY,
  account      TEXT    NOT NULL,
  campaign     TEXT,
  recipient    TEXT    NOT NULL,
  recipients   INTEGER NOT NULL,
  reserved_at  INTEGER NOT NULL,   -- Unix milliseconds, UTC; never decreases within an account
  cum_messages   INTEGER NOT NULL, -- messages of the account up to and including this row
  cum_recipients INTEGER NOT NULL, -- recipients likewise
  completed_at INTEGER,
  status       TEXT    NOT NULL,
  message_id   TEXT,
  reply        TEXT,
  attempts     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS sends_window ON sends(account, reserved_at, cum_messages, cum_recipients);
CREATE INDEX IF NOT EXISTS sends_released ON sends(account, reserved_at, recipients) WHERE status='Released';
CREATE TABLE IF NOT EXISTS accounts (
  account     TEXT PRIMARY KEY,
  policy      TEXT NOT NULL,
  updated_at  INTEGER NOT NULL
);";

        public IReservationTransaction BeginReservation(string account) => new Transaction(this, account);

        /// <summary>
        /// Records the outcome. Only the reservation needs a full sync: this update is committed with
        /// synchronous=NORMAL (durable against a process crash, not a power cut), halving the syncs
        /// per message. Should a power cut lose it, the row stays InFlight, which still counts
        /// against the quota and is reported Unknown, never resent: the safe side.
        /// </summary>
        public void Complete(long reservationId, SendStatus status, DateTimeOffset at, string? reply, int attempts)
        {
            var cmd = Prepared("UPDATE sends SET status=$s, completed_at=$t, reply=$r, attempts=$n WHERE id=$id");
            cmd.Parameters.AddWithValue("$s", status.ToString());
            cmd.Parameters.AddWithValue("$t", at.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$r", (object?)reply ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$n", attempts);
            cmd.Parameters.AddWithValue("$id", reservationId);
            Execute("PRAGMA synchronous=NORMAL;");
            try { cmd.ExecuteNonQuery(); }
            finally { Execute("PRAGMA synchronous=FULL;"); }
            // A message the server never took is no near-duplicate of anything: its retry carries the fingerprint.
            if (status == SendStatus.Released || status == SendStatus.Refused) ForgetFingerprint(reservationId);
        }

        public QuotaPolicy? GetPolicy(string account)
        {
            using var cmd = Command("SELECT policy FROM accounts WHERE account=$a");
            cmd.Parameters.AddWithValue("$a", account);
            return cmd.ExecuteScalar() is string json ? QuotaPolicy.FromJson(json) : null;
        }

        public void SavePolicy(string account, QuotaPolicy policy, DateTimeOffset at)
        {
            using var cmd = Command(@"INSERT INTO accounts(account, policy, updated_at) VALUES($a, $p, $t)
ON CONFLICT(account) DO UPDATE SET policy=excluded.policy, updated_at=excluded.updated_at");
            cmd.Parameters.AddWithValue("$a", account);
            cmd.Parameters.AddWithValue("$p", policy.ToJson());
            cmd.Parameters.AddWithValue("$t", at.ToUnixTimeMilliseconds());
            cmd.ExecuteNonQuery();
        }

        public IReadOnlyList<string> Accounts()
        {
            using var cmd = Command("SELECT account FROM accounts UNION SELECT DISTINCT account FROM sends ORDER BY 1");
            using var reader = cmd.ExecuteReader();
            var list = new List<string>();
            while (reader.Read()) list.Add(reader.GetString(0));
            return list;
        }

        public WindowUse UseSince(string account, DateTimeOffset since) => QueryUse(account, since);

        public IReadOnlyList<ReservationPoint> ReservationsSince(string account, DateTimeOffset since, int max) =>
            QueryReservations(account, since, max);

        /// <summary>
        /// Use of a window in a few index seeks, however full it is: every row carries the account's
        /// running totals, so the use after <paramref name="since"/> is the latest totals minus the
        /// totals of the last row at or before it, less the (rare) released rows in between.
        /// </summary>
        WindowUse QueryUse(string account, DateTimeOffset since)
        {
            var cmd = Prepared(@"
SELECT
  COALESCE((SELECT cum_messages FROM sends WHERE account=$a ORDER BY reserved_at DESC, cum_messages DESC LIMIT 1), 0)
    - COALESCE((SELECT cum_messages FROM sends WHERE account=$a AND reserved_at<=$since ORDER BY reserved_at DESC, cum_messages DESC LIMIT 1), 0)
    - (SELECT COUNT(*) FROM sends WHERE account=$a AND status='Released' AND reserved_at>$since),
  COALESCE((SELECT cum_recipients FROM sends WHERE account=$a ORDER BY reserved_at DESC, cum_messages DESC LIMIT 1), 0)
    - COALESCE((SELECT cum_recipients FROM sends WHERE account=$a AND reserved_at<=$since ORDER BY reserved_at DESC, cum_messages DESC LIMIT 1), 0)
    - (SELECT TOTAL(recipients) FROM sends WHERE account=$a AND status='Released' AND reserved_at>$since)");
            cmd.Parameters.AddWithValue("$a", account);
            cmd.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
            using var reader = cmd.ExecuteReader();
            reader.Read();
            return new WindowUse(reader.GetInt32(0), (int)reader.GetDouble(1));
        }

        IReadOnlyList<ReservationPoint> QueryReservations(string account, DateTimeOffset since, int max)
        {
            using var cmd = Command(
                "SELECT reserved_at, recipients FROM sends WHERE account=$a AND reserved_at>$since AND status<>'Released' ORDER BY reserved_at LIMIT $max");
            cmd.Parameters.AddWithValue("$a", account);
            cmd.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$max", max);
            using var reader = cmd.ExecuteReader();
            var list = new List<ReservationPoint>();
            while (reader.Read())
                list.Add(new ReservationPoint(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), reader.GetInt32(1)));
            return list;
        }

        readonly Dictionary<string, SqliteCommand> _prepared = new Dictionary<string, SqliteCommand>();

        /// <summary>
        /// A command kept for the life of the connection, so SQLite parses its statement once: for
        /// the per-message path. Its parameters are cleared; do not dispose it.
        /// </summary>
        SqliteCommand Prepared(string sql)
        {
            if (!_prepared.TryGetValue(sql, out var cmd))
            {
                cmd = _connection.CreateCommand();
                cmd.CommandText = sql;
                _prepared[sql] = cmd;
            }
            cmd.Parameters.Clear();
            return cmd;
        }

        SqliteCommand Command(string sql)
        {
            var cmd = _connection.CreateCommand();
            cmd.CommandText = sql;
            return cmd;
        }

        void Execute(string sql) => Prepared(sql).ExecuteNonQuery();

        public void Dispose()
        {
            foreach (var cmd in _prepared.Values) cmd.Dispose();
            _connection.Dispose();
        }

        sealed class Transaction : IReservationTransaction
        {
            readonly SqliteLedger _ledger;
            readonly string _account;
            bool _open;

            public Transaction(SqliteLedger ledger, string account)
            {
                _ledger = ledger;
                _account = account;
                _ledger.Execute("BEGIN IMMEDIATE;");
                _open = true;
            }

            public WindowUse UseSince(DateTimeOffset since) => _ledger.QueryUse(_account, since);

            public IReadOnlyList<ReservationPoint> ReservationsSince(DateTimeOffset since, int max) =>
                _ledger.QueryReservations(_account, since, max);

            public DateTimeOffset? LastReservationAt()
            {
                var cmd = _ledger.Prepared("SELECT MAX(reserved_at) FROM sends WHERE account=$a AND status<>'Released'");
                cmd.Parameters.AddWithValue("$a", _account);
                return cmd.ExecuteScalar() is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
            }

            public long Insert(ReservationRequest r, DateTimeOffset at)
            {
                // Clamp to the account's latest time so running totals follow time order even if the
                // wall clock steps back.
                var cmd = _ledger.Prepared(@"
WITH last AS (SELECT reserved_at, cum_messages, cum_recipients FROM sends WHERE account=$a ORDER BY reserved_at DESC, cum_messages DESC LIMIT 1)
INSERT INTO sends(account, campaign, recipient, recipients, reserved_at, cum_messages, cum_recipients, status, message_id)
VALUES($a, $c, $r, $n,
  MAX($t, COALESCE((SELECT reserved_at FROM last), 0)),
  COALESCE((SELECT cum_messages FROM last), 0) + 1,
  COALESCE((SELECT cum_recipients FROM last), 0) + $n,
  'InFlight', $m);
SELECT last_insert_rowid();");
                cmd.Parameters.AddWithValue("$a", r.Account);
                cmd.Parameters.AddWithValue("$c", (object?)r.Campaign ?? DBNull.Value);
                cmd.Parameters.AddWithValue("$r", r.Recipient);
                cmd.Parameters.AddWithValue("$n", r.Recipients);
                cmd.Parameters.AddWithValue("$t", at.ToUnixTimeMilliseconds());
                cmd.Parameters.AddWithValue("$m", (object?)r.MessageId ?? DBNull.Value);
                return (long)cmd.ExecuteScalar()!;
            }

            public void Commit()
            {
                _ledger.Execute("COMMIT;");
                _open = false;
            }

            public void Dispose()
            {
                if (_open) { _open = false; _ledger.Execute("ROLLBACK;"); }
            }
        }
    }
}
