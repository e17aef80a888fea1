using System;
using System.Linq;
using MailQuota.Core.Storage;
using MailQuota.Core.Storage.Postgres;
using MailQuota.Core.Storage.Sqlite;
using MailQuota.Core.Tests.Postgres;

namespace MailQuota.Core.Tests
{
    /// <summary>
    /// One ledger for one test, on either engine, so the store tests run once per engine: each
    /// <see cref="Open"/> is another connection to the same ledger (a reopening, or another process).
    /// </summary>
    public abstract class LedgerEngine : IDisposable
    {
        public abstract ILedgerStores Open();

        /// <summary>What a user gives as -LedgerPath for this ledger.</summary>
        public abstract string Location { get; }

        /// <summary>Runs a statement on the ledger directly (as an administrator, or another program, would); its first value.</summary>
        public abstract object? Scalar(string sql);

        public abstract bool HasIndex(string name);

        /// <summary>True when no connection holds a transaction open on the ledger (checked from another connection).</summary>
        public abstract bool NoTransactionOpen();

        /// <summary>Everything the ledger holds, as text (the bytes of its files; every row of its tables).</summary>
        public abstract string Contents();

        public virtual void Dispose() { }
    }

    public sealed class SqliteEngine : LedgerEngine
    {
        readonly TempLedger _file = new TempLedger();

        public override ILedgerStores Open() => new SqliteLedger(_file.Path);

        public override string Location => _file.Path;

        public override object? Scalar(string sql)
        {
            using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_file.Path};Pooling=False");
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = sql;
            return cmd.ExecuteScalar();
        }

        public override bool HasIndex(string name) => (long)Scalar($"SELECT COUNT(*) FROM sqlite_master WHERE type='index' AND name='{name}'")! == 1;

        /// <summary>A full checkpoint of the WAL succeeds only with no reader open on it.</summary>
        public override bool NoTransactionOpen()
        {
            using var other = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_file.Path};Pooling=False");
            other.Open();
            using var checkpoint = other.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            using var result = checkpoint.ExecuteReader();
            result.Read();
            return result.GetInt64(0) == 0;
        }

        public override string Contents()
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            return string.Concat(System.IO.Directory.GetFiles(_file.Folder).Select(f => System.Text.Encoding.UTF8.GetString(System.IO.File.ReadAllBytes(f))));
        }

        public override void Dispose() => _file.Dispose();
    }

    public sealed class PostgresEngine : LedgerEngine
    {
        public PostgresEngine(PostgresCluster cluster) => Location = cluster.NewDatabase();

        public override ILedgerStores Open() => new PostgresLedger(PostgresTarget.Parse(Location));

        public override string Location { get; }

        public override object? Scalar(string sql)
        {
            using var db = new Npgsql.NpgsqlConnection(Location + ";Pooling=false");
            db.Open();
            using var cmd = new Npgsql.NpgsqlCommand(sql, db);
            return cmd.ExecuteScalar();
        }

        public override bool HasIndex(string name) => (long)Scalar($"SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = '{name}'")! == 1;

        public override bool NoTransactionOpen() =>
            (long)Scalar("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL")! == 0;

        public override string Contents()
        {
            using var db = new Npgsql.NpgsqlConnection(Location + ";Pooling=false");
            db.Open();
            var tables = new System.Collections.Generic.List<string>();
            using (var list = new Npgsql.NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()", db))
            using (var r = list.ExecuteReader())
                while (r.Read()) tables.Add(r.GetString(0));
            var text = new System.Text.StringBuilder();
            foreach (var table in tables)
            {
                using var cmd = new Npgsql.NpgsqlCommand($"SELECT t::text FROM {table} t", db);
                using var r = cmd.ExecuteReader();
                while (r.Read()) text.AppendLine(r.GetString(0));
            }
            return text.ToString();
        }
    }
}
