using MailQuota.Core.Content;
using MailQuota.Core.Quota;

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
    }
}
