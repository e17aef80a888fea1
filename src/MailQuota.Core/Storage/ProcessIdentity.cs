using System;
using System.Diagnostics;
using System.Globalization;

namespace MailQuota.Core.Storage
{
    /// <summary>
    /// Which process made a reservation ("host|pid|start in Unix ms"), kept with it, so that a rerun
    /// with -RetryUnknown takes over a row left in flight only when the process that sent it is gone
    /// (a pid alone may have been reused: the start time tells).
    /// </summary>
    internal static class ProcessIdentity
    {
        public static readonly string Current = Of(Process.GetCurrentProcess());

        public static string Of(Process process) =>
            string.Join("|", Environment.MachineName, process.Id.ToString(CultureInfo.InvariantCulture),
                new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));

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
