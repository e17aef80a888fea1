using System;
using System.Collections.Generic;
using MailQuota.Core.Quota;

namespace MailQuota.Core.Campaigns
{
    /// <summary>
    /// What became of one row of a campaign in earlier runs: the status of the last message that
    /// carried it, or a permanent refusal of the recipient.
    /// </summary>
    public sealed class CampaignRow
    {
        public CampaignRow(SendStatus status, string? rejectedReply, DateTimeOffset at, string? reply, bool abandoned = false, bool running = false)
        {
            Status = status; RejectedReply = rejectedReply; At = at; Reply = reply; Abandoned = abandoned; Running = running;
        }

        /// <summary>The status of the last message that carried the row.</summary>
        public SendStatus Status { get; }

        /// <summary>The server's reply when it refused this recipient for good (unknown user); null otherwise.</summary>
        public string? RejectedReply { get; }

        /// <summary>When that message was completed (or reserved, while in flight).</summary>
        public DateTimeOffset At { get; }
        public string? Reply { get; }

        /// <summary>
        /// In flight in a process of this host that is gone, without a restart of the host since: it
        /// died before the server's go-ahead (from which a send is Unknown), so nothing was handed
        /// over and the row is sent again. After a restart that cannot be told (the go-ahead's
        /// record may not have reached the disk): the row is then treated as Unknown.
        /// </summary>
        public bool Abandoned { get; }

        /// <summary>
        /// In flight, or handed to the server and not yet answered, in another process of this host that
        /// is still running: a run there is sending it now.
        /// </summary>
        public bool Running { get; }
    }

    /// <summary>
    /// The rows of each campaign, by row key (the recipient address, lower-cased), so a rerun of the
    /// same campaign skips what was sent. Rows are linked to their message when it is reserved
    /// (<see cref="LinkRows"/>, in the reservation's transaction).
    /// </summary>
    public interface ICampaignStore
    {
        /// <summary>The row's state, or null when no message of the campaign carried it yet.</summary>
        CampaignRow? FindRow(string campaign, string rowKey);

        /// <summary>
        /// Links the rows to the message just reserved, inside the reservation's transaction
        /// (<see cref="ReservationRequest.AlsoRecord"/>). A row another run has sent, refused for good
        /// or has in flight (unless <paramref name="retryUnknown"/>, or <see cref="CampaignRow.Abandoned"/>) is not taken over: throws
        /// <see cref="CampaignRowTakenException"/>, which rolls the reservation back.
        /// </summary>
        void LinkRows(string campaign, IReadOnlyList<string> rowKeys, long sendId, bool retryUnknown);

        /// <summary>Marks the row as refused for good by the server, so a rerun does not send it again.</summary>
        void RejectRow(string campaign, string rowKey, string reply);
    }
}
