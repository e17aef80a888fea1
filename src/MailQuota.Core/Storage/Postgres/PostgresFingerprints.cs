using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MailQuota.Core.Content;
using static MailQuota.Core.Storage.Postgres.PostgresDatabase;

namespace MailQuota.Core.Storage.Postgres
{
    /// <summary>
    /// Content fingerprints of the sends: one row per send (hashes only: no body, no subject) and its
    /// 16 LSH band keys ordered by time, so a message's candidates in a window are 16 index range reads.
    /// Fingerprints never change once written: those read are kept (bounded), as on SQLite.
    /// </summary>
    internal sealed class PostgresFingerprints : IFingerprintRows
    {
        readonly PostgresDatabase _db;
        readonly Dictionary<long, StoredFingerprint> _fingerprints = new Dictionary<long, StoredFingerprint>();
        const int FingerprintCacheLimit = 200_000;

        public PostgresFingerprints(PostgresDatabase db) => _db = db;

        /// <summary>Written inside the reservation transaction, with the send row it belongs to.</summary>
        public void Add(long sendId, string account, DateTimeOffset at, string? messageId, ContentFingerprint fingerprint)
        {
            if (fingerprint.BandKeys.Count != LshBands.Bands)
                throw new ArgumentException("only a fresh fingerprint (with its LSH keys) can be stored", nameof(fingerprint));
            Write(sendId, account, at.ToUnixTimeMilliseconds(), messageId, fingerprint.Digest, unchecked((long)fingerprint.SimHash), MinHashBlob.ToBlob(fingerprint.Signature), fingerprint.BandKeys.ToArray());
        }

        /// <summary>Each in its own statement: a server's commit costs no sync of this host's disk.</summary>
        public void AddSent(IReadOnlyList<StoredFingerprint> sent)
        {
            foreach (var f in sent) Add(f.SendId, f.Account, f.At, f.MessageId, f.Fingerprint);
        }

        /// <summary>One fingerprint and its band keys, as stored (also for a copy from another ledger).</summary>
        internal void Write(long sendId, string account, long at, string? messageId, long digest, long simhash, byte[] minhash, long[] bands)
        {
            _db.Execute(@"INSERT INTO content_fingerprints(send_id, account, at, message_id, digest, simhash, minhash) VALUES(@id, @a, @t, @m, @d, @s, @h);
INSERT INTO content_bands(band, at, send_id) SELECT DISTINCT b, @t, @id FROM unnest(@b) AS b ON CONFLICT DO NOTHING",
                P("id", sendId), P("a", account), P("t", at), P("m", messageId), P("d", digest), P("s", simhash), P("h", minhash), P("b", bands));
        }

        /// <summary>A released reservation never reached the server: its content no longer counts.</summary>
        public void Forget(long sendId)
        {
            _fingerprints.Remove(sendId);
            _db.Execute("DELETE FROM content_fingerprints WHERE send_id=@id", P("id", sendId)); // its band keys match nothing from now on
        }

        public IReadOnlyList<StoredFingerprint> Candidates(string account, ContentFingerprint fingerprint, DateTimeOffset since)
        {
            if (fingerprint.BandKeys.Count != LshBands.Bands)
                throw new ArgumentException("candidates are looked up by a fresh fingerprint's LSH keys", nameof(fingerprint));
            var ids = _db.Query("SELECT DISTINCT send_id FROM content_bands WHERE band = ANY(@b) AND at > @since",
                r => r.GetInt64(0), P("b", fingerprint.BandKeys.ToArray()), P("since", since.ToUnixTimeMilliseconds()));
            var missing = new List<long>();
            var list = new List<StoredFingerprint>();
            foreach (var id in ids)
            {
                if (!_fingerprints.TryGetValue(id, out var stored)) missing.Add(id);
                else if (stored.Account == account) list.Add(stored);
            }
            if (missing.Count > 0) list.AddRange(Load(missing).Where(f => f.Account == account));
            return list;
        }

        List<StoredFingerprint> Load(List<long> ids)
        {
            if (_fingerprints.Count + ids.Count > FingerprintCacheLimit) _fingerprints.Clear();
            var loaded = _db.Query("SELECT send_id, account, at, message_id, digest, simhash, minhash FROM content_fingerprints WHERE send_id = ANY(@ids)", r =>
            {
                var blob = (byte[])r.GetValue(6);
                if (blob.Length != MinHasher.Size * 2) throw new InvalidDataException($"send {r.GetInt64(0)} has a damaged content fingerprint");
                return new StoredFingerprint(r.GetInt64(0), r.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)),
                    r.IsDBNull(3) ? null : r.GetString(3), new ContentFingerprint(r.GetInt64(4), unchecked((ulong)r.GetInt64(5)), MinHashBlob.FromBlob(blob)));
            }, P("ids", ids.ToArray()));
            foreach (var stored in loaded) _fingerprints[stored.SendId] = stored;
            return loaded;
        }
    }
}
