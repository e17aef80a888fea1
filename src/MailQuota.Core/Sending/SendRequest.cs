using System;
using MailQuota.Core.Campaigns;
using MailQuota.Core.Content;
using MailQuota.Core.Mail;
using MailQuota.Core.Quota;
using MailQuota.Core.Smtp;

namespace MailQuota.Core.Sending
{
    /// <summary>Everything a run needs, in the core's terms: what is sent, through which server, for which account, under which limits.</summary>
    public sealed class SendRequest
    {
        public SendRequest(MessageTemplate template, SmtpSettings smtp)
        {
            Template = template;
            Smtp = smtp;
        }

        public MessageTemplate Template { get; }
        public SmtpSettings Smtp { get; }

        /// <summary>Signs each new connection in with OAuth 2.0 (a token); null signs in with the SMTP settings' credential, if any.</summary>
        public ISmtpAuthenticator? Authenticator { get; set; }

        /// <summary>The account the quota is counted against, when named; see <see cref="AccountKey"/>.</summary>
        public string? Account { get; set; }

        /// <summary>The user name the run signs in with (a credential's, or the OAuth 2.0 mailbox); null when it does not sign in.</summary>
        public string? Login { get; set; }

        /// <summary>Whom the provider counts its quota against (the profile says; the sender without one).</summary>
        public CountedPer CountedPer { get; set; } = CountedPer.Sender;

        /// <summary>The campaign id; derived from the account and the template when null (<see cref="CampaignKey.Derive"/>).</summary>
        public string? Campaign { get; set; }

        /// <summary>Limits given for this run: they override the remembered ones (or the profile's) and are remembered.</summary>
        public QuotaPolicy Limits { get; set; } = new QuotaPolicy();

        /// <summary>The provider profile's limits, when the run is under a profile.</summary>
        public QuotaPolicy? ProfileLimits { get; set; }

        /// <summary>Batching, waiting and retries; its campaign is set by the run.</summary>
        public SendOptions Options { get; set; } = new SendOptions();

        /// <summary>
        /// SMTP connections the run opens at most, each carrying one message at a time; they share the
        /// account's quota and pace. A server that refuses one as too many leaves the run with fewer.
        /// </summary>
        public int MaxConnections
        {
            get => _maxConnections;
            set => _maxConnections = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), "a run needs at least one connection");
        }
        int _maxConnections = 1;

        /// <summary>What to do with a message over the near-duplicate limits.</summary>
        public DuplicateAction DuplicateAction { get; set; } = DuplicateAction.Wait;

        /// <summary>The account named, else the login when the provider counts per login, else the sender (<see cref="SendingAccount"/>).</summary>
        public string AccountKey => SendingAccount.Key(Account, Template.From.Address, Login, CountedPer);
        public string CampaignKey => Campaign ?? Campaigns.CampaignKey.Derive(AccountKey, Template);
    }
}
