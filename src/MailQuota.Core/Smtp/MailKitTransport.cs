using System;
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
    /// connection for the whole run; after a dropped connection the next message reconnects.
    /// </summary>
    public sealed class MailKitTransport : IMailTransport
    {
        readonly SmtpSettings _settings;
        readonly SmtpClient _client = new SmtpClient();
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
            _client.Timeout = (int)settings.Timeout.TotalMilliseconds;
        }

        public SmtpReply Send(MimeMessage message, CancellationToken cancellationToken)
        {
            try
            {
                EnsureConnected(cancellationToken);
                var response = _client.Send(message, cancellationToken);
                _idle.Restart();
                return new SmtpReply(true, 250, response ?? "");
            }
            catch (SmtpCommandException e)
            {
                return new SmtpReply(false, (int)e.StatusCode, e.Message);
            }
            catch (Exception e) when (e is SmtpProtocolException || e is IOException || e is ServiceNotConnectedException)
            {
                Disconnect();
                return new SmtpReply(false, 0, "connection lost: " + e.Message);
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
                _client.Authenticate(credential, cancellationToken);
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
    }
}
