using System.IO;
using System.Net.Sockets;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using SmtpServer;
using SmtpServer.IO;
using SmtpServer.Net;

namespace ScriptedSmtpServer
{
    /// <summary>
    /// Accepts connections as the SmtpServer package does, with Nagle's algorithm off. The package
    /// writes a pipelined client's replies one by one; with Nagle on, each reply after the first
    /// waits for the client's delayed ACK (40 ms on Linux loopback), about 45 ms per message.
    /// The package keeps the socket's stream in a private field of its pipe: reached by reflection.
    /// </summary>
    sealed class NoDelayListenerFactory : EndpointListenerFactory
    {
        public override IEndpointListener CreateListener(IEndpointDefinition endpointDefinition) =>
            new NoDelayListener(base.CreateListener(endpointDefinition));

        sealed class NoDelayListener : IEndpointListener
        {
            static readonly FieldInfo? StreamField = typeof(ISecurableDuplexPipe).Assembly
                .GetType("SmtpServer.IO.SecurableDuplexPipe")?.GetField("_stream", BindingFlags.NonPublic | BindingFlags.Instance);

            readonly IEndpointListener _inner;

            public NoDelayListener(IEndpointListener inner) => _inner = inner;

            public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken)
            {
                var pipe = await _inner.GetPipeAsync(context, cancellationToken).ConfigureAwait(false);
                if (StreamField?.GetValue(pipe) is NetworkStream network) network.Socket.NoDelay = true;
                return pipe;
            }

            public void Dispose() => _inner.Dispose();
        }
    }
}
