using System.Collections.Generic;
using MailQuota.Core.Campaigns;
using MailQuota.Core.Quota;

namespace MailQuota.Core.Sending
{
    /// <summary>The run's rows in its campaign: what earlier runs did with a row (sent it, had it refused for good, left it unknown), and the rows each message carries.</summary>
    internal sealed class CampaignRows
    {
        readonly ICampaignStore _campaigns;
        readonly SendOptions _options;

        public CampaignRows(ICampaignStore campaigns, SendOptions options)
        {
            _campaigns = campaigns;
            _options = options;
        }

        /// <summary>The row's fate in an earlier run of the campaign: done (sent, or refused for good), being sent by a run still going, unknown, or null to send it.</summary>
        public SendResult? Outcome(string key, SendResult result)
        {
            if (_options.Campaign is not string campaign || _campaigns.FindRow(campaign, key) is not CampaignRow earlier) return null;
            if (earlier.RejectedReply != null)
                return RowResults.Skipped(result, $"refused for good in an earlier run of campaign {campaign} ({earlier.At:u}): {earlier.RejectedReply}");
            if (earlier.Running)
                return RowResults.Taken(result, $"another run of campaign {campaign} is sending it (since {earlier.At:u})");
            switch (earlier.Status)
            {
                case SendStatus.Sent:
                    result.SentAt = earlier.At;
                    return RowResults.Skipped(result, $"sent in an earlier run of campaign {campaign} at {earlier.At:u} (another campaign id sends it again)");
                case SendStatus.InFlight when earlier.Abandoned:
                    return null;   // its process died before the server's go-ahead: nothing was handed over
                case SendStatus.InFlight:
                case SendStatus.Unknown:
                    if (_options.RetryUnknown) return null;
                    result.Status = RowStatus.Unknown;
                    result.Reply = $"an earlier run of campaign {campaign} handed it to the server at {earlier.At:u} and never learnt the outcome; retry rows of unknown outcome to send it again";
                    return result;
                default:
                    return null;
            }
        }

        /// <summary>Links the message's rows to its send, inside the reservation's transaction (a row another run holds rolls it back).</summary>
        public void Link(IReadOnlyList<string> rowKeys, long sendId)
        {
            if (_options.Campaign is string campaign) _campaigns.LinkRows(campaign, rowKeys, sendId, _options.RetryUnknown);
        }
    }
}
