using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

// Usage: SmtpSink
// Listens on a free loopback port and prints "listening <port>". Then reads commands on stdin:
// "reset" zeroes the counters, "stats" prints "<messages> <seconds from first to last message>",
// "quit" (or end of input) stops. Every SMTP command is accepted; messages are counted, not kept.
var listener = new TcpListener(IPAddress.Loopback, 0);
listener.Start();
Console.WriteLine($"listening {((IPEndPoint)listener.LocalEndpoint).Port}");
var stats = new SinkStats();
_ = Task.Run(async () =>
{
    while (true)
    {
        var client = await listener.AcceptTcpClientAsync();
        _ = Task.Run(() => Serve(client, stats));
    }
});
string? line;
while ((line = Console.ReadLine()) != null && line != "quit")
{
    if (line == "reset") stats.Reset();
    else if (line == "stats") Console.WriteLine(stats.Report());
}

static async Task Serve(TcpClient client, SinkStats stats)
{
    using (client)
    {
        client.NoDelay = true;
        var stream = client.GetStream();
        var reader = new StreamReader(stream, Encoding.Latin1);
        var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = false };
        async Task Reply(string text) { await writer.WriteLineAsync(text); await writer.FlushAsync(); }
        await Reply("220 sink ESMTP ready");
        string? line;
        while ((line = await reader.ReadLineAsync()) != null)
        {
            var verb = line.Length >= 4 ? line.Substring(0, 4).ToUpperInvariant() : line.ToUpperInvariant();
            switch (verb)
            {
                case "EHLO": await Reply("250-sink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-PIPELINING\r\n250 SIZE 52428800"); break;
                case "HELO": await Reply("250 sink"); break;
                case "DATA":
                    await Reply("354 go ahead");
                    while ((line = await reader.ReadLineAsync()) != null && line != ".") { }
                    stats.Count();
                    await Reply("250 2.0.0 Ok: queued");
                    break;
                case "QUIT": await Reply("221 bye"); return;
                default: await Reply("250 2.0.0 Ok"); break;
            }
        }
    }
}

sealed class SinkStats
{
    readonly object _gate = new();
    long _messages;
    long _first, _last;

    public void Count()
    {
        var now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            if (_messages++ == 0) _first = now;
            _last = now;
        }
    }

    public void Reset() { lock (_gate) { _messages = 0; _first = _last = 0; } }

    public string Report()
    {
        lock (_gate) return $"{_messages} {(double)(_last - _first) / Stopwatch.Frequency:0.000000}";
    }
}
