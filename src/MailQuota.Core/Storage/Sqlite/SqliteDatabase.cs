using System;
using System.Collections.Generic;
using System.IO;
using MailQuota.Core.Files;
using MailQuota.Core.Storage;
using Microsoft.Data.Sqlite;

namespace MailQuota.Core.Storage.Sqlite
{
    /// <summary>
    /// The one connection to a ledger file that every store of it shares, with its statement cache and
    /// its transactions. WAL with synchronous=FULL, so a confirmed send survives a crash; writes that
    /// decide on counts run under BEGIN IMMEDIATE, so two processes decide one after the other.
    /// </summary>
    internal sealed class SqliteDatabase : IDisposable
    {
        readonly SqliteConnection _connection;
        readonly Dictionary<string, SqliteCommand> _prepared = new Dictionary<string, SqliteCommand>();

        /// <summary>How long a statement waits for another process's lock before the ledger is busy.</summary>
        public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(30);

        public SqliteDatabase(string path, TimeSpan busyTimeout)
        {
            Path = path;
            if (Directory.Exists(path)) throw LedgerUnavailableException.Unreadable(path, "it is a folder", null);
            OwnerOnlyFiles.Create(path);
            _connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = false,
                DefaultTimeout = 60,
                ForeignKeys = true,
            }.ToString());
            try
            {
                _connection.Open();
                Execute($"PRAGMA busy_timeout={(long)busyTimeout.TotalMilliseconds};");
                Execute("PRAGMA journal_mode=WAL;");
                Execute("PRAGMA synchronous=FULL;");
                // A checkpoint copies the WAL's pages into the file and syncs both, on the thread whose commit
                // crossed the mark. At SQLite's default of 1,000 pages a run checkpointed every 70 messages
                // (about 14 pages a message). Larger, the checkpoints are fewer, but a new WAL grows longer,
                // and while it grows every sync also writes its size: at 4,000 pages (16 MB) a run of 2,000
                // rows on loopback sent a median 2,030 messages a second against 1,820 at 1,000 and 1,900 at
                // 10,000, and 3,000 durable reservations on a new file took 1.09-1.21 s against 1.02-1.09
                // and 1.22-1.31.
                Execute($"PRAGMA wal_autocheckpoint={CheckpointPages};");
                // Reads of the ledger's first 64 MB (the recent fingerprints and sends) without a syscall per
                // page. Every mapped page a run touches counts in its working set: a run of 100,000 messages
                // into a 125 MB ledger grew by 70 MB with 256 MB mapped.
                Execute("PRAGMA mmap_size=67108864;");
            }
            catch (SqliteException e)
            {
                _connection.Dispose();
                throw Unavailable(e);
            }
        }

        /// <summary>What a SQLite error at the level of the file means to the user, naming the path.</summary>
        public LedgerUnavailableException Unavailable(SqliteException e) => e.SqliteErrorCode switch
        {
            5 or 6 => LedgerUnavailableException.Busy(Path, e),                                   // SQLITE_BUSY, SQLITE_LOCKED
            26 => LedgerUnavailableException.Unreadable(Path, "it is not a SQLite database", e),    // SQLITE_NOTADB
            11 => LedgerUnavailableException.Unreadable(Path, "the file is corrupt", e),            // SQLITE_CORRUPT
            _ => LedgerUnavailableException.Unreadable(Path, e.Message.TrimEnd('.'), e),
        };

        public string Path { get; }

        /// <summary>WAL pages (4 KB each) after which a commit checkpoints: the WAL file grows to about 16 MB while the ledger is open.</summary>
        const int CheckpointPages = 4_000;

        /// <summary>The schema version written in the file (PRAGMA user_version; 0 for a new file or one written before versions).</summary>
        public long UserVersion
        {
            get => (long)Prepared("PRAGMA user_version;").ExecuteScalar()!;
            set => Execute($"PRAGMA user_version={value};");
        }

        /// <summary>
        /// A command kept for the life of the connection, so SQLite parses its statement once: for
        /// the per-message path. Its parameters are cleared; do not dispose it.
        /// </summary>
        public SqliteCommand Prepared(string sql)
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

        /// <summary>A command for one use; the caller disposes it.</summary>
        public SqliteCommand Command(string sql)
        {
            var cmd = _connection.CreateCommand();
            cmd.CommandText = sql;
            return cmd;
        }

        public void Execute(string sql) => Prepared(sql).ExecuteNonQuery();

        /// <summary>
        /// Runs <paramref name="work"/> with synchronous=NORMAL: what it commits survives the process dying,
        /// not a power cut. Outside a transaction only (the setting cannot change inside one).
        /// </summary>
        public void WithoutFullSync(Action work)
        {
            Execute("PRAGMA synchronous=NORMAL;");
            try { work(); }
            finally { Execute("PRAGMA synchronous=FULL;"); }
        }

        /// <summary>Runs <paramref name="work"/> in an exclusive (BEGIN IMMEDIATE) transaction: committed when it returns, rolled back when it throws.</summary>
        public T Exclusive<T>(Func<T> work)
        {
            BeginImmediate();
            try
            {
                var result = work();
                Execute("COMMIT;");
                return result;
            }
            catch
            {
                Execute("ROLLBACK;");
                throw;
            }
        }

        /// <summary>True when the file has tables and none is named <paramref name="table"/>.</summary>
        public bool HasTablesBut(string table)
        {
            var cmd = Prepared("SELECT COUNT(*), COALESCE(SUM(name = $t), 0) FROM sqlite_master WHERE type = 'table'");
            cmd.Parameters.AddWithValue("$t", table);
            using var reader = cmd.ExecuteReader();
            reader.Read();
            return reader.GetInt64(0) > 0 && reader.GetInt64(1) == 0;
        }

        /// <summary>BEGIN IMMEDIATE; a LedgerBusy error when another process holds the lock past the busy timeout.</summary>
        public void BeginImmediate()
        {
            try { Execute("BEGIN IMMEDIATE;"); }
            catch (SqliteException e) when (e.SqliteErrorCode == 5 || e.SqliteErrorCode == 6) { throw Unavailable(e); }
        }

        public void Dispose()
        {
            foreach (var cmd in _prepared.Values) cmd.Dispose();
            _connection.Dispose();
        }
    }
}
