namespace MailQuota.Core.Content
{
    /// <summary>What the guard let through: the fingerprint to store with the reservation, or a skip; and what to warn of.</summary>
    public sealed class ContentAdmission
    {
        ContentAdmission(ContentFingerprint fingerprint, bool skipped, string? warning)
        {
            Fingerprint = fingerprint; Skipped = skipped; Warning = warning;
        }

        public ContentFingerprint Fingerprint { get; }

        /// <summary>True when the message must not be sent (-DuplicateAction Skip).</summary>
        public bool Skipped { get; }
        public string? Warning { get; }

        public static ContentAdmission Send(ContentFingerprint fingerprint, string? warning = null) => new ContentAdmission(fingerprint, false, warning);
        public static ContentAdmission Skip(ContentFingerprint fingerprint, string warning) => new ContentAdmission(fingerprint, true, warning);
    }
}
