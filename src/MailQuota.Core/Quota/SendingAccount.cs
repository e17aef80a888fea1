using MailQuota.Core.Mail;

namespace MailQuota.Core.Quota
{
    /// <summary>
    /// The account a run's quota is counted against, as one canonical key (<see cref="MailAddressRule.AccountKey(string?, string)"/>):
    /// the account named for the run; else, when the provider counts per login and the run signs
    /// in, the login, whatever address the messages go out from; else the sender address.
    /// </summary>
    public static class SendingAccount
    {
        public static string Key(string? account, string fromAddress, string? login, CountedPer countedPer) =>
            MailAddressRule.AccountKey(account, countedPer == CountedPer.Login && !string.IsNullOrWhiteSpace(login) ? login! : fromAddress);
    }
}
