using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using MailQuota.Core.Files;
using MailQuota.Core.Quota;

namespace MailQuota.Core.Storage.Sqlite
{
    /// <summary>
    /// The go-aheads (<see cref="ILedger.HandOver"/>) of one ledger connection, appended to a file of
    /// their own beside the ledger ("ledger.db-goahead-….log") instead of written into it: the
    /// connection's thread records a go-ahead between the server's 354 and the data in one write,
    /// without the ledger's lock, a sync, or the run's connection losing its page cache to another
    /// writer. The write has reached the operating system before the data goes out, so a killed process
    /// leaves it behind. A power cut may lose it; after the host restarts, a row left InFlight is
    /// Unknown anyway.
    /// A row InFlight whose id its owner's journal holds is Unknown, or Sent once the server took it (<see cref="Read(string, string)"/>). The server's
    /// acceptance is appended too (<see cref="Taken"/>), because the run writes a Sent with its next
    /// reservation: a row the journal holds as taken folds into Sent. The journals of processes that
    /// ended are folded into the ledger, and removed, when a ledger is opened (<see cref="FoldEnded"/>);
    /// a connection folds its own when it closes.
    /// </summary>
    internal sealed class GoAheadJournal : IDisposable
    {
        readonly SqliteDatabase _db;
        readonly object _writing = new object();
        FileStream? _file;
        string? _path;

        public GoAheadJournal(SqliteDatabase db) => _db = db;

        /// <summary>The names of a ledger's journals: the ledger's, a suffix, a GUID.</summary>
        const string Suffix = "-goahead-";

        /// <summary>Appends the go-ahead (from any thread); the journal's file is made at the first one.</summary>
        public void Add(long reservationId, DateTimeOffset at, int attempts) =>
            Append(string.Format(CultureInfo.InvariantCulture, "{0} {1} {2}\n", reservationId, attempts, at.ToUnixTimeMilliseconds()));

        /// <summary>Appends that the server took the message, with its reply on one line (from any thread).</summary>
        public void Taken(long reservationId, DateTimeOffset at, int attempts, string reply) =>
            Append(string.Format(CultureInfo.InvariantCulture, "{0} {1} {2} {3} {4}\n", reservationId, attempts, at.ToUnixTimeMilliseconds(), TakenMark,
                reply.Replace('\r', ' ').Replace('\n', ' ')));

        const string TakenMark = "Sent";

        void Append(string text)
        {
            var line = Encoding.UTF8.GetBytes(text);
            lock (_writing)
            {
                _file ??= Create();
                _file.Write(line, 0, line.Length);
                _file.Flush();   // in the system's hands when this returns
            }
        }

        FileStream Create()
        {
            _path = _db.Path + Suffix + Guid.NewGuid().ToString("N") + ".log";
            OwnerOnlyFiles.Create(_path);
            var file = new FileStream(_path, FileMode.Open, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 1);   // unbuffered: one write(2) a line
            var owner = Encoding.UTF8.GetBytes(ProcessIdentity.Current + "\n");
            file.Write(owner, 0, owner.Length);
            file.Flush();
            return file;
        }

        /// <summary>
        /// What its owner's journals hold, by reservation id: each send's go-ahead (reply null) or the
        /// server's acceptance (its reply), which the owner writes into the ledger later; with its time.
        /// </summary>
        public static Dictionary<long, (string? TakenReply, long At)> Read(string ledgerPath, string owner)
        {
            var held = new Dictionary<long, (string? TakenReply, long At)>();
            foreach (var journal in Journals(ledgerPath).Where(j => j.Owner == owner))
            {
                foreach (var entry in journal.Read()) held[entry.Key] = (entry.Value.TakenReply, entry.Value.At);
            }
            return held;
        }

        /// <summary>Folds the journals of processes no longer running (on this host) into the ledger, and removes them.</summary>
        public static void FoldEnded(SqliteDatabase db)
        {
            foreach (var journal in Journals(db.Path).Where(j => !ProcessIdentity.IsAlive(j.Owner)))
                Fold(db, journal);
        }

        /// <summary>Closes the journal and folds it into the ledger: a row still InFlight after its go-ahead is Unknown.</summary>
        public void Dispose()
        {
            lock (_writing)
            {
                if (_file == null) return;
                _file.Dispose();
                _file = null;
                Fold(_db, new Journal(_path!, ProcessIdentity.Current));
            }
        }

        /// <summary>Its owner's sends still InFlight that it holds become Sent (taken) or Unknown, in one transaction; then the file goes.</summary>
        static void Fold(SqliteDatabase db, Journal journal)
        {
            var inFlight = new List<long>();
            var find = db.Prepared("SELECT id FROM sends WHERE status='InFlight' AND owner=$o");
            find.Parameters.AddWithValue("$o", journal.Owner);
            using (var reader = find.ExecuteReader())
                while (reader.Read()) inFlight.Add(reader.GetInt64(0));
            if (inFlight.Count > 0)
            {
                var entries = journal.Read();
                var handedOver = inFlight.Where(entries.ContainsKey).ToList();
                if (handedOver.Count > 0)
                    db.Exclusive(() =>
                    {
                        foreach (var id in handedOver)
                        {
                            var update = db.Prepared("UPDATE sends SET status=$s, completed_at=$t, reply=$r, attempts=$n WHERE id=$id AND status='InFlight'");
                            var taken = entries[id].TakenReply;
                            update.Parameters.AddWithValue("$s", taken == null ? nameof(SendStatus.Unknown) : nameof(SendStatus.Sent));
                            update.Parameters.AddWithValue("$t", entries[id].At);
                            update.Parameters.AddWithValue("$r", taken ?? StoreLedger.HandedOverReply);
                            update.Parameters.AddWithValue("$n", entries[id].Attempts);
                            update.Parameters.AddWithValue("$id", id);
                            update.ExecuteNonQuery();
                        }
                        return handedOver.Count;
                    });
            }
            try { File.Delete(journal.Path); }
            catch (IOException) { }   // another process folding it too; it goes with the next
            catch (UnauthorizedAccessException) { }
        }

        static IEnumerable<Journal> Journals(string ledgerPath)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(ledgerPath));
            if (folder == null) yield break;
            foreach (var path in Directory.EnumerateFiles(folder, Path.GetFileName(ledgerPath) + Suffix + "*.log"))
            {
                string? owner;
                try
                {
                    using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
                    owner = reader.ReadLine();
                }
                catch (FileNotFoundException) { continue; }   // folded meanwhile
                if (!string.IsNullOrEmpty(owner)) yield return new Journal(path, owner!);
            }
        }

        readonly struct Entry
        {
            public Entry(int attempts, long at, string? takenReply) { Attempts = attempts; At = at; TakenReply = takenReply; }
            public int Attempts { get; }
            public long At { get; }

            /// <summary>The server's reply when it took the message; null for a go-ahead alone.</summary>
            public string? TakenReply { get; }
        }

        sealed class Journal
        {
            public Journal(string path, string owner) { Path = path; Owner = owner; }
            public string Path { get; }
            public string Owner { get; }

            /// <summary>
            /// Its go-aheads by reservation id, each with the server's acceptance when a later line records it;
            /// a line cut short by a kill is left out (a go-ahead whose data never went, or an acceptance
            /// recorded by the run itself if it got that far).
            /// </summary>
            public Dictionary<long, Entry> Read()
            {
                var entries = new Dictionary<long, Entry>();
                string text;
                try
                {
                    using var reader = new StreamReader(new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
                    text = reader.ReadToEnd();
                }
                catch (FileNotFoundException) { return entries; }
                var lines = text.Split('\n');
                for (var i = 1; i < lines.Length - 1; i++)   // the owner first; the last piece has no newline
                {
                    var parts = lines[i].Split(new[] { ' ' }, 5);
                    var taken = parts.Length == 5 && parts[3] == TakenMark ? parts[4] : null;
                    if ((parts.Length == 3 || taken != null) && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                        && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var attempts)
                        && long.TryParse(parts[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var at))
                        entries[id] = new Entry(attempts, at, taken);
                }
                return entries;
            }
        }
    }
}
