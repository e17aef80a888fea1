using System;
using System.Collections.Generic;
using MailQuota.Core.Mail;

namespace MailQuota.Core.Sending
{
    /// <summary>How a row's result is set when it ends: invalid, skipped, deferred, or with a status and reply.</summary>
    internal static class RowResults
    {
        public static void Defer(List<PendingRow> batch, DateTimeOffset until, string reason)
        {
            foreach (var row in batch)
            {
                Finish(row, RowStatus.Deferred, $"deferred until {until:u}: {reason}");
                row.Result.DeferredUntil = until;
            }
        }

        public static void Finish(PendingRow row, RowStatus status, string reply)
        {
            row.Result.Status = status;
            row.Result.Reply = reply;
        }

        public static SendResult Invalid(SendResult result, InvalidRowException e)
        {
            result.Status = RowStatus.Invalid;
            result.ErrorId = e.ErrorId;
            result.Reply = e.Message;
            return result;
        }

        /// <summary>The ErrorId of a row skipped because another run of its campaign has sent it or is sending it.</summary>
        public const string TakenByAnotherRun = "CampaignRowTaken";

        /// <summary>Skipped because another run of the campaign has the row: not done by this run, so the run is incomplete.</summary>
        public static SendResult Taken(SendResult result, string reason)
        {
            Skipped(result, reason);
            result.ErrorId = TakenByAnotherRun;
            return result;
        }

        public static SendResult Skipped(SendResult result, string reason)
        {
            result.Status = RowStatus.Skipped;
            result.Reply = reason;
            return result;
        }
    }
}
