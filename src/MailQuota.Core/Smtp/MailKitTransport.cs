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
        readonly System.Diagnostics.Stopwatch _idle = new System.Diagnostics.Stopwatch();

        /// <summary>
        /// Servers drop idle connections (smtp4dev within a minute, Exchange after about ten), and the
        /// client only learns of it at the next command. After this much idle time a NOOP checks the
        /// connection first, so a quota wait never turns the next message into an ambiguous failure.
        /// </summary>
        static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(5);

        public MailKitTransport(SmtpSettings settings)
        {
            _settings = settings;
            _client = new StageTrackingClient(_tracker);
            _client.Timeout = (int)settings.Timeout.TotalMilliseconds;
        }

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
            if (_client.IsConnected) return;
            _client.Connect(_settings.Host, _settings.Port, ToMailKit(_settings.Security), cancellationToken);
            if (_settings.Credential is { } credential && !string.IsNullOrEmpty(credential.UserName))
            {
                if (!_client.IsSecure && !_settings.AllowUnencryptedAuthentication)
                {
                    Disconnect();
                    throw new UnencryptedAuthenticationException(_settings.ToString());
                }
                _client.Authenticate(credential, cancellationToken);
            }
            _idle.Restart();
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
