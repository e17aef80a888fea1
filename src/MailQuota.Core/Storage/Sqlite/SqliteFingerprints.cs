using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MailQuota.Core.Content;
using Microsoft.Data.Sqlite;

namespace MailQuota.Core.Storage.Sqlite
{
    /// <summary>
    /// Content fingerprints of the sends: one row per send (no body, no subject: hashes only) and
    /// its 16 LSH band keys in a covering index ordered by time, so finding a message's candidates
    /// in a window is 16 index range reads, however many sends the ledger holds.
    /// </summary>
    internal sealed class SqliteFingerprints : IFingerprintRows
    {
        readonly SqliteDatabase _db;

        public SqliteFingerprints(SqliteDatabase db) => _db = db;

        /// <summary>
        /// Fingerprints never change once written, so the ledger keeps those it has read: a check
        /// then reads only the band index, and a mail merge of one template reads each earlier copy
        /// once per process instead of once per message. Bounded; emptied when full.
        /// </summary>
        readonly Dictionary<long, StoredFingerprint> _fingerprints = new Dictionary<long, StoredFingerprint>();
        const int FingerprintCacheLimit = 200_000;

        /// <summary>Written inside the reservation transaction, with the send row it belongs to.</summary>
        public void Add(long sendId, string account, DateTimeOffset at, string? messageId, ContentFingerprint fingerprint)
        {
            if (fingerprint.BandKeys.Count != LshBands.Bands)
                throw new ArgumentException("only a fresh fingerprint (with its LSH keys) can be stored", nameof(fingerprint));
            var cmd = _db.Prepared(@"INSERT INTO content_fingerprints(send_id, account, at, message_id, digest, simhash, minhash)
VALUES($id, $a, $t, $m, $d, $s, $h)");
            cmd.Parameters.AddWithValue("$id", sendId);
            cmd.Parameters.AddWithValue("$a", account);
            cmd.Parameters.AddWithValue("$t", at.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$m", (object?)messageId ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$d", fingerprint.Digest);
            cmd.Parameters.AddWithValue("$s", unchecked((long)fingerprint.SimHash));
            cmd.Parameters.AddWithValue("$h", MinHashBlob.ToBlob(fingerprint.Signature));
            cmd.ExecuteNonQuery();

            var bands = _db.Prepared(BandInsert);
            for (var i = 0; i < LshBands.Bands; i++) bands.Parameters.AddWithValue("$b" + i, fingerprint.BandKeys[i]);
            bands.Parameters.AddWithValue("$t", at.ToUnixTimeMilliseconds());
            bands.Parameters.AddWithValue("$id", sendId);
            bands.ExecuteNonQuery();
        }

        /// <summary>The band keys of one send in one statement.</summary>
        static readonly string BandInsert = "INSERT OR IGNORE INTO content_bands(band, at, send_id) VALUES "
            + string.Join(", ", Enumerable.Range(0, LshBands.Bands).Select(i => $"($b{i}, $t, $id)"));

        /// <summary>
        /// In one transaction committed without a full sync (as an outcome is): a power cut may lose
        /// them, and with them only the near-duplicate count of those few sends.
        /// </summary>
        public void AddSent(IReadOnlyList<StoredFingerprint> sent)
        {
            if (sent.Count == 0) return;
            _db.WithoutFullSync(() => _db.Exclusive(() =>
            {
                foreach (var f in sent) Add(f.SendId, f.Account, f.At, f.MessageId, f.Fingerprint);
                return sent.Count;
            }));
        }

        /// <summary>A released reservation never reached the server: its content no longer counts.</summary>
        public void Forget(long sendId)
        {
            _fingerprints.Remove(sendId);
            using var cmd = _db.Command("DELETE FROM content_fingerprints WHERE send_id=$id");
            cmd.Parameters.AddWithValue("$id", sendId);
            cmd.ExecuteNonQuery(); // its band keys stay behind, matching nothing, until they leave every window
        }

        public IReadOnlyList<StoredFingerprint> Candidates(string account, ContentFingerprint fingerprint, DateTimeOffset since)
        {
            if (fingerprint.BandKeys.Count != LshBands.Bands)
                throw new ArgumentException("candidates are looked up by a fresh fingerprint's LSH keys", nameof(fingerprint));
            var bands = Enumerable.Range(0, LshBands.Bands).Select(i => "$b" + i).ToArray();
            var cmd = _db.Prepared("SELECT DISTINCT send_id FROM content_bands WHERE band IN (" + string.Join(", ", bands) + ") AND at > $since");
            for (var i = 0; i < LshBands.Bands; i++) cmd.Parameters.AddWithValue(bands[i], fingerprint.BandKeys[i]);
            cmd.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
            var missing = new List<long>();
            var list = new List<StoredFingerprint>();
            using (var reader = cmd.ExecuteReader())
            {
                while (reader.Read())
                {
                    var id = reader.GetInt64(0);
                    if (!_fingerprints.TryGetValue(id, out var stored)) missing.Add(id);
                    else if (stored.Account == account) list.Add(stored);
                }
            }
            if (missing.Count > 0) list.AddRange(LoadFingerprints(missing).Where(f => f.Account == account));
            return list;
        }

        IEnumerable<StoredFingerprint> LoadFingerprints(List<long> ids)
        {
            if (_fingerprints.Count + ids.Count > FingerprintCacheLimit) _fingerprints.Clear();
            var loaded = new List<StoredFingerprint>(ids.Count);
            var blob = new byte[MinHasher.Size * 2];
            for (var start = 0; start < ids.Count; start += 500)
            {
                // integers only, so they can be written into the statement
                using var cmd = _db.Command("SELECT send_id, account, at, message_id, digest, simhash, minhash FROM content_fingerprints WHERE send_id IN (" +
                    string.Join(",", ids.Skip(start).Take(500).Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture))) + ")");
                using var reader = cmd.ExecuteReader();
                while (reader.Read())
                {
                    if (reader.GetBytes(6, 0, blob, 0, blob.Length) != blob.Length) throw new InvalidDataException($"send {reader.GetInt64(0)} has a damaged content fingerprint");
                    var stored = new StoredFingerprint(reader.GetInt64(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                        reader.IsDBNull(3) ? null : reader.GetString(3),
                        new ContentFingerprint(reader.GetInt64(4), unchecked((ulong)reader.GetInt64(5)), MinHashBlob.FromBlob(blob)));
                    _fingerprints[stored.SendId] = stored;
                    loaded.Add(stored);
                }
            }
            return loaded;
        }
    }
}
