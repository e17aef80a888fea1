using System;
using MailQuota.Core.Content;
using MailQuota.Core.Quota;
using MailQuota.Core.Storage;

namespace MailQuota.Core.Tests
{
    static class ReservationTestExtensions
    {
        /// <summary>Keeps the fingerprint with the reservation, as a run does through its content guard.</summary>
        public static ReservationRequest WithFingerprint(this ReservationRequest request, IFingerprintStore store, ContentFingerprint fingerprint)
        {
            request.AlsoRecord = (id, at) => store.Add(id, request.Account, at, request.MessageId, fingerprint);
            return request;
        }

        /// <summary>Reserves one message for the campaign's row (left InFlight, owned by this process), as a run does before it hands the message over.</summary>
        public static long ReserveRow(this ILedgerStores ledger, string account, string campaign, string row, DateTimeOffset at)
        {
            using var tx = ledger.BeginReservation(account);
            var id = tx.Insert(new ReservationRequest(account, row) { Campaign = campaign }, at);
            ledger.LinkRows(campaign, new[] { row }, id, retryUnknown: false);
            tx.Commit();
            return id;
        }
    }
}
