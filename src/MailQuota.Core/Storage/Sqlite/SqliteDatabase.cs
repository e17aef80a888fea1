using System;
using System.Collections.Generic;
using System.IO;
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

        public SqliteDatabase(string path)
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
        }

        public string Path { get; }

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

        /// <summary>Runs <paramref name="work"/> in an exclusive (BEGIN IMMEDIATE) transaction: committed when it returns, rolled back when it throws.</summary>
        public T Exclusive<T>(Func<T> work)
        {
            Execute("BEGIN IMMEDIATE;");
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

        public void Dispose()
        {
            foreach (var cmd in _prepared.Values) cmd.Dispose();
            _connection.Dispose();
        }
    }
}
