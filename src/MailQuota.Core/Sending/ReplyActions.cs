using System;
using System.Collections.Generic;
using System.Threading;
using MailQuota.Core.Smtp;
using MailQuota.Core.Time;

namespace MailQuota.Core.Sending
{
    /// <summary>
    /// What a reply means for the message's rows and for the run: sent (but for recipients refused
    /// for good), slowed down and tried again after a throttle, deferred when the provider's quota
    /// is used up, tried again after a temporary failure, or the run stopped when the server refused
    /// the content or the account. It keeps the counts the replies move.
    /// </summary>
    internal sealed class ReplyActions
    {
        readonly IClock _clock;
        readonly SendOptions _options;
        readonly PacingController _pace;
        readonly RunWaits _waits;

        public ReplyActions(IClock clock, SendOptions options, PacingController pace, RunWaits waits)
        {
            _clock = clock; _options = options; _pace = pace; _waits = waits;
        }

        /// <summary>Set when the server refused content or the account: nothing more may be sent in this run.</summary>
        public RunStop? Stopped { get; private set; }

        /// <summary>Moves each time the server pushes back: a message reserved before that is reserved again under the new pace.</summary>
        public int PaceEpoch { get; private set; }

        /// <summary>Messages the server took in this run.</summary>
        public int SentMessages { get; private set; }

        /// <summary>Acts on the reply: the rows' results, the account's pace; true to try the message again.</summary>
        public bool Retry(List<PendingRow> batch, Dictionary<PendingRow, SmtpReply> refused, SmtpReply reply, ReplyClass verdict, int attempt,
            DateTimeOffset firstAttempt, CancellationToken cancellationToken, Action<WaitNotice>? onWait)
        {
            var now = _clock.UtcNow;
            var last = attempt >= _options.Retry.MaxAttempts;
            switch (verdict.Outcome)
            {
                case ReplyOutcome.Success:
                    Delivered(batch, refused, reply, now);
                    _pace.Recover(now);
                    return false;
                case ReplyOutcome.Throttled:
                    PaceEpoch++;
                    var cooldown = _pace.SlowDown(reply, attempt, now);
                    if (cooldown - firstAttempt <= _options.Retry.ThrottleBudget) return true;
                    RowResults.Defer(batch, cooldown, $"throttled {attempt} times, last: {reply}");
                    return false;
                case ReplyOutcome.QuotaExhausted:
                    PaceEpoch++;
                    RowResults.Defer(batch, _pace.Suspend(reply, verdict, now), $"the provider's quota is used up ({reply})");
                    return false;
                case ReplyOutcome.Transient when reply.Ambiguous:
                    foreach (var row in batch) RowResults.Finish(row, RowStatus.Unknown, reply + " (the server may or may not have taken it; a rerun of the campaign does not resend it unless asked to retry rows of unknown outcome)");
                    return false;
                case ReplyOutcome.Transient when !last:
                    var retryAt = now + _options.Retry.Delay(attempt, _options.Random);
                    if (_options.MaxWait is TimeSpan longest && retryAt - now > longest)
                    {
                        RowResults.Defer(batch, retryAt, $"a temporary failure ({reply})");
                        return false;
                    }
                    _waits.WaitUntil(retryAt, $"retry {attempt + 1} of {_options.Retry.MaxAttempts} after a temporary failure ({reply})", batch[0], cancellationToken, onWait);
                    return true;
                case ReplyOutcome.ContentRejected:
                case ReplyOutcome.AccountBlocked:
                    foreach (var row in batch) RowResults.Finish(row, RowStatus.Failed, reply.ToString());
                    Stopped = new RunStop(verdict, reply, batch[0].Row.Number);
                    return false;
                default:
                    // Refused for good (recipient, message form), or temporary failures past the last attempt.
                    var suffix = verdict.Outcome == ReplyOutcome.Transient ? $" (after {attempt} attempts)" : "";
                    foreach (var row in batch)
                        RowResults.Finish(row, RowStatus.Failed, (refused.TryGetValue(row, out var own2) ? own2 : reply) + suffix);
                    return false;
            }
        }

        /// <summary>The server took the message: its rows are sent, but those whose recipient it refused for good.</summary>
        public void Delivered(List<PendingRow> batch, Dictionary<PendingRow, SmtpReply> refused, SmtpReply reply, DateTimeOffset now)
        {
            SentMessages++;
            foreach (var row in batch)
            {
                if (refused.TryGetValue(row, out var own)) RowResults.Finish(row, RowStatus.Failed, own.ToString());
                else { RowResults.Finish(row, RowStatus.Sent, reply.ToString()); row.Result.SentAt = now; }
            }
        }
    }
}
