using System;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace MailQuota.Core.Smtp
{
    /// <summary>
    /// A TCP connection to the server whose socket stays in blocking mode, for MailKit's synchronous
    /// reads and writes. MailKit's own connect is asynchronous, and .NET then serves every later
    /// synchronous read of that socket through its event thread and the thread pool: on loopback that
    /// doubled the CPU time of a message (bench `MailQuotaBench socket-test`: 650-710 against 310-345 µs).
    /// The connect is waited for with the timeout and Ctrl+C.
    /// </summary>
    internal static class BlockingSocket
    {
        /// <summary>Connects to the first of the host's addresses that answers; a SocketException when none does (TimedOut after <paramref name="timeout"/>).</summary>
        public static Socket Connect(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            var addresses = IPAddress.TryParse(host, out var literal) ? new[] { literal } : Dns.GetHostAddresses(host);
            SocketException? failure = null;
            foreach (var address in addresses)
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    Connect(socket, new IPEndPoint(address, port), timeout - clock.Elapsed, cancellationToken);
                    return socket;
                }
                catch (SocketException e)
                {
                    socket.Dispose();
                    failure = e;
                    if (e.SocketErrorCode == SocketError.TimedOut) break;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }
            throw failure ?? new SocketException((int)SocketError.HostNotFound);
        }

        /// <summary>
        /// A blocking connect (a socket once put in non-blocking mode stays emulated), waited for up to
        /// the timeout or Ctrl+C; a connect given up on is cut short by closing its socket.
        /// </summary>
        static void Connect(Socket socket, EndPoint endpoint, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var connect = Task.Run(() => socket.Connect(endpoint));
            bool done;
            try { done = connect.Wait((int)Math.Max(0, Math.Min(int.MaxValue, timeout.TotalMilliseconds)), cancellationToken); }
            catch (AggregateException e) when (e.InnerException != null) { ExceptionDispatchInfo.Capture(e.InnerException).Throw(); throw; }
            finally { if (!connect.IsCompleted) socket.Dispose(); }
            if (!done) throw new SocketException((int)SocketError.TimedOut);
        }
    }
}
