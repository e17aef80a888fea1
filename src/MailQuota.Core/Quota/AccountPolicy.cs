using System;

namespace MailQuota.Core.Quota
{
    /// <summary>Where an account's effective policy came from.</summary>
    public enum PolicySource { Given, Remembered, Default, Profile }

    /// <summary>
    /// Decides the policy an account sends under: the values given now over the ones the ledger
    /// remembers for it; with neither, a conservative default. A provider profile's policy (with the
    /// values given now on top) replaces what the ledger remembers. The result is remembered, so a
    /// later run (a scheduled task) need not repeat the limits.
    /// </summary>
    public static class AccountPolicy
    {
        public static QuotaPolicy Resolve(ILedger ledger, string account, QuotaPolicy given, DateTimeOffset now, out PolicySource source, QuotaPolicy? profile = null)
        {
            var remembered = ledger.GetPolicy(account);
            QuotaPolicy effective;
            if (profile != null)
            {
                effective = profile.With(given);
                source = PolicySource.Profile;
            }
            else if (remembered != null)
            {
                effective = remembered.With(given);
                source = given.IsEmpty ? PolicySource.Remembered : PolicySource.Given;
            }
            else if (given.HasRateLimits)
            {
                effective = given;
                source = PolicySource.Given;
            }
            else
            {
                // Content limits alone say nothing about the rate: they go on top of the default.
                effective = QuotaPolicy.ConservativeDefault().With(given);
                source = PolicySource.Default;
            }
            if (!effective.Equals(remembered)) ledger.SavePolicy(account, effective, now);
            return effective;
        }
    }
}
