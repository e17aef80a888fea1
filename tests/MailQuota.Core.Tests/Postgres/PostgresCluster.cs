using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Npgsql;

namespace MailQuota.Core.Tests.Postgres
{
    /// <summary>
    /// A throwaway PostgreSQL cluster for one test run: initdb in a temporary folder, started with
    /// pg_ctl on a free loopback port, removed at the end. PostgreSQL refuses to run as root, so as
    /// root it runs as the postgres user. Sign-in is trusted on loopback except for one role,
    /// <see cref="PasswordUser"/>, which must give its password (SCRAM). Where PostgreSQL is missing,
    /// the tests that need it are skipped with the reason, unless CI is set: then they fail.
    /// </summary>
    public sealed class PostgresCluster : IDisposable
    {
        public const string Collection = "PostgreSQL cluster";
        public const string PasswordUser = "mq_secret";
        public const string Password = "s3cret-Pa55-word";

        readonly string? _bin;
        readonly string _folder = "";
        readonly string? _failure;

        public PostgresCluster()
        {
            _bin = FindBin();
            if (_bin == null)
            {
                _failure = "PostgreSQL was not found (no /usr/lib/postgresql/*/bin/initdb; set MAILQUOTAPS_PG_BIN to its bin folder)";
                return;
            }
            _folder = Path.Combine(Path.GetTempPath(), "mqps-pg-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_folder);
            try
            {
                if (IsRoot) Run("chown", "postgres:postgres", _folder);
                RunAsOwner(Path.Combine(_bin, "initdb"), "-D", DataDir, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C");
                File.WriteAllText(Path.Combine(DataDir, "pg_hba.conf"),
                    $"host all {PasswordUser} 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 trust\nlocal all all trust\n");
                Port = FreePort();
                Start();
                using var admin = new NpgsqlConnection(AdminConnectionString("postgres"));
                admin.Open();
                using var cmd = new NpgsqlCommand($"CREATE ROLE {PasswordUser} LOGIN CREATEDB PASSWORD '{Password}'", admin);
                cmd.ExecuteNonQuery();
            }
            catch (Exception e)
            {
                _failure = "the test PostgreSQL cluster did not start: " + e.Message;
            }
        }

        public int Port { get; }

        string DataDir => Path.Combine(_folder, "data");

        /// <summary>Skips the calling test when there is no PostgreSQL here; fails it instead under CI.</summary>
        public void Require()
        {
            if (_failure == null) return;
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
                throw new InvalidOperationException("CI is set, so the PostgreSQL tests must run: " + _failure);
            throw new SkipException(_failure);
        }

        public string AdminConnectionString(string database) =>
            $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=false";

        /// <summary>A new, empty database; its connection string (as a user gives it: no password).</summary>
        public string NewDatabase()
        {
            Require();
            var name = "t_" + Guid.NewGuid().ToString("N");
            using var admin = new NpgsqlConnection(AdminConnectionString("postgres"));
            admin.Open();
            using (var cmd = new NpgsqlCommand($"CREATE DATABASE {name} OWNER {PasswordUser}", admin)) cmd.ExecuteNonQuery();
            using (var db = new NpgsqlConnection(AdminConnectionString(name)))
            {
                db.Open();
                using var cmd = new NpgsqlCommand($"ALTER SCHEMA public OWNER TO {PasswordUser}", db);
                cmd.ExecuteNonQuery();
            }
            return $"Host=127.0.0.1;Port={Port};Username=postgres;Database={name}";
        }

        public void Start() => RunAsOwner(Path.Combine(_bin!, "pg_ctl"), "-D", DataDir, "-l", Path.Combine(_folder, "log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start");

        public void Stop() => RunAsOwner(Path.Combine(_bin!, "pg_ctl"), "-D", DataDir, "-w", "-m", "fast", "stop");

        public void Dispose()
        {
            if (_folder.Length == 0) return;
            try { if (_failure == null) Stop(); } catch (InvalidOperationException) { }
            try { Directory.Delete(_folder, true); } catch (IOException) { }
        }

        static bool IsRoot => RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && Environment.UserName == "root";

        static string? FindBin()
        {
            if (Environment.GetEnvironmentVariable("MAILQUOTAPS_PG_BIN") is string bin && bin.Length > 0) return File.Exists(Path.Combine(bin, "initdb")) ? bin : null;
            const string root = "/usr/lib/postgresql";
            if (!Directory.Exists(root)) return null;
            return Directory.GetDirectories(root)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault();
        }

        static int FreePort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }

        static void RunAsOwner(string program, params string[] args)
        {
            if (IsRoot) Run("runuser", new[] { "-u", "postgres", "--", program }.Concat(args).ToArray());
            else Run(program, args);
        }

        static void Run(string program, params string[] args)
        {
            var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/" };
            foreach (var a in args) info.ArgumentList.Add(a);
            using var p = Process.Start(info)!;
            var output = p.StandardOutput.ReadToEndAsync();
            var error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(" ", args.Take(3))}… failed ({p.ExitCode}): {error.Trim()} {output.Result.Trim()}");
        }
    }

    [CollectionDefinition(PostgresCluster.Collection)]
    public sealed class PostgresClusterCollection : ICollectionFixture<PostgresCluster> { }
}
