using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ScriptedSmtpServer.OAuth
{
    /// <summary>A message the OAuth server accepted, with the user and token its session signed in with.</summary>
    public sealed class SignedInMessage
    {
        public SignedInMessage(string user, string token, string from, IReadOnlyList<string> to, string raw)
        {
            User = user; Token = token; From = from; To = to; Raw = raw;
        }

        public string User { get; }
        public string Token { get; }
        public string From { get; }
        public IReadOnlyList<string> To { get; }
        public string Raw { get; }
    }

    /// <summary>
    /// A small real SMTP server on loopback that speaks enough SMTP for MailKit (EHLO, AUTH XOAUTH2,
    /// OAUTHBEARER and PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT; commands answered in order, so PIPELINING
    /// works) and checks every bearer token with <see cref="Validate"/>. The SmtpServer package
    /// offers only PLAIN and LOGIN, hence this server. Mail without a sign-in gets 530 5.7.57, as from
    /// Exchange Online; a session whose token ran out gets 421 at its next MAIL.
    /// </summary>
    public sealed class OAuthSmtpServer : IDisposable
    {
        readonly TcpListener _listener;
        readonly CancellationTokenSource _stop = new CancellationTokenSource();
        readonly object _lock = new object();
        readonly List<SignedInMessage> _received = new List<SignedInMessage>();
        readonly List<string> _log = new List<string>();
        readonly List<Task> _sessions = new List<Task>();
        readonly List<TcpClient> _clients = new List<TcpClient>();
        readonly Task _accepting;

        /// <param name="validate">Given the user and the token: null to accept, or the reply to refuse with (e.g. "535 5.7.3 Authentication unsuccessful").</param>
        /// <param name="port">0 for a free one.</param>
        public OAuthSmtpServer(Func<string, string, string?> validate, string mechanisms = "XOAUTH2 OAUTHBEARER", int port = 0)
        {
            Validate = validate;
            Mechanisms = mechanisms;
            _listener = new TcpListener(IPAddress.Loopback, port);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _accepting = Task.Run(AcceptLoop);
        }

        public int Port { get; }
        public Func<string, string, string?> Validate { get; set; }
        public string Mechanisms { get; }

        public IReadOnlyList<SignedInMessage> Received { get { lock (_lock) return _received.ToList(); } }

        /// <summary>Every AUTH and its answer, and every refusal, in order ("auth user ok", "auth user 535 …", "mail 421 …").</summary>
        public IReadOnlyList<string> Log { get { lock (_lock) return _log.ToList(); } }

        void Note(string line) { lock (_lock) _log.Add(line); }

        async Task AcceptLoop()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync().ConfigureAwait(false); }
                catch (Exception) when (_stop.IsCancellationRequested) { return; }
                lock (_lock)
                {
                    _clients.Add(client);
                    _sessions.Add(Task.Run(() => Serve(client)));
                }
            }
        }

        void Serve(TcpClient client)
        {
            using (client)
            using (var stream = client.GetStream())
            {
                var reader = new StreamReader(stream, new UTF8Encoding(false), false, 8192);
                var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
                try { new Session(this, reader, writer).Run(); }
                catch (IOException) { }
                catch (ObjectDisposedException) { }
            }
        }

        sealed class Session
        {
            readonly OAuthSmtpServer _server;
            readonly StreamReader _reader;
            readonly StreamWriter _writer;
            string? _user, _token, _from;
            readonly List<string> _to = new List<string>();

            public Session(OAuthSmtpServer server, StreamReader reader, StreamWriter writer)
            {
                _server = server; _reader = reader; _writer = writer;
            }

            public void Run()
            {
                _writer.WriteLine("220 oauth.test ESMTP ready");
                string? line;
                while ((line = _reader.ReadLine()) != null)
                {
                    var verb = (line.Length >= 4 ? line.Substring(0, 4) : line).ToUpperInvariant();
                    switch (verb)
                    {
                        case "EHLO":
                            _writer.WriteLine("250-oauth.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 AUTH " + _server.Mechanisms);
                            break;
                        case "HELO": _writer.WriteLine("250 oauth.test"); break;
                        case "AUTH": Auth(line); break;
                        case "MAIL": if (!Mail(line)) return; break;
                        case "RCPT":
                            if (_from == null) { _writer.WriteLine("503 5.5.1 need MAIL command"); break; }
                            _to.Add(Address(line)); _writer.WriteLine("250 2.1.5 Recipient OK");
                            break;
                        case "DATA": Data(); break;
                        case "RSET": _from = null; _to.Clear(); _writer.WriteLine("250 2.0.0 Resetting"); break;
                        case "NOOP": _writer.WriteLine("250 2.0.0 OK"); break;
                        case "QUIT": _writer.WriteLine("221 2.0.0 Bye"); return;
                        default: _writer.WriteLine("500 5.5.2 command not recognised"); break;
                    }
                }
            }

            void Auth(string line)
            {
                var parts = line.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
                var mechanism = parts.Length > 1 ? parts[1].ToUpperInvariant() : "";
                if (!_server.Mechanisms.Split(' ').Contains(mechanism)) { _writer.WriteLine("504 5.7.4 Unrecognized authentication type"); return; }
                if (_user != null) { _writer.WriteLine("503 5.5.1 already authenticated"); return; }
                var initial = parts.Length > 2 ? parts[2] : null;
                if (initial == null)
                {
                    _writer.WriteLine("334 ");
                    initial = _reader.ReadLine() ?? "";
                }
                var (user, token) = Parse(mechanism, Encoding.UTF8.GetString(Convert.FromBase64String(initial)));
                var refusal = user == null || token == null ? "535 5.7.3 Authentication unsuccessful (malformed)" : _server.Validate(user, token);
                if (refusal == null)
                {
                    _user = user; _token = token;
                    _server.Note($"auth {user} ok");
                    _writer.WriteLine("235 2.7.0 Authentication successful");
                    return;
                }
                // As Exchange and Gmail do for a token: a JSON error challenge, the client's empty answer, then the refusal.
                if (mechanism != "PLAIN")
                {
                    _writer.WriteLine("334 " + Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"status\":\"401\",\"schemes\":\"bearer\"}")));
                    _reader.ReadLine();
                }
                _server.Note($"auth {user} {refusal}");
                _writer.WriteLine(refusal);
            }

            /// <summary>XOAUTH2: "user=U^Aauth=Bearer T^A^A"; OAUTHBEARER: "n,a=U,^Aauth=Bearer T^A^A"; PLAIN: "^@U^@password" (a password in place of the token).</summary>
            static (string?, string?) Parse(string mechanism, string text)
            {
                if (mechanism == "PLAIN")
                {
                    var parts = text.Split('\0');
                    return parts.Length == 3 ? (parts[1], parts[2]) : (null, null);
                }
                string? user = null, token = null;
                foreach (var field in text.Split('\u0001'))
                {
                    if (field.StartsWith("user=", StringComparison.Ordinal)) user = field.Substring(5);
                    else if (field.StartsWith("auth=Bearer ", StringComparison.Ordinal)) token = field.Substring(12);
                    else if (mechanism == "OAUTHBEARER" && field.StartsWith("n,", StringComparison.Ordinal))
                        user = field.Split(',').FirstOrDefault(f => f.StartsWith("a=", StringComparison.Ordinal))?.Substring(2);
                }
                return (user, token);
            }

            bool Mail(string line)
            {
                if (_user == null)
                {
                    _server.Note("mail 530 5.7.57");
                    _writer.WriteLine("530 5.7.57 Client not authenticated to send mail. [oauth.test]");
                    return true;
                }
                if (_server.Validate(_user, _token!) is string refusal)
                {
                    _server.Note("mail 421 " + refusal);
                    _writer.WriteLine("421 4.7.0 The access token of this session is no longer valid, closing connection");
                    return false;
                }
                _from = Address(line);
                _to.Clear();
                _writer.WriteLine("250 2.1.0 Sender OK");
                return true;
            }

            void Data()
            {
                if (_from == null || _to.Count == 0) { _writer.WriteLine("503 5.5.1 need RCPT command"); return; }
                _writer.WriteLine("354 Start mail input; end with <CRLF>.<CRLF>");
                var raw = new StringBuilder();
                string? line;
                while ((line = _reader.ReadLine()) != null && line != ".")
                    raw.Append(line.StartsWith("..", StringComparison.Ordinal) ? line.Substring(1) : line).Append("\r\n");
                lock (_server._lock) _server._received.Add(new SignedInMessage(_user!, _token!, _from, _to.ToList(), raw.ToString()));
                _from = null;
                _to.Clear();
                _writer.WriteLine("250 2.0.0 OK queued");
            }

            static string Address(string line)
            {
                var start = line.IndexOf('<');
                var end = line.IndexOf('>', start + 1);
                return start >= 0 && end > start ? line.Substring(start + 1, end - start - 1) : "";
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            try { _accepting.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
            Task[] sessions;
            lock (_lock)
            {
                foreach (var client in _clients) client.Close();
                sessions = _sessions.ToArray();
            }
            try { Task.WaitAll(sessions, TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
            _stop.Dispose();
        }
    }
}
