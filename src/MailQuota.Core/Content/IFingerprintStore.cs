using System;
using System.Collections.Generic;

namespace MailQuota.Core.Content
{
    /// <summary>
    /// The fingerprints of past sends, written with each reservation (inside its transaction), or after
    /// the send in a run without near-duplicate limits (<see cref="AddSent"/>), and looked up through
    /// their LSH band keys, so a check reads only the few sends that can be similar, never the whole window.
    /// </summary>
    public interface IFingerprintStore
    {
        /// <summary>
        /// The account's sends reserved after <paramref name="since"/> (released ones excluded) that
        /// share at least one band key with <paramref name="fingerprint"/>, in no particular order.
        /// </summary>
        IReadOnlyList<StoredFingerprint> Candidates(string account, ContentFingerprint fingerprint, DateTimeOffset since);

        /// <summary>
        /// Keeps the fingerprint of the send just reserved (only a fresh one, with its LSH keys);
        /// called inside the reservation's transaction. A send later released or refused loses it.
        /// </summary>
        void Add(long sendId, string account, DateTimeOffset at, string? messageId, ContentFingerprint fingerprint);

        /// <summary>
        /// Keeps the fingerprints of sends already handed over (fresh ones, with their LSH keys; At is
        /// each send's reservation time), several in one transaction without a full sync: a run without
        /// near-duplicate limits keeps them after the send, off the reservation's transaction.
        /// </summary>
        void AddSent(IReadOnlyList<StoredFingerprint> sent);
    }

    /// <summary>One past send as the content checks see it.</summary>
    public sealed class StoredFingerprint
    {
        public StoredFingerprint(long sendId, string account, DateTimeOffset at, string? messageId, ContentFingerprint fingerprint)
        {
            SendId = sendId; Account = account; At = at; MessageId = messageId; Fingerprint = fingerprint;
        }

        public long SendId { get; }
        public string Account { get; }
        public DateTimeOffset At { get; }
        public string? MessageId { get; }
        public ContentFingerprint Fingerprint { get; }
    }
}
