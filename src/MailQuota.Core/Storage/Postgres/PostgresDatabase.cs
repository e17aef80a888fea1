using System;
using System.Collections.Generic;
using System.Net.Sockets;
using System.Threading;
using Npgsql;

namespace MailQuota.Core.Storage.Postgres
{
    /// <summary>
    /// The one connection to a ledger database that every store of it shares, with its transactions
    /// and advisory locks. Every statement goes through here, so a server that cannot be reached, goes
    /// away or refuses the sign-in is one <see cref="LedgerUnavailableException"/> naming the server
    /// (never the password), and a lock held past the bound is LedgerBusy.
    /// </summary>
    internal sealed class PostgresDatabase : IDisposable
    {
        readonly NpgsqlConnection _connection;
        readonly CancellationToken _cancel;
        NpgsqlTransaction? _transaction;

        /// <summary>How long a statement waits for another process's lock before the ledger is busy.</summary>
        public static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromSeconds(30);

        /// <summary>The first key of every advisory lock this module takes, so its locks never meet another program's ("MQ").</summary>
        public const int LockSpace = 0x4D51;

        public PostgresDatabase(PostgresTarget target, TimeSpan lockTimeout, CancellationToken cancel)
        {
            Location = target.Description;
            _cancel = cancel;
            _connection = new NpgsqlConnection(target.ConnectionString);
            try
            {
                Guard(() => { _connection.Open(); return 0; });
                Execute($"SET lock_timeout = {(long)lockTimeout.TotalMilliseconds}");
            }
            catch
            {
                _connection.Dispose();
                throw;
            }
        }

        /// <summary>The server and database, for messages (no password).</summary>
        public string Location { get; }

        public static NpgsqlParameter P(string name, object? value) => new NpgsqlParameter(name, value ?? DBNull.Value);

        public object? Scalar(string sql, params NpgsqlParameter[] parameters) => Guard(() =>
        {
            using var cmd = Command(sql, parameters);
            var value = cmd.ExecuteScalar();
            return value is DBNull ? null : value;
        });

        public int Execute(string sql, params NpgsqlParameter[] parameters) => Guard(() =>
        {
            using var cmd = Command(sql, parameters);
            return cmd.ExecuteNonQuery();
        });

        /// <summary>The rows of a query, read in full (no reader stays open while the caller works).</summary>
        public List<T> Query<T>(string sql, Func<NpgsqlDataReader, T> row, params NpgsqlParameter[] parameters) => Guard(() =>
        {
            using var cmd = Command(sql, parameters);
            using var reader = cmd.ExecuteReader();
            var list = new List<T>();
            while (reader.Read()) list.Add(row(reader));
            return list;
        });

        /// <summary>
        /// Opens a transaction and takes the advisory lock of <paramref name="key"/> for its length
        /// (waiting at most the lock timeout: LedgerBusy; cancellable); returns the server's clock
        /// read once the lock is held, and the value of <paramref name="alsoSelect"/> (an SQL
        /// expression that may use @key), read under the lock in the same round trip.
        /// </summary>
        public (DateTimeOffset Now, object? Also) BeginLocked(int space, string key, string alsoSelect = "NULL")
        {
            if (_transaction != null) throw new InvalidOperationException("a ledger transaction is already open on this connection");
            Guard(() => { _transaction = _connection.BeginTransaction(); return 0; });
            try
            {
                return Guard(() =>
                {
                    using var cmd = Command("SELECT pg_advisory_xact_lock(@space, hashtext(@key)); SELECT " + ServerMs + ", " + alsoSelect,
                        P("space", space), P("key", key));
                    using var cancel = _cancel.Register(cmd.Cancel);
                    using var reader = cmd.ExecuteReader();
                    reader.NextResult();
                    reader.Read();
                    return (DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), reader.IsDBNull(1) ? null : reader.GetValue(1));
                });
            }
            catch
            {
                Rollback();
                throw;
            }
        }

        /// <summary>The server's clock as Unix milliseconds, in SQL.</summary>
        public const string ServerMs = "floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

        public DateTimeOffset ServerNow() => DateTimeOffset.FromUnixTimeMilliseconds((long)Scalar("SELECT " + ServerMs)!);

        public void Commit()
        {
            var tx = _transaction ?? throw new InvalidOperationException("no ledger transaction is open");
            _transaction = null;
            try { Guard(() => { tx.Commit(); return 0; }); }
            finally { tx.Dispose(); }
        }

        public void Rollback()
        {
            var tx = _transaction;
            if (tx == null) return;
            _transaction = null;
            try { tx.Rollback(); }
            catch (NpgsqlException) { }               // the connection is gone: the server rolled it back
            catch (InvalidOperationException) { }     // likewise, seen from the client
            finally { tx.Dispose(); }
        }

        /// <summary>Runs <paramref name="work"/> in a transaction under the advisory lock of <paramref name="key"/>: committed when it returns, rolled back when it throws.</summary>
        public T Locked<T>(int space, string key, Func<T> work)
        {
            BeginLocked(space, key);
            try
            {
                var result = work();
                Commit();
                return result;
            }
            catch
            {
                Rollback();
                throw;
            }
        }

        NpgsqlCommand Command(string sql, params NpgsqlParameter[] parameters)
        {
            var cmd = new NpgsqlCommand(sql, _connection, _transaction);
            foreach (var p in parameters) cmd.Parameters.Add(p);
            return cmd;
        }

        /// <summary>Runs one exchange with the server, translating its failures into the ledger's errors.</summary>
        T Guard<T>(Func<T> exchange)
        {
            try { return exchange(); }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                throw LedgerUnavailableException.Busy(Location, e);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled && _cancel.IsCancellationRequested)
            {
                throw new OperationCanceledException(_cancel);
            }
            catch (PostgresException e) when (IsUnavailable(e.SqlState))
            {
                throw LedgerUnavailableException.Unreachable(Location, e.MessageText.TrimEnd('.'), e);
            }
            catch (NpgsqlException e) when (!(e is PostgresException))
            {
                throw LedgerUnavailableException.Unreachable(Location, Reason(e), e);
            }
            catch (InvalidOperationException e) when (_connection.State == System.Data.ConnectionState.Closed || _connection.State == System.Data.ConnectionState.Broken)
            {
                throw LedgerUnavailableException.Unreachable(Location, "the connection to the server was lost", e);
            }
        }

        /// <summary>
        /// Connection, sign-in, privilege and server-state classes: the ledger cannot be used now.
        /// 08 connection exception, 28 invalid authorization, 3D000 no such database, 42501 insufficient
        /// privilege, 53 insufficient resources, 57P0x the server shuts down or is starting.
        /// </summary>
        static bool IsUnavailable(string state) =>
            state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("28", StringComparison.Ordinal)
            || state.StartsWith("53", StringComparison.Ordinal) || state.StartsWith("57P", StringComparison.Ordinal)
            || state == PostgresErrorCodes.InvalidCatalogName || state == PostgresErrorCodes.InsufficientPrivilege;

        static string Reason(NpgsqlException e)
        {
            for (Exception? inner = e; inner != null; inner = inner.InnerException)
            {
                if (inner is SocketException s) return $"the server cannot be reached ({s.SocketErrorCode})";
                if (inner is TimeoutException) return "the server did not answer in time";
            }
            return "the connection to the server failed or was lost";
        }

        public void Dispose()
        {
            Rollback();
            _connection.Dispose();
        }
    }
}
