using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailQuota.Core.Smtp
{
    /// <summary>
    /// SMTP over MailKit: connects and authenticates on the first message and keeps that one
    /// connection for the whole run. After a 421 reply or a dropped connection it disconnects, so the
    /// next message (or the retry of this one) connects again.
    /// </summary>
    public sealed class MailKitTransport : IMailTransport
    {
        readonly SmtpSettings _settings;
        readonly ISmtpAuthenticator? _authenticator;
        readonly StageTrackingClient _client = new StageTrackingClient();
        readonly System.Diagnostics.Stopwatch _idle = new System.Diagnostics.Stopwatch();

        /// <summary>
        /// Servers drop idle connections (smtp4dev within a minute, Exchange after about ten), and the
        /// client only learns of it at the next command. After this much idle time a NOOP checks the
        /// connection first, so a quota wait never turns the next message into an ambiguous failure.
        /// </summary>
        static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(5);

        /// <param name="authenticator">Signs each new connection in (OAuth 2.0); null signs in with the settings' credential, if any.</param>
        public MailKitTransport(SmtpSettings settings, ISmtpAuthenticator? authenticator = null)
        {
            _settings = settings;
            _authenticator = authenticator;
            _client.Timeout = (int)settings.Timeout.TotalMilliseconds;
        }

        public SmtpReply Send(MimeMessage message, MailboxAddress sender, IReadOnlyList<MailboxAddress> recipients, CancellationToken cancellationToken)
        {
            EnsureConnected(cancellationToken);
            _client.Begin(recipients.Count);
            try
            {
                var response = _client.Send(message, sender, recipients, cancellationToken);
                _idle.Restart();
                return new SmtpReply(true, 250, response ?? "") { RefusedRecipients = _client.Refused };
            }
            catch (SmtpCommandException e)
            {
                var stage = e.ErrorCode == SmtpErrorCode.SenderNotAccepted ? SmtpStage.Sender
                    : e.ErrorCode == SmtpErrorCode.RecipientNotAccepted ? SmtpStage.Recipient
                    : _client.Stage;
                if ((int)e.StatusCode == 421) Disconnect();
                _idle.Restart();
                // Every recipient refused for good: the transaction failed, each recipient with its own reply.
                var refused = _client.Refused;
                if (refused.Count == recipients.Count && refused.Count > 0)
                    return new SmtpReply(false, refused[0].Reply.Code, refused[0].Reply.Text, SmtpStage.Recipient) { RefusedRecipients = refused };
                return new SmtpReply(false, (int)e.StatusCode, e.Message, stage);
            }
            catch (ServiceNotAuthenticatedException e)
            {
                // 530 at MAIL FROM (Exchange's 5.7.57): the server wants a sign-in first; it took nothing.
                _idle.Restart();
                return new SmtpReply(false, 530, e.Message, SmtpStage.Sender);
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                // Whatever broke once the transaction began (a dropped or timed-out connection, or a
                // failure MailKit reports some other way): the stage reached decides whether the message
                // may have been taken, so no such failure is mistaken for "never left the client".
                var stage = _client.Stage;
                Disconnect();
                return new SmtpReply(false, 0, "connection lost: " + e.Message, stage);
            }
        }

        void EnsureConnected(CancellationToken cancellationToken)
        {
            if (_client.IsConnected && _idle.Elapsed > IdleCheck)
            {
                try { _client.NoOp(cancellationToken); }
                catch (Exception e) when (e is SmtpProtocolException || e is IOException || e is SmtpCommandException) { Disconnect(); }
            }
            if (_client.IsConnected && _authenticator?.SessionExpired == true) Disconnect();
            if (_client.IsConnected) return;
            _client.Connect(_settings.Host, _settings.Port, ToMailKit(_settings.Security), cancellationToken);
            try { SignIn(cancellationToken); }
            catch (SignInException)
            {
                Disconnect();
                throw;
            }
            _idle.Restart();
        }

        /// <summary>With the authenticator (a token) or the credential (a password); a refused password says what to fix as a token does.</summary>
        void SignIn(CancellationToken cancellationToken)
        {
            if (_authenticator != null)
            {
                _authenticator.Authenticate(_client, cancellationToken);
                return;
            }
            if (!(_settings.Credential is { } credential) || string.IsNullOrEmpty(credential.UserName)) return;
            try { _client.Authenticate(credential, cancellationToken); }
            catch (AuthenticationException e) { throw SignInReplies.Refused(e.Message, credential.UserName, e, withPassword: true); }
        }

        void Disconnect()
        {
            try { if (_client.IsConnected) _client.Disconnect(false); }
            catch (Exception e) when (e is IOException || e is MailKit.ProtocolException) { }
        }

        static SecureSocketOptions ToMailKit(SmtpSecurity security) => security switch
        {
            SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            SmtpSecurity.None => SecureSocketOptions.None,
            _ => SecureSocketOptions.Auto,
        };

        public void Dispose()
        {
            if (_client.IsConnected)
            {
                try { _client.Disconnect(true); }
                catch (Exception e) when (e is IOException || e is MailKit.ProtocolException || e is SmtpCommandException) { }
            }
            _client.Dispose();
        }

        /// <summary>
        /// Knows how far the transaction got (so a lost connection before DATA is a safe retry, after
        /// it an unknown outcome), and lets a Bcc batch go on when single recipients are refused for
        /// good; any other refusal of a recipient (a throttle, a quota) fails the whole transaction.
        /// </summary>
        sealed class StageTrackingClient : SmtpClient
        {
            readonly List<RecipientRefusal> _refused = new List<RecipientRefusal>();
            int _recipients, _answered;

            public SmtpStage Stage { get; private set; }
            public IReadOnlyList<RecipientRefusal> Refused => _refused.ToArray();

            public void Begin(int recipients)
            {
                _refused.Clear();
                _recipients = recipients;
                _answered = 0;
                Stage = SmtpStage.Sender;
            }

            protected override void OnSenderAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
            {
                Stage = SmtpStage.Recipient;
                base.OnSenderAccepted(message, mailbox, response);
            }

            protected override void OnRecipientAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
            {
                Answered();
                base.OnRecipientAccepted(message, mailbox, response);
            }

            protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
            {
                var reply = new SmtpReply(false, (int)response.StatusCode, response.Response, SmtpStage.Recipient);
                if (ReplyClassifier.Classify(reply).Outcome != ReplyOutcome.RecipientRejected)
                    base.OnRecipientNotAccepted(message, mailbox, response);
                _refused.Add(new RecipientRefusal(mailbox.Address, reply));
                Answered();
            }

            void Answered()
            {
                if (++_answered >= _recipients) Stage = SmtpStage.Data;
            }
        }
    }
}
