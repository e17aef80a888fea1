using System;

namespace MailQuota.Core.Quota
{
    /// <summary>
    /// How an account is held back beyond its policy after the server pushed back: a slower pace
    /// (a least interval between messages, AIMD), a short cool-down after a throttle reply, or a
    /// suspension until a quota window resets. Kept in the ledger, so the next process starts as
    /// cautious as the last one ended.
    /// </summary>
    public sealed class PacingState
    {
        /// <summary>Least time between two messages while the pace recovers; null when the policy alone decides.</summary>
        public TimeSpan? Interval { get; set; }

        /// <summary>No message before this instant: the cool-down after a throttle reply.</summary>
        public DateTimeOffset? CooldownUntil { get; set; }

        /// <summary>No message before this instant: the provider's quota is used up until its window resets.</summary>
        public DateTimeOffset? SuspendedUntil { get; set; }

        /// <summary>The reply that caused the last change, e.g. "454 … too frequently sending".</summary>
        public string? Reason { get; set; }

        public DateTimeOffset UpdatedAt { get; set; }

        public bool IsSuspendedAt(DateTimeOffset now) => SuspendedUntil is DateTimeOffset until && until > now;

        /// <summary>How the account is held back at <paramref name="now"/>, in a few words; null when it is not.</summary>
        public string? Describe(DateTimeOffset now)
        {
            if (IsSuspendedAt(now)) return $"suspended to {SuspendedUntil!.Value.ToLocalTime():MM-dd HH:mm}";
            if (CooldownUntil is DateTimeOffset cool && cool > now) return $"cooling to {cool.ToLocalTime():HH:mm:ss}";
            if (Interval is TimeSpan interval) return $"1 msg per {interval.TotalSeconds:0.#} s";
            return null;
        }
    }

    /// <summary>The pace of each account (e.g. for Get-SendQuota: the current pace and any suspension).</summary>
    public interface IPacingStore
    {
        /// <summary>The account's pacing, or null when the server never pushed back.</summary>
        PacingState? GetPacing(string account);

        /// <summary>
        /// Reads the account's pacing (a new state when there is none), lets <paramref name="change"/>
        /// change it, and saves it when that returns true: all in one exclusive transaction, so two
        /// processes never overwrite each other's change (a recovery wiping a suspension).
        /// </summary>
        void ChangePacing(string account, Func<PacingState, bool> change);
    }
}
