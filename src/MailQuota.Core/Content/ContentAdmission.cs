using System;

namespace MailQuota.Core.Content
{
    /// <summary>
    /// The guard's decision on a message: send it (with the fingerprint to store with its reservation),
    /// skip it, or wait until a time and ask again; and what to warn of.
    /// </summary>
    public sealed class ContentAdmission
    {
        ContentAdmission(ContentFingerprint fingerprint, bool skipped, string? warning, DateTimeOffset? waitUntil = null)
        {
            Fingerprint = fingerprint; Skipped = skipped; Warning = warning; WaitUntil = waitUntil;
        }

        public ContentFingerprint Fingerprint { get; }

        /// <summary>True when the message must not be sent (DuplicateAction.Skip).</summary>
        public bool Skipped { get; }

        /// <summary>Something to warn of; for a wait, why the message waits.</summary>
        public string? Warning { get; }

        /// <summary>When the limits may allow the message: the caller waits until then and asks again. Null: decided now.</summary>
        public DateTimeOffset? WaitUntil { get; }

        public static ContentAdmission Send(ContentFingerprint fingerprint, string? warning = null) => new ContentAdmission(fingerprint, false, warning);
        public static ContentAdmission Skip(ContentFingerprint fingerprint, string warning) => new ContentAdmission(fingerprint, true, warning);
        public static ContentAdmission Wait(ContentFingerprint fingerprint, DateTimeOffset until, string reason) => new ContentAdmission(fingerprint, false, reason, until);
    }
}
