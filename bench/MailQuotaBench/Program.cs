using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailQuota.Core.Content;
using MailQuota.Core.Mail;
using MailQuota.Core.Quota;
using MailQuota.Core.Sending;
using MailQuota.Core.Smtp;
using MailQuota.Core.Storage.Engines;
using MailQuota.Core.Storage.Sqlite;
using MailQuota.Core.Time;
using Microsoft.Data.Sqlite;
using MimeKit;

// Each case prints one line: "<name> <figure>" (figures per second unless named otherwise).
// With --wait-go the process prints "ready" and waits for a line on stdin before measuring, so
// several processes can start together.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var waitGo = args.Contains("--wait-go");
var a = args.Where(x => x != "--wait-go").ToArray();
void Ready() { if (waitGo) { Console.WriteLine("ready"); Console.ReadLine(); } }

switch (a[0])
{
    case "mailkit-loop": MailKitLoop(int.Parse(a[1]), int.Parse(a[2]), a.Length > 3 ? int.Parse(a[3]) : 200); break;
    case "reserve": Reserve(a[1], int.Parse(a[2])); break;
    case "bare-sqlite": BareSqlite(a[1], int.Parse(a[2])); break;
    case "fidelity": Fidelity(); break;
    case "socket-test": SocketTest(int.Parse(a[1]), int.Parse(a[2]), a[3] == "blocking"); break;
    case "send-ledger": SendLedger(int.Parse(a[1]), int.Parse(a[2]), a[3]); break;
    case "send-profile": SendProfile(int.Parse(a[1]), int.Parse(a[2]), a[3], a.Length > 4 ? a[4] : null); break;
    default: Console.Error.WriteLine("cases: mailkit-loop PORT N [WARMUP] | socket-test PORT N mailkit|blocking | send-ledger PORT N LEDGER | reserve LEDGER N | bare-sqlite FILE N | fidelity | send-profile PORT N FOLDER [transport|noguard|session|goahead|run]"); Environment.Exit(2); break;
}

// The limit: a plain MailKit loop on one connection, messages like the module composes. Prints its
// rate and the CPU time it took a message (µs).
void MailKitLoop(int port, int count, int warmUp)
{
    using var client = new SmtpClient();
    client.Connect("127.0.0.1", port, SecureSocketOptions.None);
    Ready();
    for (var i = 0; i < warmUp; i++) client.Send(Compose(-i)); // warm-up, as the cmdlet gets one
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    for (var i = 0; i < count; i++) client.Send(Compose(i));
    watch.Stop();
    var cpuPerMessage = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds * 1000 / count;
    client.Disconnect(true);
    Console.WriteLine($"mailkit-loop {count / watch.Elapsed.TotalSeconds:0.0} {cpuPerMessage:0}");
}

// A bare MailKit loop on a socket connected by MailKit (asynchronously) or by a blocking connect:
// the CPU time per message shows what the socket's mode costs (see MailQuota.Core's BlockingSocket).
void SocketTest(int port, int count, bool blocking)
{
    using var client = new SmtpClient();
    if (blocking)
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Connect(System.Net.IPAddress.Loopback, port);
        client.Connect(socket, "127.0.0.1", port, SecureSocketOptions.None);
    }
    else client.Connect("127.0.0.1", port, SecureSocketOptions.None);
    for (var i = 0; i < 200; i++) client.Send(Compose(-i));
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    for (var i = 0; i < count; i++) client.Send(Compose(i));
    watch.Stop();
    Console.WriteLine($"{(blocking ? "blocking" : "mailkit")} {count / watch.Elapsed.TotalSeconds:0.0} msg/s, CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds * 1000 / count:0} µs/msg");
    client.Disconnect(true);
}

// Where a send's time goes: the same N rows through ever more of the send path, each step's
// extra cost per message is the difference to the step before. FOLDER holds the ledgers (a
// disk folder; /dev/shm shows the path without the cost of fsync). ONLY runs one step, in a
// process of its own (a profiler's view of it; its first rows pay the JIT).
void SendProfile(int port, int count, string folder, string? only)
{
    var smtp = new SmtpSettings("127.0.0.1", port, SmtpSecurity.None, null);
    var template = NoticeTemplate();
    var policy = new QuotaPolicy { MessagesPerMinute = 1_000_000_000 };
    double Rate(Action<int> send, Action? finish = null)
    {
        for (var i = 1; i <= 200; i++) send(-i); // warm-up
        finish?.Invoke();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes();
        var collections = GC.CollectionCount(0);
        var watch = Stopwatch.StartNew();
        for (var i = 1; i <= count; i++) send(i);
        finish?.Invoke();
        Console.Write($"(CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds * 1000 / count:0} µs/msg, {(GC.GetTotalAllocatedBytes() - allocated) / 1024.0 / count:0.0} KB/msg, {GC.CollectionCount(0) - collections} GCs) ");
        return count / watch.Elapsed.TotalSeconds;
    }
    void Sent(IReadOnlyList<SendResult> results) { if (results.Any(r => r.Status != RowStatus.Sent)) throw new InvalidOperationException("not sent: " + results.First(r => r.Status != RowStatus.Sent).Reply); }
    if (only == null || only == "transport")
    {
        using var transport = new MailKitTransport(smtp);
        var composer = new MessageComposer(template);
        Console.WriteLine($"transport {Rate(i => { var m = composer.Compose(new List<MailboxAddress> { new MailboxAddress($"Recipient {i}", $"r{i}@example.test") }, NoticeRow(i).Fields); transport.Send(m.Message, composer.Sender, m.Envelope, default); }):0.0}");
    }
    SqliteLedger Ledger(string name) => new SqliteLedger(System.IO.Path.Combine(folder, name + "-" + Guid.NewGuid().ToString("N") + ".db"));
    void Session(string name, bool guard, bool handovers = false)
    {
        using var ledger = Ledger(name);
        using var transport = new MailKitTransport(smtp);
        var options = new SendOptions { Campaign = "profile-" + name };
        using var session = new SendSession("bench@example.test", policy, template, ledger, ledger, ledger, transport, SystemClock.Instance, options,
            guard ? new ContentGuard(ledger, SystemClock.Instance, policy, DuplicateAction.Wait) : null, handovers ? ledger.OpenAnother() : null);
        Console.WriteLine($"{name} {Rate(i => Sent(session.Add(NoticeRow(i < 0 ? 1_000_000 - i : i), default)), () => Sent(session.Flush(default))):0.0}");
    }
    if (only == null || only == "noguard") Session("session-noguard", guard: false);
    if (only == null || only == "session") Session("session", guard: true);
    if (only == null || only == "goahead") Session("session-goahead", guard: true, handovers: true);   // the go-ahead recorded on a second connection
    if (only != null && only != "run") return;
    using (var ledger = Ledger("run"))
    {
        using var run = SendRun.Create(new SendRequest(template, smtp) { Limits = policy, Campaign = "profile-run" }, ledger, SystemClock.Instance);
        Console.WriteLine($"run {Rate(i => Sent(run.Add(NoticeRow(i < 0 ? 1_000_000 - i : i), default)), () => Sent(run.Flush(default))):0.0}");
    }
}

// A whole run (content guard, campaign, go-ahead records, volume check) into the sink over one
// connection, on any ledger: a file, or a PostgreSQL connection string.
void SendLedger(int port, int count, string ledgerText)
{
    using var ledger = LedgerEngines.Open(ledgerText);
    var request = new SendRequest(NoticeTemplate(), new SmtpSettings("127.0.0.1", port, SmtpSecurity.None, null)) { Limits = new QuotaPolicy { MessagesPerMinute = 1_000_000_000 }, Campaign = "send-ledger" };
    using var run = SendRun.Create(request, ledger, ledger.ClockFor(SystemClock.Instance));
    var watch = Stopwatch.StartNew();
    var sent = 0;
    void Count(IReadOnlyList<SendResult> results) => sent += results.Count(r => r.Status == RowStatus.Sent);
    for (var i = 1; i <= count; i++)
        Count(run.Add(NoticeRow(i), default));
    Count(run.Flush(default));
    if (sent != count) throw new InvalidOperationException($"{sent} of {count} sent");
    Console.WriteLine($"send-ledger {count / watch.Elapsed.TotalSeconds:0.0}");
}

// The notice the module sends in the send cases (the loopback case's template), and its row i.
static MessageTemplate NoticeTemplate() =>
    new MessageTemplate(new MailboxAddress("Bench", "bench@example.test"), "Notice {{Number}}", "Dear {{Name}},\nyour notice number {{Number}} is ready.", null);

static MailRow NoticeRow(int i) =>
    new MailRow(i, $"r{i}@example.test", $"Recipient {i}", new Dictionary<string, string?> { ["Name"] = $"Recipient {i}", ["Number"] = $"{i}" });

static MimeMessage Compose(int i)
{
    var m = new MimeMessage();
    m.From.Add(new MailboxAddress("Bench", "bench@example.test"));
    m.To.Add(new MailboxAddress($"Recipient {i}", $"r{i}@example.test"));
    m.Subject = $"Notice {i}";
    m.Body = new TextPart("plain") { Text = $"Dear Recipient {i},\nyour notice number {i} is ready." };
    return m;
}

// Reservations through the quota gate (windows counted, row inserted, committed durably): on a ledger
// file (BEGIN IMMEDIATE, FULL sync) or a PostgreSQL connection (advisory lock, the server's clock).
void Reserve(string ledgerText, int count)
{
    using var ledger = LedgerEngines.Open(ledgerText);
    var gate = new QuotaGate(ledger, ledger.ClockFor(SystemClock.Instance));
    var policy = new QuotaPolicy { MessagesPerMinute = int.MaxValue / 2, MessagesPerHour = int.MaxValue / 2, RecipientsPerDay = int.MaxValue / 2 };
    var account = "bench-" + Environment.ProcessId + "@example.test";
    Ready();
    var watch = Stopwatch.StartNew();
    for (var i = 0; i < count; i++)
        if (!gate.TryReserve(policy, new ReservationRequest(account, $"r{i}@example.test")).Granted) throw new InvalidOperationException("refused");
    watch.Stop();
    Console.WriteLine($"reserve {count} {watch.Elapsed.TotalSeconds:0.000000}");
}

// The floor: one bare transaction per row with the same pragmas and the same row.
void BareSqlite(string path, int count)
{
    using var c = new SqliteConnection($"Data Source={path};Pooling=False");
    c.Open();
    void Exec(string sql) { using var cmd = c.CreateCommand(); cmd.CommandText = sql; cmd.ExecuteNonQuery(); }
    Exec("PRAGMA journal_mode=WAL;"); Exec("PRAGMA synchronous=FULL;"); Exec("PRAGMA busy_timeout=30000;");
    Exec("CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, account TEXT, recipient TEXT, recipients INTEGER, reserved_at INTEGER, status TEXT)");
    Exec("CREATE INDEX IF NOT EXISTS t_w ON t(account, reserved_at, recipients, status)");
    using var insert = c.CreateCommand();
    insert.CommandText = "INSERT INTO t(account, recipient, recipients, reserved_at, status) VALUES($a, $r, 1, $t, 'InFlight')";
    var pa = insert.Parameters.Add("$a", SqliteType.Text); var pr = insert.Parameters.Add("$r", SqliteType.Text); var pt = insert.Parameters.Add("$t", SqliteType.Integer);
    Ready();
    var watch = Stopwatch.StartNew();
    for (var i = 0; i < count; i++)
    {
        Exec("BEGIN IMMEDIATE;");
        pa.Value = "bare-" + Environment.ProcessId; pr.Value = $"r{i}@example.test"; pt.Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        insert.ExecuteNonQuery();
        Exec("COMMIT;");
    }
    watch.Stop();
    Console.WriteLine($"bare-sqlite {count} {watch.Elapsed.TotalSeconds:0.000000}");
}

// A simulated day under a mixed policy: a greedy sender that waits exactly as told.
void Fidelity()
{
    var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mqps-fidelity-{Guid.NewGuid():N}.db");
    try
    {
        var clock = new SimulatedClock(new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero));
        var policy = new QuotaPolicy { MessagesPerMinute = 30, MessagesPerHour = 600, MessagesPerDay = 5000, RecipientsPerHour = 900, MinInterval = TimeSpan.FromMilliseconds(500) };
        using var ledger = new SqliteLedger(path);
        var gate = new QuotaGate(ledger, clock);
        var start = clock.UtcNow;
        var end = start + TimeSpan.FromDays(1);
        var sent = new List<(DateTimeOffset At, int Recipients)>();
        var random = new Random(7);
        while (clock.UtcNow < end)
        {
            var recipients = random.Next(1, 4);
            var d = gate.TryReserve(policy, new ReservationRequest("fidelity@example.test", "r@example.test", recipients));
            if (d.Granted) sent.Add((d.At, recipients));
            else clock.Sleep(d.RetryAt!.Value - clock.UtcNow, default);
        }
        // What the policy allowed: the day limit, unless the hourly recipient limit binds first.
        var allowed = Math.Min(policy.MessagesPerDay!.Value, AllowedByRecipients(sent, policy.RecipientsPerHour!.Value));
        var violations = 0;
        var times = sent.Select(s => s.At).ToArray();
        for (var i = 0; i < times.Length; i++)
        {
            var t = times[i];
            if (CountSince(sent, t - TimeSpan.FromMinutes(1), t, false) > policy.MessagesPerMinute) violations++;
            if (CountSince(sent, t - TimeSpan.FromHours(1), t, false) > policy.MessagesPerHour) violations++;
            if (CountSince(sent, t - TimeSpan.FromHours(1), t, true) > policy.RecipientsPerHour) violations++;
            if (i > 0 && t - times[i - 1] < policy.MinInterval) violations++;
        }
        Console.WriteLine($"fidelity {sent.Count} {allowed} {violations}");
    }
    finally { SqliteConnection.ClearAllPools(); foreach (var f in System.IO.Directory.GetFiles(System.IO.Path.GetTempPath(), System.IO.Path.GetFileName(path) + "*")) System.IO.File.Delete(f); }
}

static int CountSince(List<(DateTimeOffset At, int Recipients)> sent, DateTimeOffset after, DateTimeOffset upTo, bool recipients) =>
    sent.Where(s => s.At > after && s.At <= upTo).Sum(s => recipients ? s.Recipients : 1);

// With a mean of 2 recipients per message and 900 recipients per hour, 24 hours allow
// 24 * 900 / mean messages; the day limit caps it.
static int AllowedByRecipients(List<(DateTimeOffset At, int Recipients)> sent, int perHour) =>
    (int)Math.Floor(24.0 * perHour / sent.Average(s => s.Recipients));

sealed class SimulatedClock : IClock
{
    public SimulatedClock(DateTimeOffset start) => UtcNow = start;
    public DateTimeOffset UtcNow { get; private set; }
    public void Sleep(TimeSpan duration, CancellationToken cancellationToken) { if (duration > TimeSpan.Zero) UtcNow += duration; }
}
