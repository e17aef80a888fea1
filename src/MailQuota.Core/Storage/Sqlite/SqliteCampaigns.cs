using System;
using System.Collections.Generic;
using MailQuota.Core.Campaigns;
using MailQuota.Core.Quota;

namespace MailQuota.Core.Storage.Sqlite
{
    /// <summary>The rows of each campaign, linked to the last send that carried them.</summary>
    internal sealed class SqliteCampaigns : ICampaignStore
    {
        readonly SqliteDatabase _db;

        public SqliteCampaigns(SqliteDatabase db) => _db = db;

        /// <summary>
        /// The row's last send. One InFlight that its process's go-ahead journal holds is Unknown, or
        /// Sent when the journal holds the server's acceptance (<see cref="GoAheadJournal"/>); one whose
        /// process died before the go-ahead is abandoned; one whose process is another that runs is
        /// being sent by it (<see cref="CampaignRow.Running"/>). A dead process's journal is folded (the
        /// row made Unknown or Sent) before it is removed, so a row read InFlight whose journal is gone
        /// meanwhile is read again.
        /// </summary>
        public CampaignRow? FindRow(string campaign, string rowKey)
        {
            for (var read = 1; ; read++)
            {
                var cmd = _db.Prepared(@"SELECT s.status, c.rejected, COALESCE(s.completed_at, s.reserved_at), s.reply, s.owner, s.id
FROM campaign_rows c JOIN sends s ON s.id = c.send_id WHERE c.campaign=$c AND c.row_key=$k");
                cmd.Parameters.AddWithValue("$c", campaign);
                cmd.Parameters.AddWithValue("$k", rowKey);
                SendStatus status;
                string? rejected, reply, owner;
                DateTimeOffset at;
                long id;
                using (var r = cmd.ExecuteReader())
                {
                    if (!r.Read()) return null;
                    status = (SendStatus)Enum.Parse(typeof(SendStatus), r.GetString(0));
                    rejected = r.IsDBNull(1) ? null : r.GetString(1);
                    at = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2));
                    reply = r.IsDBNull(3) ? null : r.GetString(3);
                    owner = r.IsDBNull(4) ? null : r.GetString(4);
                    id = r.GetInt64(5);
                }
                if (status != SendStatus.InFlight || owner == null) return new CampaignRow(status, rejected, at, reply, abandoned: false);
                var handedOver = GoAheadJournal.Read(_db.Path, owner).TryGetValue(id, out var journaled);
                if (journaled.TakenReply is string taken)
                    return new CampaignRow(SendStatus.Sent, rejected, DateTimeOffset.FromUnixTimeMilliseconds(journaled.At), taken);
                var running = ProcessIdentity.IsAnotherRunningHere(owner);
                if (handedOver) return new CampaignRow(SendStatus.Unknown, rejected, at, StoreLedger.HandedOverReply, running: running);
                if (running) return new CampaignRow(status, rejected, at, reply, running: true);
                if (!ProcessIdentity.DiedWithoutRestart(owner)) return new CampaignRow(status, rejected, at, reply, abandoned: false);
                if (read == 2) return new CampaignRow(status, rejected, at, reply, abandoned: true);
            }
        }

        public void RejectRow(string campaign, string rowKey, string reply)
        {
            using var cmd = _db.Command("UPDATE campaign_rows SET rejected=$r WHERE campaign=$c AND row_key=$k");
            cmd.Parameters.AddWithValue("$c", campaign);
            cmd.Parameters.AddWithValue("$k", rowKey);
            cmd.Parameters.AddWithValue("$r", reply);
            cmd.ExecuteNonQuery();
        }

        /// <summary>
        /// Links the rows to the message just reserved (inside the reservation's transaction). A row
        /// that another run of the campaign has sent, refused for good, or has in flight (unless
        /// <paramref name="retryUnknown"/>, or its process died before the go-ahead: <see cref="CampaignRow.Abandoned"/>) is not taken over: the reservation fails with
        /// <see cref="CampaignRowTakenException"/> and rolls back, so overlapping runs never both send it.
        /// </summary>
        public void LinkRows(string campaign, IReadOnlyList<string> rowKeys, long sendId, bool retryUnknown)
        {
            var cmd = _db.Prepared(@"INSERT INTO campaign_rows(campaign, row_key, send_id) VALUES($c, $k, $s)
ON CONFLICT(campaign, row_key) DO UPDATE SET send_id=excluded.send_id, rejected=NULL
WHERE campaign_rows.rejected IS NULL AND (SELECT status FROM sends WHERE id=campaign_rows.send_id) NOT IN ('Sent', $held1, $held2)");
            var key = cmd.Parameters.Add("$k", Microsoft.Data.Sqlite.SqliteType.Text);
            cmd.Parameters.AddWithValue("$c", campaign);
            cmd.Parameters.AddWithValue("$s", sendId);
            var heldInFlight = cmd.Parameters.Add("$held1", Microsoft.Data.Sqlite.SqliteType.Text);
            cmd.Parameters.AddWithValue("$held2", retryUnknown ? "Sent" : "Unknown");
            foreach (var rowKey in rowKeys)
            {
                if (retryUnknown && InFlightElsewhere(campaign, rowKey)) throw new CampaignRowTakenException(campaign, rowKey);
                key.Value = rowKey;
                heldInFlight.Value = retryUnknown || FindRow(campaign, rowKey)?.Abandoned == true ? "Sent" : "InFlight";
                if (cmd.ExecuteNonQuery() == 0) throw new CampaignRowTakenException(campaign, rowKey);
            }
        }

        /// <summary>The row's last send is in flight in another process that is still running: not to be taken over, even with -RetryUnknown.</summary>
        bool InFlightElsewhere(string campaign, string rowKey)
        {
            var cmd = _db.Prepared(@"SELECT s.owner FROM campaign_rows c JOIN sends s ON s.id = c.send_id
WHERE c.campaign=$c AND c.row_key=$k AND s.status='InFlight' AND s.owner IS NOT NULL AND s.owner <> $me");
            cmd.Parameters.AddWithValue("$c", campaign);
            cmd.Parameters.AddWithValue("$k", rowKey);
            cmd.Parameters.AddWithValue("$me", ProcessIdentity.Current);
            return cmd.ExecuteScalar() is string owner && ProcessIdentity.IsAlive(owner);
        }
    }
}
