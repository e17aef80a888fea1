using System;
using System.Collections.Generic;
using MailQuota.Core.Content;
using MailQuota.Core.Quota;

namespace MailQuota.Core.Sending
{
    /// <summary>
    /// The fingerprints that a run without near-duplicate limits keeps after the send
    /// (<see cref="ContentGuard.KeepsAtReservation"/>): gathered as the outcomes are recorded and
    /// written together when 32 have gathered, before the run waits, and when it ends. A send the
    /// server never took (released, or refused for now) keeps none, as one kept at its reservation
    /// loses it.
    /// </summary>
    internal sealed class SentFingerprints
    {
        const int Together = 32;
        readonly ContentGuard _guard;
        readonly string _account;
        readonly List<StoredFingerprint> _gathered = new List<StoredFingerprint>();

        public SentFingerprints(ContentGuard guard, string account)
        {
            _guard = guard;
            _account = account;
        }

        /// <summary>The attempt's outcome was recorded: its fingerprint is kept unless the server never took the message.</summary>
        public void Recorded(long reservationId, Delivery delivery, SendStatus status)
        {
            if (!(delivery.FingerprintAt is DateTimeOffset at) || status == SendStatus.Released || status == SendStatus.Refused) return;
            _gathered.Add(new StoredFingerprint(reservationId, _account, at, delivery.Composed.Message.MessageId, delivery.Fingerprint!));
            if (_gathered.Count >= Together) Write();
        }

        /// <summary>Writes those gathered, in one transaction.</summary>
        public void Write()
        {
            if (_gathered.Count == 0) return;
            _guard.KeepSent(_gathered);
            _gathered.Clear();
        }
    }
}
