using System;
using System.Collections.Generic;

namespace MailQuota.Core.Quota
{
    /// <summary>
    /// Finds a provider's reset time zone by a Windows id ("China Standard Time") or an IANA id
    /// ("Asia/Shanghai") on any system. .NET on Linux and macOS knows both; .NET Framework on Windows
    /// knows only Windows ids and a system without ICU only IANA ids, so a short table of the zones
    /// providers reset in bridges the two.
    /// </summary>
    public static class ResetTimeZone
    {
        static readonly Dictionary<string, string> Alternates = BuildAlternates(
            ("China Standard Time", "Asia/Shanghai"),
            ("Taipei Standard Time", "Asia/Taipei"),
            ("Tokyo Standard Time", "Asia/Tokyo"),
            ("Korea Standard Time", "Asia/Seoul"),
            ("Singapore Standard Time", "Asia/Singapore"),
            ("India Standard Time", "Asia/Kolkata"),
            ("AUS Eastern Standard Time", "Australia/Sydney"),
            ("GMT Standard Time", "Europe/London"),
            ("W. Europe Standard Time", "Europe/Berlin"),
            ("Romance Standard Time", "Europe/Paris"),
            ("Eastern Standard Time", "America/New_York"),
            ("Central Standard Time", "America/Chicago"),
            ("Mountain Standard Time", "America/Denver"),
            ("Pacific Standard Time", "America/Los_Angeles"),
            ("UTC", "Etc/UTC"));

        /// <summary>The zone for <paramref name="id"/>; throws <see cref="ArgumentException"/> naming the id when no form of it is known.</summary>
        public static TimeZoneInfo Find(string id) => Find(id, TimeZoneInfo.FindSystemTimeZoneById);

        internal static TimeZoneInfo Find(string id, Func<string, TimeZoneInfo> system)
        {
            if (string.IsNullOrWhiteSpace(id)) throw new ArgumentException("a reset time zone id is required", nameof(id));
            id = id.Trim();
            if (TryFind(id, system) is TimeZoneInfo zone) return zone;
            if (Alternates.TryGetValue(id, out var alternate) && TryFind(alternate, system) is TimeZoneInfo mapped) return mapped;
            throw new ArgumentException($"the time zone '{id}' is not known on this system: give an IANA id such as 'Asia/Shanghai' or a Windows id such as 'China Standard Time'", nameof(id));
        }

        static TimeZoneInfo? TryFind(string id, Func<string, TimeZoneInfo> system)
        {
            try { return system(id); }
            catch (TimeZoneNotFoundException) { return null; }
            catch (InvalidTimeZoneException) { return null; }
        }

        static Dictionary<string, string> BuildAlternates(params (string Windows, string Iana)[] pairs)
        {
            var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (windows, iana) in pairs)
            {
                map[windows] = iana;
                map[iana] = windows;
            }
            return map;
        }
    }
}
