using System;
using System.Text;
using MailKit;

namespace MailQuota.Core.Smtp
{
    /// <summary>
    /// Follows one SMTP transaction by what actually went over the wire, as MailKit's protocol
    /// logger sees it: the DATA command sent, the server's 354, and the end of the data. (The
    /// transport turns CHUNKING off, so every message goes with DATA and a 354 comes first.)
    /// Only once the end of the data was sent can the server have taken the message, so only then
    /// is a lost connection an unknown outcome. Counting expected replies is no substitute (MailKit
    /// drops repeated recipients, and pipelining puts several commands in one write).
    /// </summary>
    sealed class TransactionTracker : IProtocolLogger
    {
        enum Mode { Commands, AwaitingGoAhead, Body }

        /// <summary>CR LF . CR LF, the last five bytes sent of a message's data.</summary>
        const ulong EndOfData = 0x0D0A2E0D0AUL;
        const ulong FiveBytes = 0xFFFFFFFFFFUL;

        readonly StringBuilder _clientLine = new StringBuilder();
        readonly StringBuilder _serverLine = new StringBuilder();
        ulong _lastBytes;
        Mode _mode;

        /// <summary>How far the current transaction got.</summary>
        public SmtpStage Stage { get; private set; }

        /// <summary>The end of the message data was sent: from here the server may have taken it.</summary>
        public bool HandedOver { get; private set; }

        public IAuthenticationSecretDetector? AuthenticationSecretDetector { get; set; }

        /// <summary>
        /// Called when the 354 arrives, before MailKit writes any of the data (the logger sees the
        /// server's bytes as they are read): the last moment at which nothing was handed over.
        /// </summary>
        public Action? GoAhead { get; set; }

        /// <summary>A new transaction: MAIL FROM is about to go out.</summary>
        public void Begin()
        {
            Stage = SmtpStage.Sender;
            HandedOver = false;
            _mode = Mode.Commands;
            _clientLine.Clear();
            _serverLine.Clear();
            _lastBytes = 0;
        }

        /// <summary>The server accepted MAIL FROM: the recipients are answered next.</summary>
        public void SenderAccepted() => Stage = SmtpStage.Recipient;

        public void LogConnect(Uri uri) { }

        public void LogClient(byte[] buffer, int offset, int count)
        {
            for (var i = offset; i < offset + count; i++)
            {
                if (_mode == Mode.Body) { BodyByte(buffer[i]); continue; }
                if (buffer[i] != (byte)'\n') { if (_clientLine.Length < 64) _clientLine.Append((char)buffer[i]); continue; }
                ClientCommand(_clientLine.ToString().TrimEnd('\r'));
                _clientLine.Clear();
            }
        }

        public void LogServer(byte[] buffer, int offset, int count)
        {
            if (_mode != Mode.AwaitingGoAhead) return;
            for (var i = offset; i < offset + count && _mode == Mode.AwaitingGoAhead; i++)
            {
                if (buffer[i] != (byte)'\n') { if (_serverLine.Length < 8) _serverLine.Append((char)buffer[i]); continue; }
                // 354: the body follows; any other final reply refused DATA and nothing was handed over.
                var line = _serverLine.ToString();
                _serverLine.Clear();
                if (line.Length > 3 && line[3] == '-') continue;
                _mode = line.StartsWith("354", StringComparison.Ordinal) ? Mode.Body : Mode.Commands;
                if (_mode == Mode.Body) GoAhead?.Invoke();
            }
        }

        void ClientCommand(string command)
        {
            if (!command.Equals("DATA", StringComparison.OrdinalIgnoreCase)) return;
            Stage = SmtpStage.Data;
            _mode = Mode.AwaitingGoAhead;
        }

        void BodyByte(byte b)
        {
            _lastBytes = (_lastBytes << 8) | b;
            if ((_lastBytes & FiveBytes) != EndOfData) return;
            HandedOver = true;
            _mode = Mode.Commands;
        }

        public void Dispose() { }
    }
}
