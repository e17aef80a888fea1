using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace MailQuota.Core.Storage.Sqlite
{
    /// <summary>Where the ledger file lives: a parameter, else MAILQUOTAPS_LEDGER, else a per-user default.</summary>
    public static class LedgerLocation
    {
        public const string EnvironmentVariable = "MAILQUOTAPS_LEDGER";

        public static string DefaultPath() =>
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify),
                "MailQuotaPS", "ledger.db");

        /// <summary>The ledger the user chose, as given: the parameter, else the environment variable, else the default path.</summary>
        public static string Chosen(string? explicitLedger) =>
            !string.IsNullOrWhiteSpace(explicitLedger) ? explicitLedger!
                : Environment.GetEnvironmentVariable(EnvironmentVariable) is string env && env.Trim().Length > 0 ? env.Trim()
                : DefaultPath();

        /// <summary>Resolves and checks the path. Throws <see cref="LedgerPathException"/> for a network path.</summary>
        public static string Resolve(string? explicitPath)
        {
            var chosen = Chosen(explicitPath);
            RefuseNetworkPath(chosen);
            var full = Path.GetFullPath(chosen);
            RefuseNetworkPath(full);
            return full;
        }

        /// <summary>
        /// SQLite's WAL mode needs shared memory on one host: a ledger on an SMB/NFS share would
        /// let two hosts over-reserve, so such paths are refused.
        /// </summary>
        public static void RefuseNetworkPath(string path)
        {
            if (path.StartsWith(@"\\", StringComparison.Ordinal) || path.StartsWith("//", StringComparison.Ordinal))
                throw new LedgerPathException(path, "it is a network (UNC) path");
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && NetworkFileSystemOf(path) is string fs)
                throw new LedgerPathException(path, $"it is on a network file system ({fs})");
        }

        static readonly string[] NetworkFileSystems = { "cifs", "smb3", "smbfs", "nfs", "nfs4", "fuse.sshfs", "9p" };

        static string? NetworkFileSystemOf(string path)
        {
            const string mounts = "/proc/mounts";
            if (!File.Exists(mounts) || !Path.IsPathRooted(path)) return null;
            var best = (Mount: "", Type: "");
            foreach (var line in File.ReadLines(mounts))
            {
                var parts = line.Split(' ');
                if (parts.Length < 3) continue;
                var mount = parts[1].Replace("\\040", " ");
                var under = mount == "/" || path == mount || path.StartsWith(mount.TrimEnd('/') + "/", StringComparison.Ordinal);
                if (under && mount.Length >= best.Mount.Length) best = (mount, parts[2]);
            }
            return NetworkFileSystems.Contains(best.Type) ? best.Type : null;
        }
    }

    public sealed class LedgerPathException : Exception
    {
        public LedgerPathException(string path, string reason)
            : base($"The ledger cannot be kept at '{path}': {reason}. Keep it on a local disk of this host (choose another path, or set ${LedgerLocation.EnvironmentVariable}).")
        {
            Path = path;
        }

        public string Path { get; }
    }
}
