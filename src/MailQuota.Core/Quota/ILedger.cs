using System;
using System.Collections.Generic;
using MailQuota.Core.Quota;

namespace MailQuota.Core.Quota
{
    /// <summary>How far one send got. Stored as text so an auditor can read the ledger directly.</summary>
    public enum SendStatus
    {
        /// <summary>Reserved, SMTP transaction not confirmed yet (or the process died during it).</summary>
        InFlight,
        Sent,
        Failed,
        /// <summary>The outcome is ambiguous (cancelled or cut off during the transaction).</summary>
        Unknown,
        /// <summary>Reserved but never handed to the server: no longer counts against the quota.</summary>
        Released,
        /// <summary>
        /// The server refused this attempt for now (throttle, quota, temporary failure): it still
        /// counts, and the message was retried or deferred under a new reservation.
        /// </summary>
        Refused,
    }

    /// <summary>Use of one rolling window: messages and the recipients they carried.</summary>
    public readonly struct WindowUse
    {
        public WindowUse(int messages, int recipients) { Messages = messages; Recipients = recipients; }
        public int Messages { get; }
        public int Recipients { get; }
        public int Of(QuotaUnit unit) => unit == QuotaUnit.Messages ? Messages : Recipients;
    }

    /// <summary>One reservation as the window arithmetic sees it.</summary>
    public readonly struct ReservationPoint
    {
        public ReservationPoint(DateTimeOffset at, int recipients) { At = at; Recipients = recipients; }
        public DateTimeOffset At { get; }
        public int Recipients { get; }
    }

    /// <summary>What a sender asks to reserve: one message to one or more recipients.</summary>
    public sealed class ReservationRequest
    {
        public ReservationRequest(string account, string recipient, int recipients = 1)
        {
            Account = account; Recipient = recipient; Recipients = recipients;
        }
        public string Account { get; }
        /// <summary>The recipient address (or the first of several, for a Bcc batch).</summary>
        public string Recipient { get; }
        public int Recipients { get; }
        public string? Campaign { get; set; }
        public string? MessageId { get; set; }

        /// <summary>
        /// What the other policies record with the reservation (the campaign's rows, the content
        /// fingerprint): called inside the reservation's transaction with the new send's id and time,
        /// so it is kept or rolled back with the reservation. An exception rolls the reservation back.
        /// </summary>
        public Action<long, DateTimeOffset>? AlsoRecord { get; set; }

        /// <summary>
        /// The caller calls <see cref="ILedger.MakeReservationDurable"/> before the message goes out, so
        /// the reservation's commit need not wait for the disk (the send path: one sync serves every
        /// message reserved ahead). False: the reservation is durable when it is granted.
        /// </summary>
        public bool DurableBeforeSend { get; set; }
    }

    /// <summary>
    /// The shared record of what each account has sent. One row per send; reservations are made
    /// under an exclusive transaction so several processes never over-reserve together.
    /// SQLite is the embedded implementation; a server database can implement the same contract.
    /// </summary>
    public interface ILedger : IDisposable
    {
        /// <summary>
        /// Starts the exclusive transaction in which one reservation for the account is decided. Unless
        /// <paramref name="durableAtCommit"/>, its commit need not wait for the disk, and
        /// <see cref="MakeReservationDurable"/> must be called before its message goes out.
        /// </summary>
        IReservationTransaction BeginReservation(string account, bool durableAtCommit = true);

        /// <summary>
        /// The reservation, committed on this connection, is durable when this returns: one sync of a
        /// ledger file serves every reservation committed before it, so most calls find theirs done.
        /// Safe from any thread (the connections' threads call it before a message goes out); nothing
        /// to do for a ledger server.
        /// </summary>
        void MakeReservationDurable(long reservationId);

        void Complete(long reservationId, SendStatus status, DateTimeOffset at, string? reply, int attempts);

        /// <summary>
        /// The server said go ahead to the message's data: from here it may take the message, so the send
        /// is Unknown until its reply is recorded. Recorded as an outcome is (safe from the process dying),
        /// and quickly: a process killed between this record and the data leaves an Unknown row never delivered.
        /// </summary>
        void HandOver(long reservationId, DateTimeOffset at, int attempts);

        /// <summary>
        /// The server took the message (on its connection's thread, before the run hears of it): recorded
        /// as the go-ahead is, so that a Sent the run holds back (<see cref="CompleteSent"/>) is not lost
        /// with the process. Nothing to do for a ledger that writes every outcome at once.
        /// </summary>
        void Delivered(long reservationId, DateTimeOffset at, int attempts, string reply);

        /// <summary>
        /// Records Sent, for a message whose delivery the handover connection recorded (<see cref="Delivered"/>).
        /// A ledger file holds it back and writes it with the next reservation, in the same transaction,
        /// or at <see cref="WriteHeldOutcomes"/>: one commit a message instead of two.
        /// </summary>
        void CompleteSent(long reservationId, DateTimeOffset at, string reply, int attempts);

        /// <summary>Writes the Sent outcomes held back (<see cref="CompleteSent"/>): before a wait, at the end of a run.</summary>
        void WriteHeldOutcomes();

        QuotaPolicy? GetPolicy(string account);
        void SavePolicy(string account, QuotaPolicy policy, DateTimeOffset at);
        IReadOnlyList<string> Accounts();

        /// <summary>Use of every window since the given instants, read outside any reservation.</summary>
        WindowUse UseSince(string account, DateTimeOffset since);
        IReadOnlyList<ReservationPoint> ReservationsSince(string account, DateTimeOffset since, int max);
    }

    /// <summary>The reads and the write of one reservation, atomic across processes.</summary>
    public interface IReservationTransaction : IDisposable
    {
        WindowUse UseSince(DateTimeOffset since);

        /// <summary>Use of several windows, in the order given: one read, so a ledger on a server answers in one round trip.</summary>
        IReadOnlyList<WindowUse> UseSince(IReadOnlyList<DateTimeOffset> sinces);

        /// <summary>Reservations after <paramref name="since"/>, oldest first, at most <paramref name="max"/>.</summary>
        IReadOnlyList<ReservationPoint> ReservationsSince(DateTimeOffset since, int max);

        DateTimeOffset? LastReservationAt();

        long Insert(ReservationRequest request, DateTimeOffset at);

        void Commit();
    }
}
