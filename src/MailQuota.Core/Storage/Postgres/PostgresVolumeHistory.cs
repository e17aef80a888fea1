using System;
using System.Collections.Generic;
using MailQuota.Core.Monitoring;
using static MailQuota.Core.Storage.Postgres.PostgresDatabase;

namespace MailQuota.Core.Storage.Postgres
{
    /// <summary>An account's sends as the volume monitor reads them: recipients per hour, and the replies of the refused ones.</summary>
    internal sealed class PostgresVolumeHistory : IVolumeHistory
    {
        readonly PostgresDatabase _db;
        readonly PostgresReservations _sends;

        public PostgresVolumeHistory(PostgresDatabase db, PostgresReservations sends)
        {
            _db = db;
            _sends = sends;
        }

        public IReadOnlyList<int> HourlyRecipients(string account, DateTimeOffset from, int hours)
        {
            const long HourMs = 3_600_000;
            var start = from.ToUnixTimeMilliseconds();
            var buckets = new int[hours];
            foreach (var (hour, recipients) in _db.Query(@"SELECT ((reserved_at - @from) / 3600000)::int, SUM(recipients)::int FROM sends
WHERE account=@a AND reserved_at >= @from AND reserved_at < @to AND status<>'Released' GROUP BY 1",
                r => (r.GetInt32(0), r.GetInt32(1)), P("a", account), P("from", start), P("to", start + hours * HourMs)))
                buckets[hour] = recipients;
            return buckets;
        }

        /// <summary>Reads only the (few) refused and in-flight rows through partial indexes; the finished count comes from the running totals.</summary>
        public ReplyTally RepliesSince(string account, DateTimeOffset since)
        {
            var refusals = _db.Query("SELECT reply FROM sends WHERE account=@a AND reserved_at>@since AND status NOT IN ('Sent', 'InFlight', 'Released') AND reply IS NOT NULL ORDER BY reserved_at",
                r => r.GetString(0), P("a", account), P("since", since.ToUnixTimeMilliseconds()));
            var inFlight = Convert.ToInt32(_db.Scalar("SELECT COUNT(*) FROM sends WHERE account=@a AND reserved_at>@since AND status='InFlight'",
                P("a", account), P("since", since.ToUnixTimeMilliseconds())));
            return new ReplyTally(_sends.UseSince(account, since).Messages - inFlight, refusals);
        }
    }
}
