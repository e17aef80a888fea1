using System;
using System.Collections.Generic;
using System.Linq;
using MailQuota.Core.Time;

namespace MailQuota.Core.Quota
{
    /// <summary>What the gate answered: a reservation, a time to come back, or never.</summary>
    public sealed class ReserveDecision
    {
        ReserveDecision() { }

        public bool Granted => ReservationId.HasValue;
        public long? ReservationId { get; private set; }
        public DateTimeOffset At { get; private set; }

        /// <summary>When capacity for this message frees up (when not granted).</summary>
        public DateTimeOffset? RetryAt { get; private set; }

        /// <summary>What holds the message back, e.g. "20 messages per minute (20 used)".</summary>
        public string? Reason { get; private set; }

        /// <summary>True when no wait can help: the message alone exceeds a limit.</summary>
        public bool Impossible { get; private set; }

        /// <summary>Something about the ledger a person should know, though the decision stands (an implausible time stamp).</summary>
        public string? Warning { get; private set; }

        public static ReserveDecision Grant(long id, DateTimeOffset at, string? warning = null) => new ReserveDecision { ReservationId = id, At = at, Warning = warning };
        public static ReserveDecision Wait(DateTimeOffset until, string reason, DateTimeOffset at) => new ReserveDecision { RetryAt = until, Reason = reason, At = at };
        public static ReserveDecision Never(string reason, DateTimeOffset at) => new ReserveDecision { Reason = reason, Impossible = true, At = at };
    }

    /// <summary>Use of one window of one account, as Get-SendQuota shows it.</summary>
    public sealed class QuotaUsage
    {
        public QuotaUsage(string account, QuotaLimit limit, int used, DateTimeOffset? resetsAt)
        {
            Account = account; Window = limit.Window; Unit = limit.Unit; Limit = limit.Limit; Used = used; ResetsAt = resetsAt;
        }
        public string Account { get; }
        public string Window { get; }
        public QuotaUnit Unit { get; }
        public int Limit { get; }
        public int Used { get; }
        public int Remaining => Math.Max(0, Limit - Used);

        /// <summary>When the oldest use in the window leaves it, or a calendar window ends (null when the window is empty).</summary>
        public DateTimeOffset? ResetsAt { get; }
    }

    /// <summary>
    /// Reserves quota for one message at a time, atomically across processes: every window (rolling,
    /// or a calendar day or month in the provider's time zone) is an exact count over the ledger's
    /// rows, and the minimum interval is measured from the last reservation. When a window is full,
    /// the answer is the instant enough of it frees up (for a calendar window, its end).
    /// </summary>
    public sealed class QuotaGate
    {
        readonly ILedger _ledger;
        readonly IClock _clock;

        readonly TimeSpan _deliveryMargin;

        /// <summary>A last reservation further ahead of the clock than this was stamped by a clock that ran ahead.</summary>
        public static readonly TimeSpan ImplausibleAhead = TimeSpan.FromMinutes(5);

        /// <param name="deliveryMargin">How much longer than its length each rolling window is held (see <see cref="TryReserve"/>); none by default.</param>
        public QuotaGate(ILedger ledger, IClock clock, TimeSpan deliveryMargin = default)
        {
            _ledger = ledger;
            _clock = clock;
            _deliveryMargin = deliveryMargin;
        }

        /// <summary>
        /// Reserves quota for one message, or says when to come back. <paramref name="pacing"/> holds
        /// the account back further after the server pushed back: its interval between messages and
        /// its cool-down are honoured like the policy's own limits.
        /// </summary>
        public ReserveDecision TryReserve(QuotaPolicy policy, ReservationRequest request, PacingState? pacing = null)
        {
            if (request.Recipients < 1) throw new ArgumentOutOfRangeException(nameof(request), "a message needs at least one recipient");
            var now = _clock.UtcNow;
            if (policy.MaxRecipientsPerMessage is int max && request.Recipients > max)
                return ReserveDecision.Never($"{request.Recipients} recipients exceed the maximum of {max} per message", now);
            foreach (var limit in policy.Limits())
            {
                if (Need(limit, request) > limit.Limit)
                    return ReserveDecision.Never($"{Need(limit, request)} {Unit(limit)} exceed the limit of {limit}", now);
            }

            using var tx = _ledger.BeginReservation(request.Account, durableAtCommit: !request.DurableBeforeSend);
            // Another process may have held the lock for a while: the windows are judged, and the
            // reservation stamped, at the time it is actually made.
            now = _clock.UtcNow;
            DateTimeOffset? retryAt = null;
            string? reason = null;
            // A rolling window may be held a delivery margin longer than it is: the server counts a
            // message when it arrives, a variable moment after its reservation (the first of a
            // connection waits for the connection), so a window exact at reservation could hold one
            // too many at the server.
            var limits = policy.Limits().ToList();
            var sinces = limits.Select(limit => limit.Calendar == null ? now - (limit.Length + _deliveryMargin) : limit.Since(now)).ToList();
            var uses = tx.UseSince(sinces); // every window in one read (one round trip to a database server)
            for (var i = 0; i < limits.Count; i++)
            {
                var limit = limits[i];
                var span = limit.Calendar == null ? limit.Length + _deliveryMargin : limit.Length;
                var since = sinces[i];
                var used = uses[i].Of(limit.Unit);
                var excess = used + Need(limit, request) - limit.Limit;
                if (excess <= 0) continue;
                var freeAt = limit.Calendar != null ? limit.Calendar.EndOf(now)
                    : FreedAt(tx.ReservationsSince(since, excess), limit.Unit, excess) + span;
                if (retryAt == null || freeAt > retryAt)
                {
                    retryAt = freeAt;
                    reason = $"{limit} ({used} used)";
                }
            }
            var last = tx.LastReservationAt();
            string? warning = null;
            if (last > now + ImplausibleAhead)
            {
                // A reservation stamped while this host's clock (or another's) ran ahead: honouring
                // it would hold every later message until then. Warn and do not count from it.
                warning = $"The ledger holds a reservation of account {request.Account} stamped {last:u}, {(last!.Value - now).TotalMinutes:0} minutes after this host's clock ({now:u}): a clock ran ahead. It is not waited for; check the clocks.";
                last = null;
            }
            void Hold(DateTimeOffset? until, string why)
            {
                if (until is DateTimeOffset next && next > now && (retryAt == null || next > retryAt))
                {
                    retryAt = next;
                    reason = why;
                }
            }
            if (policy.MinInterval is TimeSpan interval && interval > TimeSpan.Zero)
                Hold(last + interval, $"minimum interval of {interval.TotalSeconds:0.###} s between messages");
            if (pacing?.Interval is TimeSpan paced)
                Hold(last + paced, $"pace cut to one message per {paced.TotalSeconds:0.###} s after the server throttled ({pacing.Reason})");
            if (pacing != null)
                Hold(pacing.CooldownUntil, $"cooling down after the server throttled ({pacing.Reason})");
            if (retryAt is DateTimeOffset until)
                return ReserveDecision.Wait(until, reason!, now);

            var id = tx.Insert(request, now);
            request.AlsoRecord?.Invoke(id, now);
            tx.Commit();
            return ReserveDecision.Grant(id, now, warning);
        }

        /// <summary>Every window of the policy with its use right now.</summary>
        public IReadOnlyList<QuotaUsage> Usage(string account, QuotaPolicy policy)
        {
            var now = _clock.UtcNow;
            return policy.Limits().Select(limit =>
            {
                var since = limit.Since(now);
                var used = _ledger.UseSince(account, since).Of(limit.Unit);
                if (used == 0) return new QuotaUsage(account, limit, 0, null);
                var oldest = _ledger.ReservationsSince(account, since, 1).FirstOrDefault();
                return new QuotaUsage(account, limit, used, limit.LeavesAt(oldest.At, now));
            }).ToList();
        }

        /// <summary>The reservation time at which, once it leaves the window, <paramref name="excess"/> units have freed up.</summary>
        internal static DateTimeOffset FreedAt(IReadOnlyList<ReservationPoint> oldestFirst, QuotaUnit unit, int excess)
        {
            var freed = 0;
            foreach (var point in oldestFirst)
            {
                freed += unit == QuotaUnit.Messages ? 1 : point.Recipients;
                if (freed >= excess) return point.At;
            }
            throw new InvalidOperationException("the window holds less use than it counted");
        }

        static int Need(QuotaLimit limit, ReservationRequest request) =>
            limit.Unit == QuotaUnit.Messages ? 1 : request.Recipients;

        static string Unit(QuotaLimit limit) => limit.Unit.ToString().ToLowerInvariant();
    }
}
