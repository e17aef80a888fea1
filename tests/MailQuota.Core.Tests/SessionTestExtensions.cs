using System;
using System.Linq;
using System.Threading;
using MailQuota.Core.Mail;
using MailQuota.Core.Sending;
using MailQuota.Core.Time;

namespace MailQuota.Core.Tests
{
    static class SessionTestExtensions
    {
        /// <summary>One row through a one-row-per-message session, waited for: its result, and no other.</summary>
        public static SendResult SendOne(this SendSession session, MailRow row, CancellationToken token = default, Action<WaitNotice>? onWait = null) =>
            Assert.Single(session.Add(row, token, onWait).Concat(session.Flush(token, onWait)));
    }
}
