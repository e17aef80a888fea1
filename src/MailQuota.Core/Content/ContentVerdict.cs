namespace MailQuota.Core.Content
{
    /// <summary>How a message stands against the account's near-duplicate policy.</summary>
    public enum ContentVerdict
    {
        /// <summary>No near-identical message in the window.</summary>
        Ok,
        /// <summary>Near-identical to recent messages, within the limits: it counts toward them.</summary>
        Warn,
        /// <summary>Sending it now would exceed a near-duplicate limit.</summary>
        Block,
    }

    /// <summary>What a send does with a message the policy blocks.</summary>
    public enum DuplicateAction
    {
        /// <summary>Wait until the window has room (spreads a mail merge over time).</summary>
        Wait,
        /// <summary>Send it anyway and warn.</summary>
        Warn,
        /// <summary>Do not send it; the run goes on.</summary>
        Skip,
        /// <summary>End the run with an error.</summary>
        Stop,
    }
}
