using System;
using System.IO;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace MailQuota.Core.Smtp
{
    /// <summary>
    /// The failures of <see cref="MailKitTransport"/> that mean the server cannot be used at all
    /// (unreachable, TLS, login, a broken conversation): the run stops with one error. Judged here
    /// so that the cmdlets never name MailKit's types.
    /// </summary>
    public static class ConnectionFailure
    {
        public static bool Ends(Exception e) =>
            e is SocketException || e is IOException || e is AuthenticationException || e is SslHandshakeException
            || e is ProtocolException || e is SmtpCommandException;

        public static bool IsAuthentication(Exception e) => e is AuthenticationException;
    }
}
