namespace MailQuota.Core.Storage.Sqlite
{
    /// <summary>
    /// The ledger's schema, in one place: ordered forward migrations, and the version reached written
    /// in the file (PRAGMA user_version). A ledger of a newer version is refused, never rewritten.
    /// </summary>
    internal static class SqliteSchema
    {
        /// <summary>Migrations[i] brings a ledger from version i to i + 1. Append; never edit a shipped one.</summary>
        static readonly string[] Migrations = { Version1, Version2, Version3 };

        /// <summary>The version this module writes and reads.</summary>
        public static int Current => Migrations.Length;

        /// <summary>Brings the ledger to <see cref="Current"/>, atomically across processes; throws <see cref="LedgerTooNewException"/> for a newer one.</summary>
        public static void Upgrade(SqliteDatabase db)
        {
            if (db.UserVersion == Current) return;
            db.Exclusive(() =>
            {
                var found = db.UserVersion; // again under the lock: another process may have migrated meanwhile
                if (found > Current) throw new LedgerTooNewException(db.Path, found, Current);
                if (found == 0 && db.HasTablesBut("sends"))
                    throw LedgerUnavailableException.Unreadable(db.Path, "it is a SQLite database of another program (it has tables, but no ledger's)", null);
                for (var version = found; version < Current; version++) db.Execute(Migrations[version]);
                if (found < Current) db.UserVersion = Current;
                return found;
            });
        }

        /// <summary>
        /// Version 3: the process that made each reservation (see ProcessIdentity), so that a row left
        /// in flight is taken over only once that process is gone. Earlier rows have none: their
        /// processes are long gone.
        /// </summary>
        const string Version3 = @"
ALTER TABLE sends ADD COLUMN owner TEXT;";

        /// <summary>
        /// Version 2: an account's latest running totals are those of its last insertion (the largest
        /// totals), found by this index in one seek; the time order can be broken by a clock that ran
        /// ahead, the insertion order cannot.
        /// </summary>
        const string Version2 = @"
CREATE INDEX IF NOT EXISTS sends_totals ON sends(account, cum_messages, cum_recipients, reserved_at);";

        /// <summary>
        /// Version 1: the tables of v0.1.0, which had no version (0). IF NOT EXISTS throughout, so a
        /// v0.1.0 ledger gains only what it lacks. The sends carry each account's running totals,
        /// so a window's use is a few index seeks however full it is.
        /// </summary>
        const string Version1 = @"
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
);
-- the send log reads the sends across accounts by time
CREATE INDEX IF NOT EXISTS sends_time ON sends(reserved_at);
CREATE TABLE IF NOT EXISTS alerts (
  id          INTEGER PRIMARY KEY,
  account     TEXT    NOT NULL,
  kind        TEXT    NOT NULL,
  scope       TEXT    NOT NULL,
  raised_at   INTEGER NOT NULL,   -- Unix milliseconds, UTC
  open_until  INTEGER NOT NULL,
  observed    REAL    NOT NULL,
  threshold   REAL    NOT NULL,
  message     TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_open ON alerts(account, kind, scope, open_until);
-- the volume monitor reads only the (few) refused and in-flight sends after every send
CREATE INDEX IF NOT EXISTS sends_refused ON sends(account, reserved_at) WHERE status NOT IN ('Sent', 'InFlight', 'Released');
CREATE INDEX IF NOT EXISTS sends_in_flight ON sends(account, reserved_at) WHERE status='InFlight';
CREATE TABLE IF NOT EXISTS pacing (
  account         TEXT PRIMARY KEY,
  interval_ms     INTEGER,           -- least time between messages while the pace recovers (AIMD)
  cooldown_until  INTEGER,           -- Unix milliseconds, UTC
  suspended_until INTEGER,
  reason          TEXT,
  updated_at      INTEGER NOT NULL
);
-- a row's status is its message's (sends.status); only a permanent refusal of the recipient is its own
CREATE TABLE IF NOT EXISTS campaign_rows (
  campaign  TEXT    NOT NULL,
  row_key   TEXT    NOT NULL,     -- the recipient address, lower-cased
  send_id   INTEGER NOT NULL,     -- sends.id of the last message that carried the row (a Bcc batch carries several)
  rejected  TEXT,                 -- the reply when the server refused this recipient for good
  PRIMARY KEY (campaign, row_key)
);
-- content fingerprints: hashes only, no body or subject; the band index is ordered by time
CREATE TABLE IF NOT EXISTS content_fingerprints (
  send_id    INTEGER PRIMARY KEY REFERENCES sends(id),
  account    TEXT    NOT NULL,   -- the send's account, reserved_at and message_id, copied so that
  at         INTEGER NOT NULL,   -- a lookup reads this table and the band index only
  message_id TEXT,
  digest     INTEGER NOT NULL,   -- first 64 bits of SHA-256 of the normalised text
  simhash    INTEGER NOT NULL,
  minhash    BLOB    NOT NULL    -- 128 MinHash values, 16 bits each, little-endian
);
CREATE TABLE IF NOT EXISTS content_bands (
  band     INTEGER NOT NULL,   -- hash of one LSH band (8 MinHash values)
  at       INTEGER NOT NULL,   -- the send's reserved_at, so a lookup reads only its window
  send_id  INTEGER NOT NULL,
  PRIMARY KEY (band, at, send_id)
) WITHOUT ROWID;
-- a recipient's sends without a scan (case ignored, as addresses are): the hard bounces
CREATE INDEX IF NOT EXISTS sends_recipient ON sends(recipient COLLATE NOCASE, status, reserved_at);";
    }
}
