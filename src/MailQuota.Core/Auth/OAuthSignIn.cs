using MailQuota.Core.Time;
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
        readonly object _tokenGate = new object();
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

        /// <summary>Told of each token fetched (never the token itself), for the verbose stream.</summary>
        public Action<string>? OnToken { get; set; }

        public bool SessionExpired => _sessionExpires is DateTimeOffset end && _clock.UtcNow >= end - RenewBefore;

        public void Authenticate(SmtpClient client, CancellationToken cancellationToken)
        {
            var mechanism = Mechanism(client);
            try
            {
                Login(client, mechanism, Token(false, cancellationToken), cancellationToken);
            }
            catch (AuthenticationException)
            {
                // Revoked, or expired earlier than it said: one new token, then give up.
                try { Login(client, mechanism, Token(true, cancellationToken), cancellationToken); }
                catch (AuthenticationException again) { throw SignInReplies.Refused(again.Message, _user, again); }
            }
        }

        /// <summary>XOAUTH2 (Exchange Online offers only that), else OAUTHBEARER; neither offered is a setup mistake.</summary>
        static string Mechanism(SmtpClient client)
        {
            var offered = client.AuthenticationMechanisms;
            if (offered.Contains("XOAUTH2")) return "XOAUTH2";
            if (offered.Contains("OAUTHBEARER")) return "OAUTHBEARER";
            throw new SignInException("SmtpOAuthNotOffered",
                $"The SMTP server does not offer OAuth 2.0 sign-in (XOAUTH2 or OAUTHBEARER); it offers: {(offered.Count == 0 ? "no sign-in at all" : string.Join(" ", offered))}.",
                "Check -SmtpServer, -Port and -SecureSocketOptions: Exchange Online (smtp.office365.com:587) and Gmail (smtp.gmail.com:587) offer it only after STARTTLS.");
        }

        void Login(SmtpClient client, string mechanism, AccessToken token, CancellationToken cancellationToken)
        {
            SaslMechanism sasl = mechanism == "XOAUTH2" ? new SaslMechanismOAuth2(_user, token.Value) : new SaslMechanismOAuthBearer(_user, token.Value);
            _sessionExpires = null;
            client.Authenticate(sasl, cancellationToken);
            _sessionExpires = _tokenExpires;
        }

        /// <summary>
        /// The token to sign in with. The run's connections sign in on their own threads and share the
        /// token: they take turns here, so the first fetches it and the others use it.
        /// </summary>
        AccessToken Token(bool renew, CancellationToken cancellationToken)
        {
            lock (_tokenGate) return TokenNow(renew, cancellationToken);
        }

        AccessToken TokenNow(bool renew, CancellationToken cancellationToken)
        {
            var now = _clock.UtcNow;
            if (!renew && _token != null && now < _tokenExpires - RenewBefore) return _token;
            // Past the first token, always ask the provider: its cache keeps its own (real) time.
            var token = _source.GetToken(renew || _token != null, cancellationToken);
            TokensFetched++;
            _token = token;
            _tokenExpires = now + token.Lifetime;
            OnToken?.Invoke($"{(TokensFetched == 1 ? "Got" : renew ? "Renewed (the server refused the last one)" : "Renewed")} the access token for {_user}: {token}.");
            return token;
        }
    }
}
