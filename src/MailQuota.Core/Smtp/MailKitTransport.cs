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
        readonly TransactionTracker _tracker = new TransactionTracker();
        readonly StageTrackingClient _client;
        readonly ISmtpAuthenticator? _authenticator;
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
            _client = new StageTrackingClient(_tracker);
            _tracker.GoAhead = () => DataGoAhead?.Invoke();
            _authenticator = authenticator;
            _client.Timeout = (int)settings.Timeout.TotalMilliseconds;
        }

        public event Action? DataGoAhead;

        public SmtpReply Send(MimeMessage message, MailboxAddress sender, IReadOnlyList<MailboxAddress> recipients, CancellationToken cancellationToken)
        {
            EnsureConnected(cancellationToken);
            _client.Begin();
            try
            {
                var response = _client.Send(message, sender, recipients, cancellationToken);
                _idle.Restart();
                return new SmtpReply(true, 250, response ?? "", SmtpStage.Data, handedOver: true) { RefusedRecipients = _client.Refused };
            }
            catch (SmtpCommandException e)
            {
                _idle.Restart();
                // The reply to MAIL decides. Under PIPELINING the RCPT and DATA commands went out behind
                // it, and a server that refused MAIL answers them "503 need MAIL command": no verdict on
                // the recipients (Postfix's anvil throttle: 450 4.7.1 to MAIL, then 503s).
                if (_client.SenderRefusal is SmtpReply refusedSender)
                {
                    if (refusedSender.Code == 421) Disconnect();
                    return refusedSender;
                }
                var stage = e.ErrorCode == SmtpErrorCode.RecipientNotAccepted ? SmtpStage.Recipient : _tracker.Stage;
                if ((int)e.StatusCode == 421) Disconnect();
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
                // failure MailKit reports some other way): the server may have taken the message only
                // if the end of its data went out, so only then is the outcome unknown.
                Disconnect();
                return new SmtpReply(false, 0, "connection lost: " + e.Message, _tracker.Stage, _tracker.HandedOver);
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
            var socket = BlockingSocket.Connect(_settings.Host, _settings.Port, _settings.Timeout, cancellationToken);
            try { _client.Connect(socket, _settings.Host, _settings.Port, ToMailKit(_settings.Security), cancellationToken); }
            catch
            {
                socket.Dispose();
                throw;
            }
            try { SignIn(cancellationToken); }
            catch (Exception e) when (e is SignInException || e is UnencryptedAuthenticationException)
            {
                Disconnect();
                throw;
            }
            _idle.Restart();
        }

        /// <summary>
        /// Logs in with the authenticator (a token) or the credential (a password), if either is
        /// given; never over a connection that is not encrypted unless the settings allow it, since
        /// either would go in clear. A refused password says what to fix, as a refused token does.
        /// </summary>
        void SignIn(CancellationToken cancellationToken)
        {
            var credential = _settings.Credential;
            if (_authenticator == null && (credential == null || string.IsNullOrEmpty(credential.UserName))) return;
            if (!_client.IsSecure && !_settings.AllowUnencryptedAuthentication) throw new UnencryptedAuthenticationException(_settings.ToString());
            if (_authenticator != null)
            {
                _authenticator.Authenticate(_client, cancellationToken);
                return;
            }
            try { _client.Authenticate(credential!, cancellationToken); }
            catch (AuthenticationException e) { throw SignInReplies.Refused(e.Message, credential!.UserName, e, withPassword: true); }
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
        /// Tells the tracker when MAIL was accepted, keeps the refusal of MAIL (the verdict under
        /// PIPELINING), and lets a Bcc batch go on when single recipients are refused for good; any
        /// other refusal of a recipient (a throttle, a quota) fails the whole transaction.
        /// </summary>
        sealed class StageTrackingClient : SmtpClient
        {
            readonly TransactionTracker _tracker;
            readonly List<RecipientRefusal> _refused = new List<RecipientRefusal>();

            public StageTrackingClient(TransactionTracker tracker) : base(tracker) => _tracker = tracker;

            public IReadOnlyList<RecipientRefusal> Refused => _refused.ToArray();

            /// <summary>The server's refusal of MAIL FROM in this transaction, if it refused it.</summary>
            public SmtpReply? SenderRefusal { get; private set; }

            public void Begin()
            {
                _refused.Clear();
                SenderRefusal = null;
                _tracker.Begin();
                // BDAT sends the data with its command, no go-ahead first: the run could not record
                // the moment before the server may take the message. DATA has one (354).
                Capabilities &= ~SmtpCapabilities.Chunking;
            }

            protected override void OnSenderAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
            {
                _tracker.SenderAccepted();
                base.OnSenderAccepted(message, mailbox, response);
            }

            protected override void OnSenderNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
            {
                SenderRefusal = new SmtpReply(false, (int)response.StatusCode, response.Response, SmtpStage.Sender);
                base.OnSenderNotAccepted(message, mailbox, response);
            }

            protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
            {
                // Behind a refused MAIL every RCPT gets 503: the sender's refusal is the only verdict.
                if (SenderRefusal != null) return;
                var reply = new SmtpReply(false, (int)response.StatusCode, response.Response, SmtpStage.Recipient);
                if (ReplyClassifier.Classify(reply).Outcome != ReplyOutcome.RecipientRejected)
                    base.OnRecipientNotAccepted(message, mailbox, response);
                _refused.Add(new RecipientRefusal(mailbox.Address, reply));
            }
        }
    }
}
