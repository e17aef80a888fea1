using System;
using System.Collections.Generic;
using System.Linq;
using MailQuota.Core.Content;
using Microsoft.Data.Sqlite;

namespace MailQuota.Core.Ledger
{
    /// <summary>
    /// Content fingerprints of the sends: one row per send (no body, no subject: hashes only) and
    /// its 16 LSH band keys in a covering index ordered by time, so finding a message's candidates
    /// in a window is 16 index range reads, however many sends the ledger holds.
    /// </summary>
    public sealed partial class SqliteLedger : IFingerprintStore
    {
        const string FingerprintsSchema = @"
CREATE TABLE IF NOT EXISTS content_fingerprints (
  send_id  INTEGER PRIMARY KEY REFERENCES sends(id),
  digest   INTEGER NOT NULL,   -- first 64 bits of SHA-256 of the normalised text
  simhash  INTEGER NOT NULL,
  minhash  BLOB    NOT NULL    -- 128 MinHash values, 16 bits each, little-endian
);
CREATE TABLE IF NOT EXISTS content_bands (
  band     INTEGER NOT NULL,   -- hash of one LSH band (8 MinHash values)
  at       INTEGER NOT NULL,   -- the send's reserved_at, so a lookup reads only its window
  send_id  INTEGER NOT NULL,
  PRIMARY KEY (band, at, send_id)
) WITHOUT ROWID;";

        static readonly string CandidatesSql = @"
SELECT s.id, s.reserved_at, s.message_id, f.digest, f.simhash, f.minhash
FROM (SELECT DISTINCT send_id FROM content_bands WHERE band IN (" +
            string.Join(", ", Enumerable.Range(0, LshBands.Bands).Select(i => "$b" + i)) + @") AND at > $since) c
CROSS JOIN sends s ON s.id = c.send_id
CROSS JOIN content_fingerprints f ON f.send_id = c.send_id
WHERE s.account = $a AND s.status <> 'Released'
ORDER BY s.reserved_at DESC";

        /// <summary>Written inside the reservation transaction, with the send row it belongs to.</summary>
        void InsertFingerprint(long sendId, DateTimeOffset at, ContentFingerprint fingerprint)
        {
            if (fingerprint.BandKeys.Count != LshBands.Bands)
                throw new ArgumentException("only a fresh fingerprint (with its LSH keys) can be stored", nameof(fingerprint));
            using (var cmd = Command("INSERT INTO content_fingerprints(send_id, digest, simhash, minhash) VALUES($id, $d, $s, $m)"))
            {
                cmd.Parameters.AddWithValue("$id", sendId);
                cmd.Parameters.AddWithValue("$d", fingerprint.Digest);
                cmd.Parameters.AddWithValue("$s", unchecked((long)fingerprint.SimHash));
                cmd.Parameters.AddWithValue("$m", ToBlob(fingerprint.Signature));
                cmd.ExecuteNonQuery();
            }
            using var band = Command("INSERT OR IGNORE INTO content_bands(band, at, send_id) VALUES($b, $t, $id)");
            var key = band.Parameters.Add("$b", SqliteType.Integer);
            band.Parameters.AddWithValue("$t", at.ToUnixTimeMilliseconds());
            band.Parameters.AddWithValue("$id", sendId);
            foreach (var k in fingerprint.BandKeys)
            {
                key.Value = k;
                band.ExecuteNonQuery();
            }
        }

        public IReadOnlyList<StoredFingerprint> Candidates(string account, ContentFingerprint fingerprint, DateTimeOffset since)
        {
            if (fingerprint.BandKeys.Count != LshBands.Bands)
                throw new ArgumentException("candidates are looked up by a fresh fingerprint's LSH keys", nameof(fingerprint));
            using var cmd = Command(CandidatesSql);
            for (var i = 0; i < LshBands.Bands; i++) cmd.Parameters.AddWithValue("$b" + i, fingerprint.BandKeys[i]);
            cmd.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$a", account);
            using var reader = cmd.ExecuteReader();
            var list = new List<StoredFingerprint>();
            while (reader.Read())
            {
                var stored = new ContentFingerprint(reader.GetInt64(3), unchecked((ulong)reader.GetInt64(4)), FromBlob((byte[])reader.GetValue(5)));
                list.Add(new StoredFingerprint(reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                    reader.IsDBNull(2) ? null : reader.GetString(2), stored));
            }
            return list;
        }

        static byte[] ToBlob(ushort[] signature)
        {
            var blob = new byte[signature.Length * 2];
            for (var i = 0; i < signature.Length; i++)
            {
                blob[2 * i] = (byte)signature[i];
                blob[2 * i + 1] = (byte)(signature[i] >> 8);
            }
            return blob;
        }

        static ushort[] FromBlob(byte[] blob)
        {
            var signature = new ushort[blob.Length / 2];
            for (var i = 0; i < signature.Length; i++) signature[i] = (ushort)(blob[2 * i] | blob[2 * i + 1] << 8);
            return signature;
        }
    }
}
