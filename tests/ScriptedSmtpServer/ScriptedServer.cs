using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace ScriptedSmtpServer
{
    /// <summary>A message the server accepted: the envelope and the raw message text.</summary>
    public sealed class ReceivedMessage
    {
        public ReceivedMessage(string from, IReadOnlyList<string> to, string raw, bool replyLost) { From = from; To = to; Raw = raw; ReplyLost = replyLost; }
        public string From { get; }
        public IReadOnlyList<string> To { get; }
        public string Raw { get; }

        /// <summary>Taken, but the connection went before the reply (a "lose" rule or fault).</summary>
        public bool ReplyLost { get; }
    }

    /// <summary>
    /// A real SMTP server on a loopback port (SmtpServer package) that answers as its rules say and
    /// accepts everything else. Thread-safe: sessions run concurrently.
    /// </summary>
    public sealed class ScriptedServer : IDisposable
    {
        readonly object _lock = new object();
        readonly List<ReceivedMessage> _received = new List<ReceivedMessage>();
        readonly List<string> _refusals = new List<string>();
        readonly CancellationTokenSource _stop = new CancellationTokenSource();
        readonly SemaphoreSlim _release = new SemaphoreSlim(0);
        readonly SmtpServer.SmtpServer _server;
        readonly Task _running;
        readonly string? _logPath;
        readonly RandomFaults? _faults;
        IReadOnlyList<ScriptRule> _rules;
        int _messages, _acceptedInARow, _mails, _mailsInARow;

        /// <param name="faults">Random faults for the DATA commands no rule answers (a soak run); null for none.</param>
        public ScriptedServer(int port, IEnumerable<ScriptRule> rules, string? logPath = null, RandomFaults? faults = null)
        {
            Port = port;
            _rules = rules.ToList();
            _logPath = logPath;
            _faults = faults;
            var options = new SmtpServerOptionsBuilder().ServerName("scripted.test")
                .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, port)).SessionTimeout(TimeSpan.FromMinutes(5)))
                .Build();
            var services = new SmtpServer.ComponentModel.ServiceProvider();
            services.Add(new Store(this));
            services.Add(new Filter(this));
            services.Add((IEndpointListenerFactory)new NoDelayListenerFactory());
            _server = new SmtpServer.SmtpServer(options, services);
            _server.SessionCreated += (_, e) =>
            {
                e.Context.CommandExecuting += (_, c) => { if (c.Command is DataCommand) OnDataCommand(c.Context); };
                e.Context.CommandExecuted += (_, c) =>
                {
                    // A "close" rule at DATA: the reply is out, now hang up as a server that answers 421 does.
                    if (c.Context.Properties.Remove(HangUp)) c.Context.Pipe.Dispose();
                };
            };
            _running = _server.StartAsync(_stop.Token);
            WaitUntilListening();
        }

        /// <summary>The server binds in the background: return once a connection gets through.</summary>
        void WaitUntilListening()
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                if (_running.IsFaulted) _running.GetAwaiter().GetResult();
                try
                {
                    using var probe = new System.Net.Sockets.TcpClient();
                    probe.Connect(IPAddress.Loopback, Port);
                    return;
                }
                catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline)
                {
                    _running.Wait(TimeSpan.FromMilliseconds(20));
                }
            }
        }

        /// <summary>Starts on a free loopback port.</summary>
        public static ScriptedServer Start(params string[] rules) => new ScriptedServer(FreePort(), rules.Select(ScriptRule.Parse));

        public int Port { get; }

        /// <summary>Replaces the rules (the message count goes on).</summary>
        public IReadOnlyList<ScriptRule> Rules { get => _rules; set => _rules = value.ToList(); }

        public IReadOnlyList<ReceivedMessage> Received { get { lock (_lock) return _received.ToList(); } }

        /// <summary>Every scripted reply given, in order ("rcpt a@x: 550 …", "data 21: 454 …").</summary>
        public IReadOnlyList<string> Refusals { get { lock (_lock) return _refusals.ToList(); } }

        public static int FreePort()
        {
            var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            try { return ((IPEndPoint)listener.LocalEndpoint).Port; }
            finally { listener.Stop(); }
        }

        const string HangUp = "scripted.hang-up";
        const string DataRule = "scripted.data-rule";
        const string HeldReply = "scripted.held-reply";

        /// <summary>A "hold" rule took message N and keeps its reply until <see cref="Release"/>.</summary>
        public event Action<int>? Holding;

        /// <summary>Lets the reply of one held message (the first held, if several wait) go.</summary>
        public void Release() => _release.Release();

        async Task HoldReply(int message)
        {
            Holding?.Invoke(message);
            await _release.WaitAsync(_stop.Token).ConfigureAwait(false);
        }

        SmtpResponse? Refuse(ScriptRule? rule, string what)
        {
            if (rule == null) return null;
            _refusals.Add($"{what}: {rule.Code} {rule.Text}");
            return new SmtpResponse((SmtpReplyCode)rule.Code, rule.Text);
        }

        /// <summary>
        /// The DATA command arrived: it counts as the next message, and the rule that answers it is
        /// chosen now. A "drop" rule hangs up at once, before any data.
        /// </summary>
        void OnDataCommand(ISessionContext context)
        {
            lock (_lock)
            {
                _messages++;
                var rule = _rules.FirstOrDefault(r => r.MatchesCommand(ScriptStage.Data, _messages, _acceptedInARow)) ?? _faults?.For(_messages);
                if (rule?.Drop == true)
                {
                    _refusals.Add($"data {_messages}: dropped at the DATA command");
                    context.Pipe.Dispose();
                    return;
                }
                context.Properties[DataRule] = rule!;
            }
        }

        SmtpResponse OnMessage(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer)
        {
            lock (_lock)
            {
                var rule = context.Properties.TryGetValue(DataRule, out var chosen) ? chosen as ScriptRule : null;
                context.Properties.Remove(DataRule);
                if (rule?.Lose == true)
                {
                    // Taken: the message is kept, then the connection goes before the reply.
                    Keep(transaction, buffer, replyLost: true);
                    _refusals.Add($"data {_messages}: reply lost after the message was taken");
                    context.Pipe.Dispose();
                    return SmtpResponse.Ok;
                }
                if (rule?.Hold == true)
                {
                    // Taken now; the reply waits for Release (the Store awaits it outside the lock).
                    _acceptedInARow++;
                    Keep(transaction, buffer, replyLost: false);
                    _refusals.Add($"data {_messages}: reply held");
                    context.Properties[HeldReply] = _messages;
                    return new SmtpResponse((SmtpReplyCode)rule.Code, rule.Text);
                }
                if (Refuse(rule, $"data {_messages}") is SmtpResponse refusal)
                {
                    _acceptedInARow = 0;
                    if (rule!.Close) context.Properties[HangUp] = true;
                    return refusal;
                }
                _acceptedInARow++;
                Keep(transaction, buffer, replyLost: false);
                return SmtpResponse.Ok;
            }
        }

        /// <summary>Records what the server took: in memory, and as one JSON line in the log file (a soak run's record).</summary>
        void Keep(IMessageTransaction transaction, ReadOnlySequence<byte> buffer, bool replyLost)
        {
            var message = new ReceivedMessage(Address(transaction.From), transaction.To.Select(Address).ToList(), Encoding.UTF8.GetString(buffer.ToArray()), replyLost);
            _received.Add(message);
            if (_logPath != null)
                File.AppendAllText(_logPath, JsonSerializer.Serialize(new { from = message.From, to = message.To, replyLost, raw = message.Raw }) + "\n");
        }

        /// <summary>
        /// MAIL FROM. A refusal leaves the session without a transaction, so the server answers the
        /// RCPT and DATA a pipelining client sent behind it with "503 bad sequence of commands".
        /// </summary>
        bool OnSender()
        {
            lock (_lock)
            {
                _mails++;
                var rule = _rules.FirstOrDefault(r => r.MatchesCommand(ScriptStage.Mail, _mails, _mailsInARow));
                if (Refuse(rule, $"mail {_mails}") is SmtpResponse refusal)
                {
                    _mailsInARow = 0;
                    throw new SmtpResponseException(refusal, rule!.Close);
                }
                _mailsInARow++;
                return true;
            }
        }

        bool OnRecipient(IMailbox to)
        {
            lock (_lock)
            {
                var address = Address(to);
                var rule = _rules.FirstOrDefault(r => r.MatchesRecipient(address));
                if (Refuse(rule, "rcpt " + address) is SmtpResponse refusal)
                    throw new SmtpResponseException(refusal, rule!.Close);
                return true;
            }
        }

        static string Address(IMailbox mailbox) => $"{mailbox.User}@{mailbox.Host}";

        public void Dispose()
        {
            _stop.Cancel();
            try { _running.Wait(TimeSpan.FromSeconds(10)); } catch (AggregateException) { }
            _stop.Dispose();
            _release.Dispose();
        }

        sealed class Store : MessageStore
        {
            readonly ScriptedServer _server;
            public Store(ScriptedServer server) => _server = server;

            public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
            {
                var response = _server.OnMessage(context, transaction, buffer);
                if (context.Properties.TryGetValue(HeldReply, out var held))
                {
                    context.Properties.Remove(HeldReply);
                    await _server.HoldReply((int)held).ConfigureAwait(false);
                }
                return response;
            }
        }

        sealed class Filter : IMailboxFilter
        {
            readonly ScriptedServer _server;
            public Filter(ScriptedServer server) => _server = server;

            public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) =>
                Task.FromResult(_server.OnSender());

            public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
                Task.FromResult(_server.OnRecipient(to));
        }
    }
}
