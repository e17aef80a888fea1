using System;
using System.Collections.Generic;
using System.Threading;
using MimeKit;

namespace MailQuota.Core.Smtp
{
    /// <summary>Hands messages to a server. Implementations keep their connection between messages.</summary>
    public interface IMailTransport : IDisposable
    {
        /// <summary>
        /// Sends one message to the given envelope recipients (not the message's headers: a Bcc batch
        /// shows only the From or an undisclosed address). Server refusals come back as a reply, not an
        /// exception; a recipient refused for good while the others are accepted is listed in
        /// <see cref="SmtpReply.RefusedRecipients"/>. Connecting or logging in may throw.
        /// </summary>
        SmtpReply Send(MimeMessage message, MailboxAddress sender, IReadOnlyList<MailboxAddress> recipients, CancellationToken cancellationToken);

        /// <summary>
        /// Raised during <see cref="Send"/> when the server has said go ahead (354) and the message data
        /// is about to go out: before it, the server cannot have taken the message; from it on, it may.
        /// </summary>
        event Action? DataGoAhead;
    }
}
