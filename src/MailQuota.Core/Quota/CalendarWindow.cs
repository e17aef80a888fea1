using System;

namespace MailQuota.Core.Quota
{
    /// <summary>
    /// A day or a month as a provider's clock sees it: it starts at local midnight (on the 1st for a
    /// month) in the provider's time zone, so its length in UTC changes on daylight-saving days.
    /// </summary>
    public sealed class CalendarWindow
    {
        public CalendarWindow(TimeZoneInfo zone, bool month)
        {
            Zone = zone ?? throw new ArgumentNullException(nameof(zone));
            Month = month;
        }

        public TimeZoneInfo Zone { get; }

        /// <summary>True for a calendar month, false for a calendar day.</summary>
        public bool Month { get; }

        /// <summary>The instant the window holding <paramref name="instant"/> began.</summary>
        public DateTimeOffset StartOf(DateTimeOffset instant)
        {
            var local = TimeZoneInfo.ConvertTime(instant, Zone).DateTime;
            return AtLocalMidnight(Month ? new DateTime(local.Year, local.Month, 1) : local.Date);
        }

        /// <summary>The instant the window holding <paramref name="instant"/> ends and the next begins.</summary>
        public DateTimeOffset EndOf(DateTimeOffset instant)
        {
            var local = TimeZoneInfo.ConvertTime(instant, Zone).DateTime;
            return AtLocalMidnight(Month ? new DateTime(local.Year, local.Month, 1).AddMonths(1) : local.Date.AddDays(1));
        }

        /// <summary>
        /// Local midnight of <paramref name="date"/> as an instant. Where a daylight-saving change skips
        /// midnight the day starts at the first local time that exists; where midnight happens twice,
        /// at the first of the two.
        /// </summary>
        DateTimeOffset AtLocalMidnight(DateTime date)
        {
            var local = DateTime.SpecifyKind(date, DateTimeKind.Unspecified);
            while (Zone.IsInvalidTime(local)) local = local.AddMinutes(1);
            var offset = Zone.IsAmbiguousTime(local) ? Max(Zone.GetAmbiguousTimeOffsets(local)) : Zone.GetUtcOffset(local);
            return new DateTimeOffset(local, offset).ToUniversalTime();
        }

        static TimeSpan Max(TimeSpan[] offsets)
        {
            var max = offsets[0];
            foreach (var o in offsets) if (o > max) max = o;
            return max;
        }

        public override string ToString() => $"calendar {(Month ? "month" : "day")} in {Zone.Id}";
    }
}
