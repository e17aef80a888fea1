using System;

namespace MailQuota.Core.Campaigns
{
    /// <summary>Another run of the campaign sent this row, refused it for good, or has it in flight.</summary>
    public sealed class CampaignRowTakenException : Exception
    {
        public CampaignRowTakenException(string campaign, string rowKey)
            : base($"another run of campaign {campaign} has sent or is sending to {rowKey}; run the campaign again once that run has ended")
        {
            Campaign = campaign;
            RowKey = rowKey;
        }

        public string Campaign { get; }
        public string RowKey { get; }
    }
}
