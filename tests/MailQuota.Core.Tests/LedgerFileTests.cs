using System;
using System.IO;
using System.Runtime.InteropServices;
using MailQuota.Core.Profiles;
using MailQuota.Core.Quota;
using MailQuota.Core.Storage;
using MailQuota.Core.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace MailQuota.Core.Tests
{
    /// <summary>The ledger as a file: who may read it, and one clear error for each way it cannot be used.</summary>
    public sealed class LedgerFileTests : IDisposable
    {
        readonly TempLedger _file = new TempLedger();

        public void Dispose() => _file.Dispose();

        static string Mode(string path) => Convert.ToString((int)File.GetUnixFileMode(path) & 0x1FF, 8);

        [Fact]
        public void A_new_ledger_its_wal_and_shm_and_their_new_folder_are_the_owners_only()
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;   // there the profile's ACL applies
            var path = Path.Combine(_file.Folder, "new", "ledger.db");
            using (var ledger = new SqliteLedger(path))
            {
                using var tx = ledger.BeginReservation("a");
                tx.Insert(new ReservationRequest("a", "x@example.test"), DateTimeOffset.UtcNow);
                tx.Commit();
                Assert.Equal("700", Mode(Path.GetDirectoryName(path)!));
                Assert.Equal("600", Mode(path));
                Assert.Equal("600", Mode(path + "-wal"));
                Assert.Equal("600", Mode(path + "-shm"));
            }
        }

        [Fact]
        public void The_profile_file_is_the_owners_only()
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
            var path = Path.Combine(_file.Folder, "profiles.json");
            new ProfileStore(path).Change(p => { p.Add(new SendProfile { Name = "Relay", SmtpServer = "relay.example.test" }); return 0; });
            Assert.Equal("600", Mode(path));
        }

        [Fact]
        public void A_folder_a_text_file_garbage_and_another_programs_database_are_each_refused_as_LedgerUnreadable_naming_the_path()
        {
            var text = Path.Combine(_file.Folder, "notes.txt");
            File.WriteAllText(text, "Email,Name\nzhang.wei@example.test,Zhang Wei\n");
            var garbage = Path.Combine(_file.Folder, "garbage.db");
            var bytes = new byte[8192];
            new Random(7).NextBytes(bytes);
            File.WriteAllBytes(garbage, bytes);
            var other = Path.Combine(_file.Folder, "other.db");
            using (var db = new SqliteConnection($"Data Source={other};Pooling=False"))
            {
                db.Open();
                using var cmd = db.CreateCommand();
                cmd.CommandText = "CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL);";
                cmd.ExecuteNonQuery();
            }
            foreach (var path in new[] { _file.Folder, text, garbage, other })
            {
                var e = Assert.Throws<LedgerUnavailableException>(() => new SqliteLedger(path).Dispose());
                Assert.Equal("LedgerUnreadable", e.ErrorId);
                Assert.Contains(path, e.Message);
            }
            Assert.StartsWith("Email,Name", File.ReadAllText(text));   // nothing was written into it
        }

        [Fact]
        public void A_lock_held_past_the_busy_timeout_is_LedgerBusy_naming_the_path()
        {
            using var first = new SqliteLedger(_file.Path);
            using var holder = first.BeginReservation("a");                 // BEGIN IMMEDIATE, kept open
            using var second = new SqliteLedger(_file.Path, TimeSpan.FromMilliseconds(200));
            var e = Assert.Throws<LedgerUnavailableException>(() => second.BeginReservation("a"));
            Assert.Equal("LedgerBusy", e.ErrorId);
            Assert.Contains(_file.Path, e.Message);
        }

        [Fact]
        public void Many_threads_opening_one_new_ledger_at_once_all_succeed()
        {
            var path = Path.Combine(_file.Folder, "racy", "ledger.db");
            var opened = System.Threading.Tasks.Parallel.For(0, 8, _ => new SqliteLedger(path).Dispose());
            Assert.True(opened.IsCompleted);
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) Assert.Equal("600", Mode(path));
        }
    }
}
