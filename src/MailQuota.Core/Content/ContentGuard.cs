using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using MailQuota.Core.Quota;
using MailQuota.Core.Sending;
using MailQuota.Core.Time;

namespace MailQuota.Core.Content
{
    /// <summary>
    /// The send-time content check, between composing a message and reserving quota for it:
    /// counts the account's recent near-identical sends, answers Ok, Warn or Block ("wait until T"),
    /// and applies the run's <see cref="DuplicateAction"/> to a blocked message. The fingerprint it
    /// returns is stored with the reservation, so the next message (in any process) counts this one.
    /// </summary>
    public sealed class ContentGuard
    {
        readonly IFingerprintStore _store;
        readonly IClock _clock;
        readonly NearDuplicatePolicy _policy;
        readonly DuplicateAction _action;

        public ContentGuard(IFingerprintStore store, IClock clock, QuotaPolicy policy, DuplicateAction action)
        {
            _store = store;
            _clock = clock;
            _policy = new NearDuplicatePolicy(policy);
            _action = action;
        }

        /// <summary>How the message stands right now against the account's recent sends.</summary>
        public ContentCheck Check(string account, ContentFingerprint fingerprint)
        {
            var now = _clock.UtcNow;
            var since = now - _policy.CountingWindow;
            var matches = RecentMatches.Find(_store, _policy.Test, account, fingerprint, since);
            var near = matches.NearDuplicatesSince(since);
            var closest = matches.Closest(since);
            var exceeded = _policy.Exceeded(matches.NearDuplicateTimes(since), now, out var retryAt);
            var verdict = exceeded != null ? ContentVerdict.Block : near > 0 ? ContentVerdict.Warn : ContentVerdict.Ok;
            var reason = exceeded ?? (near > 0 ? $"{near} near-identical messages in the last {Describe(_policy.CountingWindow)}" : null);
            return new ContentCheck(verdict, closest?.Similarity ?? 0, near, matches.ExactDuplicatesSince(since), closest?.MessageId,
                exceeded != null ? retryAt : (DateTimeOffset?)null, reason);
        }

        /// <summary>
        /// Decides on the message now: send it, skip it, wait until the limits may allow it (the caller
        /// waits, then asks again: another process may have sent meanwhile), or throws
        /// <see cref="ContentLimitExceededException"/>, as the run's action says.
        /// </summary>
        public ContentAdmission Admit(string account, ContentFingerprint fingerprint, int row, string recipient)
        {
            if (!_policy.HasLimits) return ContentAdmission.Send(fingerprint);
            var check = Check(account, fingerprint);
            if (check.Verdict != ContentVerdict.Block) return ContentAdmission.Send(fingerprint);
            var until = check.RetryAt!.Value;
            switch (_action)
            {
                case DuplicateAction.Warn:
                    return ContentAdmission.Send(fingerprint, $"Row {row} ({recipient}) was sent although {check.Reason}.");
                case DuplicateAction.Skip:
                    return ContentAdmission.Skip(fingerprint, $"Row {row} ({recipient}) was skipped: {check.Reason}; it could go at {until.ToString("u", CultureInfo.InvariantCulture)}.");
                case DuplicateAction.Stop:
                    throw new ContentLimitExceededException(row, recipient, check);
                default:
                    return ContentAdmission.Wait(fingerprint, until, check.Reason!);
            }
        }

        /// <summary>
        /// Whether the message is still within the near-duplicate limits: asked again inside the
        /// reservation's transaction, where no other process can add a send, so two processes sending
        /// one template at the same instant never exceed a limit by one.
        /// </summary>
        public bool StillAdmits(string account, ContentFingerprint fingerprint) =>
            !_policy.HasLimits || Check(account, fingerprint).Verdict != ContentVerdict.Block;

        /// <summary>
        /// The fingerprint is kept in the reservation's transaction (<see cref="Keep"/>): under
        /// near-duplicate limits, which the next check (in this process or another) must see at once.
        /// Without limits it is kept after the send, with others (<see cref="KeepSent"/>): sixteen
        /// band keys at random places in the index cost the reservation as much as the rest of it.
        /// </summary>
        public bool KeepsAtReservation => _policy.HasLimits;

        /// <summary>Keeps the admitted message's fingerprint with its send: called inside the reservation's transaction.</summary>
        public void Keep(long sendId, string account, DateTimeOffset at, string? messageId, ContentFingerprint fingerprint) =>
            _store.Add(sendId, account, at, messageId, fingerprint);

        /// <summary>Keeps the fingerprints of sends handed over, in one transaction (see <see cref="KeepsAtReservation"/>).</summary>
        public void KeepSent(IReadOnlyList<StoredFingerprint> sent) => _store.AddSent(sent);

        static string Describe(TimeSpan window) => window == TimeSpan.FromDays(1) ? "day" : window == TimeSpan.FromHours(1) ? "hour" : window.ToString();
    }
}
