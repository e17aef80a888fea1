using System;
using System.Collections.Generic;
using MailQuota.Core.Monitoring;

namespace MailQuota.Core.Storage.Sqlite
{
    /// <summary>An account's sends as the volume monitor reads them: recipients per hour, and the replies of the refused ones.</summary>
    internal sealed class SqliteVolumeHistory : IVolumeHistory
    {
        readonly SqliteDatabase _db;
        readonly SqliteReservations _sends;

        public SqliteVolumeHistory(SqliteDatabase db, SqliteReservations sends)
        {
            _db = db;
            _sends = sends;
        }

        public IReadOnlyList<int> HourlyRecipients(string account, DateTimeOffset from, int hours)
        {
            const long HourMs = 3_600_000;
            var start = from.ToUnixTimeMilliseconds();
            using var cmd = _db.Command(@"SELECT (reserved_at - $from) / 3600000, TOTAL(recipients) FROM sends
WHERE account=$a AND reserved_at >= $from AND reserved_at < $to AND status<>'Released' GROUP BY 1");
            cmd.Parameters.AddWithValue("$a", account);
            cmd.Parameters.AddWithValue("$from", start);
            cmd.Parameters.AddWithValue("$to", start + hours * HourMs);
            using var r = cmd.ExecuteReader();
            var buckets = new int[hours];
            while (r.Read()) buckets[r.GetInt64(0)] = (int)r.GetDouble(1);
            return buckets;
        }

        /// <summary>
        /// Checked after every send, so it reads only the (few) refused and in-flight rows through
        /// partial indexes; the finished count comes from the window's running totals.
        /// </summary>
        public ReplyTally RepliesSince(string account, DateTimeOffset since)
        {
            _sends.WriteHeldOutcomes();   // a Sent held for the next reservation is finished, not in flight
            var refusals = new List<string>();
            var cmd = _db.Prepared("SELECT reply FROM sends WHERE account=$a AND reserved_at>$since AND status NOT IN ('Sent', 'InFlight', 'Released') AND reply IS NOT NULL ORDER BY reserved_at");
            cmd.Parameters.AddWithValue("$a", account);
            cmd.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
            using (var r = cmd.ExecuteReader())
                while (r.Read()) refusals.Add(r.GetString(0));
            var inFlight = _db.Prepared("SELECT COUNT(*) FROM sends WHERE account=$a AND reserved_at>$since AND status='InFlight'");
            inFlight.Parameters.AddWithValue("$a", account);
            inFlight.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
            var finished = _sends.UseSince(account, since).Messages - Convert.ToInt32(inFlight.ExecuteScalar());
            return new ReplyTally(finished, refusals);
        }
    }
}
