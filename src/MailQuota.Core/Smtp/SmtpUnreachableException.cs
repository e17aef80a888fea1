using System;
using System.IO;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace MailQuota.Core.Smtp
{
    /// <summary>
    /// The server cannot be reached, or refused the connection, TLS or the login: nothing more can be
    /// sent in this run. The message that was being sent never left (its reservation was released).
    /// </summary>
    public sealed class SmtpUnreachableException : Exception
    {
        public SmtpUnreachableException(Exception cause) : base(cause.Message, cause)
        {
            IsAuthentication = cause is AuthenticationException;
        }

        /// <summary>The server refused the credentials (rather than the connection).</summary>
        public bool IsAuthentication { get; }

        /// <summary>Whether a transport failure means the server cannot be reached (as opposed to a fault of the message or of this program).</summary>
        public static bool Describes(Exception e) =>
            e is SocketException || e is IOException || e is AuthenticationException || e is SslHandshakeException || e is ProtocolException || e is SmtpCommandException;
    }
}
