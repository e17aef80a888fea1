using System;
using System.Threading;
using MimeKit;

namespace MailQuota.Core.Smtp
{
    /// <summary>Hands messages to a server. Implementations keep their connection between messages.</summary>
    public interface IMailTransport : IDisposable
    {
        /// <summary>Sends one message; server refusals come back as a reply, not an exception.</summary>
        SmtpReply Send(MimeMessage message, CancellationToken cancellationToken);
    }
}
