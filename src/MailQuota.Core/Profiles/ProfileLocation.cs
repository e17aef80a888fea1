using System;
using System.IO;
using System.Runtime.InteropServices;

namespace MailQuota.Core.Profiles
{
    /// <summary>
    /// Where the user's profiles live: a parameter, else MAILQUOTAPS_PROFILES, else the user's
    /// configuration folder (%APPDATA% on Windows, $XDG_CONFIG_HOME or ~/.config elsewhere).
    /// </summary>
    public static class ProfileLocation
    {
        public const string EnvironmentVariable = "MAILQUOTAPS_PROFILES";
        const string FileName = "profiles.json";

        public static string DefaultPath() => Path.Combine(ConfigFolder(), "MailQuotaPS", FileName);

        public static string Resolve(string? explicitPath)
        {
            var chosen = !string.IsNullOrWhiteSpace(explicitPath) ? explicitPath!
                : Environment.GetEnvironmentVariable(EnvironmentVariable) is string env && env.Trim().Length > 0 ? env.Trim()
                : DefaultPath();
            return Path.GetFullPath(chosen);
        }

        static string ConfigFolder()
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                return Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            var xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)) return xdg!;
            var home = Environment.GetEnvironmentVariable("HOME");
            if (string.IsNullOrWhiteSpace(home))
                home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify);
            return Path.Combine(home!, ".config");
        }
    }
}
