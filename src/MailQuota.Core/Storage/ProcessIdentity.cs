using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;

namespace MailQuota.Core.Storage
{
    /// <summary>
    /// Which process made a reservation ("host|pid|start in Unix ms"), kept with it, so that a rerun
    /// takes over a row left in flight only when the process that sent it is gone (a pid alone may
    /// have been reused: the start time tells), and without -RetryUnknown only when it died while the
    /// host ran on (<see cref="DiedWithoutRestart"/>).
    /// </summary>
    internal static class ProcessIdentity
    {
        public static readonly string Current = Of(Process.GetCurrentProcess());

        public static string Of(Process process) =>
            string.Join("|", Environment.MachineName, process.Id.ToString(CultureInfo.InvariantCulture),
                new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));

        /// <summary>
        /// The process is gone, and this host has not restarted since it started: it was killed or
        /// crashed while the host ran on, so everything it committed to the ledger (even without a
        /// full sync) is there. False when it runs, runs on another host, or when the host's start
        /// cannot be read (only Linux and Windows tell it here).
        /// </summary>
        public static bool DiedWithoutRestart(string owner)
        {
            var parts = owner.Split('|');
            return parts.Length == 3 && !IsAlive(owner)
                && long.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var started)
                && HostStart() is DateTimeOffset boot && DateTimeOffset.FromUnixTimeMilliseconds(started) > boot;
        }

        /// <summary>When this host last started: Linux's /proc/stat btime, Windows' tick count; null elsewhere.</summary>
        static DateTimeOffset? HostStart()
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                return DateTimeOffset.UtcNow - TimeSpan.FromMilliseconds(GetTickCount64());
            try
            {
                foreach (var line in File.ReadLines("/proc/stat"))
                    if (line.StartsWith("btime ", StringComparison.Ordinal) && long.TryParse(line.Substring(6).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
                        return DateTimeOffset.FromUnixTimeSeconds(seconds);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            return null;
        }

        [DllImport("kernel32.dll")]
        static extern ulong GetTickCount64();

        /// <summary>True while the process is running; on another host it cannot be told, so it counts as running.</summary>
        public static bool IsAlive(string owner)
        {
            var parts = owner.Split('|');
            if (parts.Length != 3 || !int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)) return false;
            if (!string.Equals(parts[0], Environment.MachineName, StringComparison.OrdinalIgnoreCase)) return true;
            try
            {
                using var process = Process.GetProcessById(pid);
                return !process.HasExited && Of(process) == owner;
            }
            catch (ArgumentException) { return false; }            // no such process
            catch (InvalidOperationException) { return false; }     // it exited meanwhile
        }
    }
}
