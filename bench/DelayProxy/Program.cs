using System;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

// Usage: DelayProxy TARGET_PORT DELAY_MS
// Listens on a free loopback port and prints "listening <port>"; each connection is relayed to
// 127.0.0.1:TARGET_PORT, every chunk read on one side written to the other DELAY_MS later (in
// order), in both directions: a round trip through the proxy costs 2 x DELAY_MS. Stops when its
// input closes.
if (args.Length != 2 || !int.TryParse(args[0], out var target) || !int.TryParse(args[1], out var delayMs))
{
    Console.Error.WriteLine("usage: DelayProxy TARGET_PORT DELAY_MS");
    return 2;
}
var delay = TimeSpan.FromMilliseconds(delayMs);
var listener = new TcpListener(IPAddress.Loopback, 0);
listener.Start();
Console.WriteLine($"listening {((IPEndPoint)listener.LocalEndpoint).Port}");
_ = Task.Run(async () =>
{
    while (true)
    {
        var client = await listener.AcceptTcpClientAsync();
        _ = Task.Run(() => Relay(client, target, delay));
    }
});
while (Console.ReadLine() != null) { }
return 0;

static async Task Relay(TcpClient client, int target, TimeSpan delay)
{
    using (client)
    using (var server = new TcpClient())
    {
        client.NoDelay = true;
        server.NoDelay = true;
        await server.ConnectAsync(IPAddress.Loopback, target);
        var up = Pump(client.GetStream(), server.GetStream(), delay);
        var down = Pump(server.GetStream(), client.GetStream(), delay);
        await Task.WhenAny(up, down);
    }
}

// Reads chunks as they come and writes each one when it is due: reading never waits for writing,
// so the delay adds latency, not a limit on throughput.
static async Task Pump(NetworkStream from, NetworkStream to, TimeSpan delay)
{
    var chunks = Channel.CreateUnbounded<(long Due, byte[] Data)>();
    var writer = Task.Run(async () =>
    {
        try
        {
            await foreach (var (due, data) in chunks.Reader.ReadAllAsync())
            {
                var wait = TimeSpan.FromTicks((due - Stopwatch.GetTimestamp()) * TimeSpan.TicksPerSecond / Stopwatch.Frequency);
                if (wait > TimeSpan.Zero) await Task.Delay(wait);
                await to.WriteAsync(data);
            }
        }
        catch (Exception e) when (e is System.IO.IOException || e is ObjectDisposedException) { }
        finally { try { to.Socket.Shutdown(SocketShutdown.Send); } catch (Exception e) when (e is SocketException || e is ObjectDisposedException) { } }
    });
    var buffer = new byte[64 * 1024];
    try
    {
        int read;
        while ((read = await from.ReadAsync(buffer)) > 0)
            chunks.Writer.TryWrite((Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency), buffer.AsSpan(0, read).ToArray()));
    }
    catch (Exception e) when (e is System.IO.IOException || e is ObjectDisposedException) { }
    chunks.Writer.TryComplete();
    await writer;
}
