using System;
using System.Collections.Generic;

namespace MailQuota.Core.Quota
{
    public enum QuotaUnit { Messages, Recipients }

    /// <summary>One limit: at most <see cref="Limit"/> units in any rolling window of <see cref="Length"/>.</summary>
    public sealed class QuotaLimit
    {
        public QuotaLimit(string window, TimeSpan length, QuotaUnit unit, int limit)
        {
            if (length <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(length));
            if (limit < 0) throw new ArgumentOutOfRangeException(nameof(limit));
            Window = window; Length = length; Unit = unit; Limit = limit;
        }

        public string Window { get; }
        public TimeSpan Length { get; }
        public QuotaUnit Unit { get; }
        public int Limit { get; }

        public override string ToString() => $"{Limit} {Unit.ToString().ToLowerInvariant()} per {Window.ToLowerInvariant()}";
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
        public int? MaxRecipientsPerMessage { get; set; }
        public TimeSpan? MinInterval { get; set; }

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

        public IEnumerable<QuotaLimit> Limits()
        {
            if (MessagesPerMinute is int a) yield return new QuotaLimit("Minute", TimeSpan.FromMinutes(1), QuotaUnit.Messages, a);
            if (RecipientsPerMinute is int b) yield return new QuotaLimit("Minute", TimeSpan.FromMinutes(1), QuotaUnit.Recipients, b);
            if (MessagesPerHour is int c) yield return new QuotaLimit("Hour", TimeSpan.FromHours(1), QuotaUnit.Messages, c);
            if (RecipientsPerHour is int d) yield return new QuotaLimit("Hour", TimeSpan.FromHours(1), QuotaUnit.Recipients, d);
            if (MessagesPerDay is int e) yield return new QuotaLimit("Day", TimeSpan.FromDays(1), QuotaUnit.Messages, e);
            if (RecipientsPerDay is int f) yield return new QuotaLimit("Day", TimeSpan.FromDays(1), QuotaUnit.Recipients, f);
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
            MaxRecipientsPerMessage = overrides.MaxRecipientsPerMessage ?? MaxRecipientsPerMessage,
            MinInterval = overrides.MinInterval ?? MinInterval,
            NearDuplicatesPerHour = overrides.NearDuplicatesPerHour ?? NearDuplicatesPerHour,
            NearDuplicatesPerDay = overrides.NearDuplicatesPerDay ?? NearDuplicatesPerDay,
            SimilarityThreshold = overrides.SimilarityThreshold ?? SimilarityThreshold,
        };

        public bool IsEmpty => !HasRateLimits &&
            NearDuplicatesPerHour == null && NearDuplicatesPerDay == null && SimilarityThreshold == null;

        /// <summary>True when any sending-rate value is set (content limits alone do not make a rate policy).</summary>
        public bool HasRateLimits =>
            MessagesPerMinute != null || MessagesPerHour != null || MessagesPerDay != null ||
            RecipientsPerMinute != null || RecipientsPerHour != null || RecipientsPerDay != null ||
            MaxRecipientsPerMessage != null || MinInterval != null;

        public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this);

        public static QuotaPolicy FromJson(string json) =>
            System.Text.Json.JsonSerializer.Deserialize<QuotaPolicy>(json) ?? new QuotaPolicy();

        public override bool Equals(object? obj) => obj is QuotaPolicy p && p.ToJson() == ToJson();
        public override int GetHashCode() => ToJson().GetHashCode();
    }
}
