using System;
using System.Collections.Generic;
using MailQuota.Core.Campaigns;
using MailQuota.Core.Quota;
using static MailQuota.Core.Storage.Postgres.PostgresDatabase;

namespace MailQuota.Core.Storage.Postgres
{
    /// <summary>The rows of each campaign, linked to the last send that carried them.</summary>
    internal sealed class PostgresCampaigns : ICampaignStore
    {
        readonly PostgresDatabase _db;

        public PostgresCampaigns(PostgresDatabase db) => _db = db;

        public CampaignRow? FindRow(string campaign, string rowKey)
        {
            var rows = _db.Query(@"SELECT s.status, c.rejected, COALESCE(s.completed_at, s.reserved_at), s.reply, s.owner
FROM campaign_rows c JOIN sends s ON s.id = c.send_id WHERE c.campaign=@c AND c.row_key=@k",
                r =>
                {
                    var status = (SendStatus)Enum.Parse(typeof(SendStatus), r.GetString(0));
                    var reply = r.IsDBNull(3) ? null : r.GetString(3);
                    var owner = r.IsDBNull(4) ? null : r.GetString(4);
                    // The go-ahead is written here as Unknown with the handed-over reply, which the run replaces
                    // with the server's (or, after Ctrl+C, with "cancelled ..."): while its process runs, it is sending it.
                    var unanswered = status == SendStatus.InFlight || (status == SendStatus.Unknown && reply == StoreLedger.HandedOverReply);
                    return new CampaignRow(status, r.IsDBNull(1) ? null : r.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)), reply,
                        abandoned: status == SendStatus.InFlight && owner != null && ProcessIdentity.DiedWithoutRestart(owner),
                        running: unanswered && owner != null && ProcessIdentity.IsAnotherRunningHere(owner));
                },
                P("c", campaign), P("k", rowKey));
            return rows.Count == 0 ? null : rows[0];
        }

        public void RejectRow(string campaign, string rowKey, string reply) =>
            _db.Execute("UPDATE campaign_rows SET rejected=@r WHERE campaign=@c AND row_key=@k", P("c", campaign), P("k", rowKey), P("r", reply));

        /// <summary>
        /// Links the rows to the message just reserved (inside the reservation's transaction). A row
        /// that another run of the campaign has sent, refused for good, or has in flight (unless
        /// <paramref name="retryUnknown"/>, or its process died before the go-ahead: <see cref="CampaignRow.Abandoned"/>) is not taken over: the reservation fails with
        /// <see cref="CampaignRowTakenException"/> and rolls back, so overlapping runs never both send it.
        /// Two hosts linking the same row meet on its primary key: the second waits for the first.
        /// </summary>
        public void LinkRows(string campaign, IReadOnlyList<string> rowKeys, long sendId, bool retryUnknown)
        {
            foreach (var rowKey in rowKeys)
            {
                if (retryUnknown && InFlightElsewhere(campaign, rowKey)) throw new CampaignRowTakenException(campaign, rowKey);
                var linked = _db.Execute(@"INSERT INTO campaign_rows(campaign, row_key, send_id) VALUES(@c, @k, @s)
ON CONFLICT(campaign, row_key) DO UPDATE SET send_id=excluded.send_id, rejected=NULL
WHERE campaign_rows.rejected IS NULL AND (SELECT status FROM sends WHERE id=campaign_rows.send_id) NOT IN ('Sent', @held1, @held2)",
                    P("c", campaign), P("k", rowKey), P("s", sendId),
                    P("held1", retryUnknown || FindRow(campaign, rowKey)?.Abandoned == true ? "Sent" : "InFlight"), P("held2", retryUnknown ? "Sent" : "Unknown"));
                if (linked == 0) throw new CampaignRowTakenException(campaign, rowKey);
            }
        }

        /// <summary>The row's last send is in flight in another process that is still running: not to be taken over, even with -RetryUnknown.</summary>
        bool InFlightElsewhere(string campaign, string rowKey) =>
            _db.Scalar(@"SELECT s.owner FROM campaign_rows c JOIN sends s ON s.id = c.send_id
WHERE c.campaign=@c AND c.row_key=@k AND s.status='InFlight' AND s.owner IS NOT NULL AND s.owner <> @me",
                P("c", campaign), P("k", rowKey), P("me", ProcessIdentity.Current)) is string owner && ProcessIdentity.IsAlive(owner);
    }
}
