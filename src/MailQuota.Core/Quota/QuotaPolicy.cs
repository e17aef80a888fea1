using System;
using System.Collections.Generic;

namespace MailQuota.Core.Quota
{
    public enum QuotaUnit { Messages, Recipients }

    /// <summary>
    /// One limit: at most <see cref="Limit"/> units in any rolling window of <see cref="Length"/>, or,
    /// when <see cref="Calendar"/> is set, in each calendar day or month of the provider's time zone.
    /// </summary>
    public sealed class QuotaLimit
    {
        public QuotaLimit(string window, TimeSpan length, QuotaUnit unit, int limit, CalendarWindow? calendar = null)
        {
            if (length <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(length));
            if (limit < 0) throw new ArgumentOutOfRangeException(nameof(limit));
            Window = window; Length = length; Unit = unit; Limit = limit; Calendar = calendar;
        }

        public string Window { get; }

        /// <summary>The length of a rolling window (for a calendar window, its nominal length).</summary>
        public TimeSpan Length { get; }
        public QuotaUnit Unit { get; }
        public int Limit { get; }

        /// <summary>Null for a rolling window.</summary>
        public CalendarWindow? Calendar { get; }

        /// <summary>
        /// Use made after this instant counts at <paramref name="now"/>. The ledger keeps whole
        /// milliseconds, so a calendar window's bound is one millisecond before its start: a send at
        /// exactly local midnight belongs to the new day.
        /// </summary>
        public DateTimeOffset Since(DateTimeOffset now) =>
            Calendar == null ? now - Length : Calendar.StartOf(now) - TimeSpan.FromMilliseconds(1);

        /// <summary>When use made at <paramref name="usedAt"/> stops counting (seen at <paramref name="now"/>).</summary>
        public DateTimeOffset LeavesAt(DateTimeOffset usedAt, DateTimeOffset now) =>
            Calendar == null ? usedAt + Length : Calendar.EndOf(now);

        public override string ToString() =>
            $"{Limit} {Unit.ToString().ToLowerInvariant()} per {(Calendar == null ? "" : "calendar ")}{Window.ToLowerInvariant()}";
    }

    /// <summary>
    /// The limits of one sending account. Null means "no limit of this kind".
    /// Providers count recipients more often than messages, so both are kept.
    /// </summary>
    public sealed class QuotaPolicy
    {
        public int? MessagesPerMinute { get; set; }
        public int? MessagesPerHour { get; set; }
        public int? MessagesPerDay { get; set; }
        public int? RecipientsPerMinute { get; set; }
        public int? RecipientsPerHour { get; set; }
        public int? RecipientsPerDay { get; set; }
        public int? MessagesPerMonth { get; set; }
        public int? RecipientsPerMonth { get; set; }
        public int? MaxRecipientsPerMessage { get; set; }
        public TimeSpan? MinInterval { get; set; }

        /// <summary>How day and month limits are counted; null means rolling.</summary>
        public QuotaWindowKind? WindowKind { get; set; }

        /// <summary>
        /// The provider's time zone for calendar windows, a Windows or an IANA id (see
        /// <see cref="Quota.ResetTimeZone"/>); UTC when a calendar policy names none.
        /// </summary>
        public string? ResetTimeZone { get; set; }

        /// <summary>Near-identical messages (one template, personalised) allowed in any rolling hour.</summary>
        public int? NearDuplicatesPerHour { get; set; }

        /// <summary>Near-identical messages allowed in any rolling day.</summary>
        public int? NearDuplicatesPerDay { get; set; }

        /// <summary>Estimated Jaccard similarity from which two messages count as near-identical (default 0.7).</summary>
        public double? SimilarityThreshold { get; set; }

        /// <summary>
        /// A cautious default for an account whose provider and limits are unknown: slow enough
        /// for every provider in PROVIDERS.md (Exchange Online allows 30 per minute).
        /// </summary>
        public static QuotaPolicy ConservativeDefault() => new QuotaPolicy
        {
            MessagesPerMinute = 20,
            MessagesPerHour = 300,
            MessagesPerDay = 1000,
            RecipientsPerDay = 1000,
            MaxRecipientsPerMessage = 50,
        };

        /// <summary>Every limit; minute and hour windows always roll, day and month ones follow <see cref="WindowKind"/>.</summary>
        public IEnumerable<QuotaLimit> Limits()
        {
            var calendar = WindowKind == QuotaWindowKind.Calendar;
            var zone = calendar ? Quota.ResetTimeZone.Find(ResetTimeZone ?? "UTC") : null;
            var day = zone == null ? null : new CalendarWindow(zone, month: false);
            var month = zone == null ? null : new CalendarWindow(zone, month: true);
            if (MessagesPerMinute is int a) yield return new QuotaLimit("Minute", TimeSpan.FromMinutes(1), QuotaUnit.Messages, a);
            if (RecipientsPerMinute is int b) yield return new QuotaLimit("Minute", TimeSpan.FromMinutes(1), QuotaUnit.Recipients, b);
            if (MessagesPerHour is int c) yield return new QuotaLimit("Hour", TimeSpan.FromHours(1), QuotaUnit.Messages, c);
            if (RecipientsPerHour is int d) yield return new QuotaLimit("Hour", TimeSpan.FromHours(1), QuotaUnit.Recipients, d);
            if (MessagesPerDay is int e) yield return new QuotaLimit("Day", TimeSpan.FromDays(1), QuotaUnit.Messages, e, day);
            if (RecipientsPerDay is int f) yield return new QuotaLimit("Day", TimeSpan.FromDays(1), QuotaUnit.Recipients, f, day);
            if (MessagesPerMonth is int g) yield return new QuotaLimit("Month", TimeSpan.FromDays(30), QuotaUnit.Messages, g, month);
            if (RecipientsPerMonth is int h) yield return new QuotaLimit("Month", TimeSpan.FromDays(30), QuotaUnit.Recipients, h, month);
        }

        /// <summary>This policy with every value that <paramref name="overrides"/> sets replaced.</summary>
        public QuotaPolicy With(QuotaPolicy overrides) => new QuotaPolicy
        {
            MessagesPerMinute = overrides.MessagesPerMinute ?? MessagesPerMinute,
            MessagesPerHour = overrides.MessagesPerHour ?? MessagesPerHour,
            MessagesPerDay = overrides.MessagesPerDay ?? MessagesPerDay,
            RecipientsPerMinute = overrides.RecipientsPerMinute ?? RecipientsPerMinute,
            RecipientsPerHour = overrides.RecipientsPerHour ?? RecipientsPerHour,
            RecipientsPerDay = overrides.RecipientsPerDay ?? RecipientsPerDay,
            MessagesPerMonth = overrides.MessagesPerMonth ?? MessagesPerMonth,
            RecipientsPerMonth = overrides.RecipientsPerMonth ?? RecipientsPerMonth,
            MaxRecipientsPerMessage = overrides.MaxRecipientsPerMessage ?? MaxRecipientsPerMessage,
            MinInterval = overrides.MinInterval ?? MinInterval,
            WindowKind = overrides.WindowKind ?? WindowKind,
            ResetTimeZone = overrides.ResetTimeZone ?? ResetTimeZone,
            NearDuplicatesPerHour = overrides.NearDuplicatesPerHour ?? NearDuplicatesPerHour,
            NearDuplicatesPerDay = overrides.NearDuplicatesPerDay ?? NearDuplicatesPerDay,
            SimilarityThreshold = overrides.SimilarityThreshold ?? SimilarityThreshold,
        };

        [System.Text.Json.Serialization.JsonIgnore]
        public bool IsEmpty => !HasRateLimits && WindowKind == null && ResetTimeZone == null &&
            NearDuplicatesPerHour == null && NearDuplicatesPerDay == null && SimilarityThreshold == null;

        /// <summary>True when any sending-rate value is set (content limits alone do not make a rate policy).</summary>
        [System.Text.Json.Serialization.JsonIgnore]
        public bool HasRateLimits =>
            MessagesPerMinute != null || MessagesPerHour != null || MessagesPerDay != null ||
            RecipientsPerMinute != null || RecipientsPerHour != null || RecipientsPerDay != null ||
            MessagesPerMonth != null || RecipientsPerMonth != null ||
            MaxRecipientsPerMessage != null || MinInterval != null;

        public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this);

        public static QuotaPolicy FromJson(string json) =>
            System.Text.Json.JsonSerializer.Deserialize<QuotaPolicy>(json) ?? new QuotaPolicy();

        public override bool Equals(object? obj) => obj is QuotaPolicy p && p.ToJson() == ToJson();
        public override int GetHashCode() => ToJson().GetHashCode();
    }
}
