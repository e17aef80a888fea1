using System;

namespace MailQuota.Core.Content
{
    /// <summary>At most <see cref="Limit"/> near-identical messages in any rolling <see cref="Length"/>.</summary>
    public sealed class NearDuplicateLimit
    {
        public NearDuplicateLimit(string window, TimeSpan length, int limit)
        {
            if (limit < 1) throw new ArgumentOutOfRangeException(nameof(limit), "a near-duplicate limit is at least 1");
            Window = window; Length = length; Limit = limit;
        }

        public string Window { get; }
        public TimeSpan Length { get; }
        public int Limit { get; }

        public override string ToString() => $"{Limit} near-identical messages per {Window.ToLowerInvariant()}";
    }
}
