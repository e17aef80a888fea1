using System;
using System.Threading;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailQuota.Core.Smtp;

namespace MailQuota.Core.Auth
{
    /// <summary>
    /// Signs SMTP connections in with OAuth 2.0 (XOAUTH2, or OAUTHBEARER where only that is offered)
    /// and keeps the token fresh on the injected clock: a token about to run out is renewed before
    /// it is used, a connection signed in with one that ran out is opened again, and a token the
    /// server refuses is renewed once; refused again, the sign-in fails with what to fix.
    /// </summary>
    public sealed class OAuthSignIn : ISmtpAuthenticator
    {
        /// <summary>A token with less than this left is renewed (MSAL renews five minutes early too).</summary>
        public static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);

        readonly string _user;
        readonly ITokenSource _source;
        readonly IClock _clock;
        AccessToken? _token;
        DateTimeOffset _tokenExpires;
        DateTimeOffset? _sessionExpires;

        /// <param name="user">The mailbox that sends (the user name in XOAUTH2).</param>
        public OAuthSignIn(string user, ITokenSource source, IClock clock)
        {
            if (string.IsNullOrWhiteSpace(user)) throw new ArgumentException("the sending mailbox is required", nameof(user));
            _user = user;
            _source = source;
            _clock = clock;
        }

        /// <summary>Tokens fetched so far in this run (the first, and each renewal).</summary>
        public int TokensFetched { get; private set; }

        public bool SessionExpired => _sessionExpires is DateTimeOffset end && _clock.UtcNow >= end - RenewBefore;

        public void Authenticate(SmtpClient client, CancellationToken cancellationToken)
        {
            try
            {
                Login(client, Token(false, cancellationToken), cancellationToken);
            }
            catch (AuthenticationException)
            {
                // Revoked, or expired earlier than it said: one new token, then give up.
                try { Login(client, Token(true, cancellationToken), cancellationToken); }
                catch (AuthenticationException again) { throw SignInReplies.Refused(again.Message, _user, again); }
            }
        }

        void Login(SmtpClient client, AccessToken token, CancellationToken cancellationToken)
        {
            var offered = client.AuthenticationMechanisms;
            SaslMechanism mechanism = !offered.Contains("XOAUTH2") && offered.Contains("OAUTHBEARER")
                ? new SaslMechanismOAuthBearer(_user, token.Value)
                : new SaslMechanismOAuth2(_user, token.Value);
            _sessionExpires = null;
            client.Authenticate(mechanism, cancellationToken);
            _sessionExpires = _tokenExpires;
        }

        AccessToken Token(bool renew, CancellationToken cancellationToken)
        {
            var now = _clock.UtcNow;
            if (!renew && _token != null && now < _tokenExpires - RenewBefore) return _token;
            // Past the first token, always ask the provider: its cache keeps its own (real) time.
            var token = _source.GetToken(renew || _token != null, cancellationToken);
            TokensFetched++;
            _token = token;
            _tokenExpires = now + token.Lifetime;
            return token;
        }
    }
}
