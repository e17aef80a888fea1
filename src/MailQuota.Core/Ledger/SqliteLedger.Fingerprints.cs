using System;
using System.Collections.Generic;
using System.IO;
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
  send_id    INTEGER PRIMARY KEY REFERENCES sends(id),
  account    TEXT    NOT NULL,   -- the send's account, reserved_at and message_id, copied so that
  at         INTEGER NOT NULL,   -- a lookup reads this table and the band index only
  message_id TEXT,
  digest     INTEGER NOT NULL,   -- first 64 bits of SHA-256 of the normalised text
  simhash    INTEGER NOT NULL,
  minhash    BLOB    NOT NULL    -- 128 MinHash values, 16 bits each, little-endian
);
CREATE TABLE IF NOT EXISTS content_bands (
  band     INTEGER NOT NULL,   -- hash of one LSH band (8 MinHash values)
  at       INTEGER NOT NULL,   -- the send's reserved_at, so a lookup reads only its window
  send_id  INTEGER NOT NULL,
  PRIMARY KEY (band, at, send_id)
) WITHOUT ROWID;";

        SqliteCommand? _insertFingerprint, _insertBand, _candidates;

        /// <summary>Written inside the reservation transaction, with the send row it belongs to.</summary>
        void InsertFingerprint(long sendId, ReservationRequest request, DateTimeOffset at, ContentFingerprint fingerprint)
        {
            if (fingerprint.BandKeys.Count != LshBands.Bands)
                throw new ArgumentException("only a fresh fingerprint (with its LSH keys) can be stored", nameof(fingerprint));
            var cmd = _insertFingerprint ??= Prepared(@"INSERT INTO content_fingerprints(send_id, account, at, message_id, digest, simhash, minhash)
VALUES($id, $a, $t, $m, $d, $s, $h)", "$id", "$a", "$t", "$m", "$d", "$s", "$h");
            cmd.Parameters["$id"].Value = sendId;
            cmd.Parameters["$a"].Value = request.Account;
            cmd.Parameters["$t"].Value = at.ToUnixTimeMilliseconds();
            cmd.Parameters["$m"].Value = (object?)request.MessageId ?? DBNull.Value;
            cmd.Parameters["$d"].Value = fingerprint.Digest;
            cmd.Parameters["$s"].Value = unchecked((long)fingerprint.SimHash);
            cmd.Parameters["$h"].Value = ToBlob(fingerprint.Signature);
            cmd.ExecuteNonQuery();

            var band = _insertBand ??= Prepared("INSERT OR IGNORE INTO content_bands(band, at, send_id) VALUES($b, $t, $id)", "$b", "$t", "$id");
            band.Parameters["$t"].Value = at.ToUnixTimeMilliseconds();
            band.Parameters["$id"].Value = sendId;
            foreach (var key in fingerprint.BandKeys)
            {
                band.Parameters["$b"].Value = key;
                band.ExecuteNonQuery();
            }
        }

        /// <summary>A released reservation never reached the server: its content no longer counts.</summary>
        void ForgetFingerprint(long sendId)
        {
            using var cmd = Command("DELETE FROM content_fingerprints WHERE send_id=$id");
            cmd.Parameters.AddWithValue("$id", sendId);
            cmd.ExecuteNonQuery(); // its band keys stay behind, matching nothing, until they leave every window
        }

        public IReadOnlyList<StoredFingerprint> Candidates(string account, ContentFingerprint fingerprint, DateTimeOffset since)
        {
            if (fingerprint.BandKeys.Count != LshBands.Bands)
                throw new ArgumentException("candidates are looked up by a fresh fingerprint's LSH keys", nameof(fingerprint));
            var bands = Enumerable.Range(0, LshBands.Bands).Select(i => "$b" + i).ToArray();
            var cmd = _candidates ??= Prepared(@"SELECT f.send_id, f.at, f.message_id, f.digest, f.simhash, f.minhash
FROM (SELECT DISTINCT send_id FROM content_bands WHERE band IN (" + string.Join(", ", bands) + @") AND at > $since) c
CROSS JOIN content_fingerprints f ON f.send_id = c.send_id
WHERE f.account = $a", bands.Concat(new[] { "$since", "$a" }).ToArray());
            for (var i = 0; i < LshBands.Bands; i++) cmd.Parameters[bands[i]].Value = fingerprint.BandKeys[i];
            cmd.Parameters["$since"].Value = since.ToUnixTimeMilliseconds();
            cmd.Parameters["$a"].Value = account;
            using var reader = cmd.ExecuteReader();
            var list = new List<StoredFingerprint>();
            var blob = new byte[MinHasher.Size * 2];
            while (reader.Read())
            {
                if (reader.GetBytes(5, 0, blob, 0, blob.Length) != blob.Length) throw new InvalidDataException($"send {reader.GetInt64(0)} has a damaged content fingerprint");
                var stored = new ContentFingerprint(reader.GetInt64(3), unchecked((ulong)reader.GetInt64(4)), FromBlob(blob));
                list.Add(new StoredFingerprint(reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                    reader.IsDBNull(2) ? null : reader.GetString(2), stored));
            }
            return list;
        }

        /// <summary>A statement prepared once and kept for the life of the connection (these run once per message).</summary>
        SqliteCommand Prepared(string sql, params string[] parameters)
        {
            var cmd = Command(sql);
            foreach (var name in parameters) cmd.Parameters.Add(new SqliteParameter { ParameterName = name, Value = DBNull.Value });
            cmd.Prepare();
            return cmd;
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
