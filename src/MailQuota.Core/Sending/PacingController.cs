using System;
using MailQuota.Core.Quota;
using MailQuota.Core.Smtp;

namespace MailQuota.Core.Sending
{
    /// <summary>
    /// The account's pace as the server's replies move it (AIMD): cut and cooled down after a throttle
    /// reply, recovered after an accepted message, suspended when the provider's quota is used up.
    /// Kept in the ledger, so the next process starts as cautious as this one ended.
    /// </summary>
    internal sealed class PacingController
    {
        /// <summary>The span over which the pace an account was sending at is measured, when a throttle reply halves it.</summary>
        static readonly TimeSpan PaceSample = TimeSpan.FromMinutes(1);

        readonly string _account;
        readonly QuotaPolicy _policy;
        readonly ILedger _ledger;
        readonly IPacingStore _pacing;
        readonly SendOptions _options;

        public PacingController(string account, QuotaPolicy policy, ILedger ledger, IPacingStore pacing, SendOptions options)
        {
            _account = account; _policy = policy; _ledger = ledger; _pacing = pacing; _options = options;
        }

        public PacingState? Current() => _pacing.GetPacing(_account);

        /// <summary>AIMD decrease: halve the pace the account was sending at and cool down; returns the end of the cool-down.</summary>
        public DateTimeOffset SlowDown(SmtpReply reply, int attempt, DateTimeOffset now)
        {
            var lastMinute = _ledger.ReservationsSince(_account, now - PaceSample, 10_000);
            var cooldown = now + _options.Retry.Delay(attempt, _options.Random);
            _pacing.ChangePacing(_account, state =>
            {
                state.Interval = AdaptivePace.Slowed(AdaptivePace.Current(state, lastMinute, _policy));
                state.CooldownUntil = cooldown;
                state.Reason = reply.ToString();
                state.UpdatedAt = now;
                return true;
            });
            return cooldown;
        }

        /// <summary>AIMD increase after an accepted message, while the pace is cut (read first without a lock: most messages find nothing to recover).</summary>
        public void Recover(DateTimeOffset now)
        {
            if (Current()?.Interval == null) return;
            _pacing.ChangePacing(_account, state =>
            {
                if (!(state.Interval is TimeSpan interval)) return false;
                state.Interval = AdaptivePace.Recovered(interval, _policy);
                state.UpdatedAt = now;
                return true;
            });
        }

        /// <summary>
        /// Suspends the account until the provider's window frees up: the oldest use of the account in
        /// that window leaves it then (the whole window from now when there is none).
        /// </summary>
        public DateTimeOffset Suspend(SmtpReply reply, ReplyClass verdict, DateTimeOffset now)
        {
            var window = verdict.QuotaWindow ?? TimeSpan.FromDays(1);
            var oldest = _ledger.ReservationsSince(_account, now - window, 1);
            var until = (oldest.Count > 0 ? oldest[0].At : now) + window;
            if (until <= now) until = now + window;
            _pacing.ChangePacing(_account, state =>
            {
                // Another process may have suspended it longer meanwhile: keep the later end.
                if (!(state.SuspendedUntil is DateTimeOffset longer && longer > until)) state.SuspendedUntil = until;
                state.Reason = reply.ToString();
                state.UpdatedAt = now;
                return true;
            });
            return until;
        }
    }
}
