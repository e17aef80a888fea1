using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;

namespace MailQuota.Core.Storage
{
    /// <summary>
    /// Which process made a reservation ("host|pid|start"), kept with it, so that a rerun takes over a
    /// row left in flight only when the process that sent it is gone (a pid alone may have been reused:
    /// the start tells), and without -RetryUnknown only when it died while the host ran on
    /// (<see cref="DiedWithoutRestart"/>). Every process must read the same start for the same process.
    /// On Linux it is the kernel's own record, "boot id/start in clock ticks since boot": .NET's
    /// Process.StartTime there adds the ticks to a boot time each process estimates from two clocks,
    /// so two processes read one process's start a millisecond apart about one time in three (and
    /// further apart after the wall clock was set), and a running run looked gone to the others.
    /// Elsewhere the system records the start itself: Unix milliseconds.
    /// </summary>
    internal static class ProcessIdentity
    {
        public static readonly string Current = Of(Process.GetCurrentProcess());

        public static string Of(Process process) =>
            string.Join("|", Environment.MachineName, process.Id.ToString(CultureInfo.InvariantCulture), StartOf(process));

        /// <summary>This boot of a Linux host (null elsewhere): a new one after every restart.</summary>
        static readonly string? BootId = ReadBootId();

        static string? ReadBootId()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return null;
            try { return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim(); }
            catch (IOException) { return null; }
            catch (UnauthorizedAccessException) { return null; }
        }

        static string StartOf(Process process) =>
            BootId != null && KernelStartTicks(process.Id) is long ticks
                ? BootId + "/" + ticks.ToString(CultureInfo.InvariantCulture)
                : UnixStart(process).ToString(CultureInfo.InvariantCulture);

        static long UnixStart(Process process) => new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds();

        /// <summary>Field 22 of /proc/pid/stat, after the command name in brackets (which may hold spaces); null when the process is gone.</summary>
        static long? KernelStartTicks(int pid)
        {
            string stat;
            try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
            catch (IOException) { return null; }
            catch (UnauthorizedAccessException) { return null; }
            var fields = stat.Substring(stat.LastIndexOf(')') + 2).Split(' ');
            return fields.Length > 19 && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ? ticks : (long?)null;
        }

        /// <summary>
        /// The process is gone, and this host has not restarted since it started: it was killed or
        /// crashed while the host ran on, so everything it committed to the ledger (even without a
        /// full sync) is there. False when it runs, runs on another host, or when the host's start
        /// cannot be read (only Linux and Windows tell it here).
        /// </summary>
        public static bool DiedWithoutRestart(string owner)
        {
            var parts = owner.Split('|');
            if (parts.Length != 3 || IsAlive(owner)) return false;
            var boot = parts[2].IndexOf('/');
            if (boot >= 0) return BootId != null && parts[2].Substring(0, boot) == BootId;
            return long.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var started)
                && HostStart() is DateTimeOffset booted && DateTimeOffset.FromUnixTimeMilliseconds(started) > booted;
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
                if (process.HasExited) return false;
                if (Of(process) == owner) return true;
                // Written by a version that kept .NET's start on Linux too: the same process reads its
                // start within a few milliseconds (the boot time each process estimates).
                return BootId != null && long.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var started)
                    && Math.Abs(UnixStart(process) - started) <= LegacyStartTolerance;
            }
            catch (ArgumentException) { return false; }            // no such process
            catch (InvalidOperationException) { return false; }     // it exited meanwhile
        }

        /// <summary>Another process of this host, and running (one on another host cannot be told: false).</summary>
        public static bool IsAnotherRunningHere(string owner) =>
            owner != Current && owner.StartsWith(Environment.MachineName + "|", StringComparison.OrdinalIgnoreCase) && IsAlive(owner);

        /// <summary>How far apart two processes may read one process's start in the form a previous version wrote (ms).</summary>
        const long LegacyStartTolerance = 1_000;
    }
}
