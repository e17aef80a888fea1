using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using MailQuota.Core.Monitoring;
using MailQuota.Core.Quota;
using MailQuota.Core.Storage.Sqlite;

namespace MailQuota.Core.Tests
{
    /// <summary>
    /// A ledger file's go-aheads are appended to a journal beside it, not written into it: the row reads
    /// Unknown from the go-ahead on, a closing connection folds its journal in, and the journal of a
    /// process killed after a go-ahead keeps its row from being sent again, then is folded in by the
    /// next process that opens the ledger. The server's acceptance is appended too, so a Sent the run
    /// holds back for its next reservation's commit is not lost with the process.
    /// </summary>
    public sealed class GoAheadJournalTests : IDisposable
    {
        readonly TempLedger _file = new TempLedger();
        readonly SqliteLedger _ledger;
        readonly DateTimeOffset _at = new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

        public GoAheadJournalTests() => _ledger = new SqliteLedger(_file.Path);

        public void Dispose() { _ledger.Dispose(); _file.Dispose(); }

        long Reserve(string row) => _ledger.ReserveRow("hr@example.test", "c", row, _at);

        object? Scalar(string sql)
        {
            using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_file.Path};Pooling=False");
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = sql;
            return cmd.ExecuteScalar();
        }

        string[] Journals() => Directory.GetFiles(_file.Folder, "ledger.db-goahead-*.log");

        static string OwnerOf(Process process) => MailQuota.Core.Storage.ProcessIdentity.Of(process);

        [Fact]
        public void A_go_ahead_makes_the_row_Unknown_at_once_and_the_closing_connection_folds_its_journal_into_the_ledger()
        {
            var handedOver = Reserve("a@example.test");
            var answered = Reserve("b@example.test");
            var handovers = _ledger.OpenAnother();
            handovers.HandOver(handedOver, _at.AddSeconds(1), 2);
            handovers.HandOver(answered, _at.AddSeconds(2), 1);
            _ledger.Complete(answered, SendStatus.Sent, _at.AddSeconds(3), "250 2.0.0 Ok", 1);

            Assert.Equal(SendStatus.Unknown, _ledger.FindRow("c", "a@example.test")!.Status);   // killed now, it is not sent again
            Assert.Equal("InFlight", Scalar($"SELECT status FROM sends WHERE id={handedOver}"));   // the ledger file was not written
            Assert.Single(Journals());

            handovers.Dispose();

            Assert.Empty(Journals());
            Assert.Equal("Unknown|handed to the server; the run ended before its reply was recorded|2|" + _at.AddSeconds(1).ToUnixTimeMilliseconds(),
                Scalar($"SELECT status || '|' || reply || '|' || attempts || '|' || completed_at FROM sends WHERE id={handedOver}"));
            Assert.Equal("Sent", Scalar($"SELECT status FROM sends WHERE id={answered}"));   // an outcome recorded stays
        }

        [Fact]
        public void A_killed_process_journal_keeps_its_handed_over_row_Unknown_and_the_next_ledger_opened_folds_it_in()
        {
            // a real `sleep` process owns the rows (Unix); the host's start time is read on Linux (and Windows)
            if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux)) return;
            var before = Reserve("before@example.test");   // killed before its go-ahead
            var after = Reserve("after@example.test");     // killed after it
            var alive = Reserve("alive@example.test");     // handed over by a process that runs on
            using var killed = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
            using var running = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
            try
            {
                Scalar($"UPDATE sends SET owner='{OwnerOf(killed)}' WHERE id IN ({before}, {after})");
                Scalar($"UPDATE sends SET owner='{OwnerOf(running)}' WHERE id={alive}");
                // as each process's connection wrote them: its owner, then a line per go-ahead; the kill cut the last one short
                File.WriteAllText(_file.Path + "-goahead-1.log", $"{OwnerOf(killed)}\n{after} 1 {_at.ToUnixTimeMilliseconds()}\n{before} 1 17");
                File.WriteAllText(_file.Path + "-goahead-2.log", $"{OwnerOf(running)}\n{alive} 1 {_at.ToUnixTimeMilliseconds()}\n");
                killed.Kill();
                killed.WaitForExit();

                var beforeRow = _ledger.FindRow("c", "before@example.test")!;
                Assert.True(beforeRow.Abandoned);                                    // a plain rerun sends it again
                Assert.Equal(SendStatus.Unknown, _ledger.FindRow("c", "after@example.test")!.Status);
                Assert.False(_ledger.FindRow("c", "after@example.test")!.Abandoned); // not sent again without -RetryUnknown
                Assert.Equal(SendStatus.Unknown, _ledger.FindRow("c", "alive@example.test")!.Status);

                using (new SqliteLedger(_file.Path)) { }   // the next process to open the ledger

                Assert.Equal(new[] { _file.Path + "-goahead-2.log" }, Journals());   // the running process's journal stays
                Assert.Equal("Unknown", Scalar($"SELECT status FROM sends WHERE id={after}"));
                Assert.Equal("InFlight", Scalar($"SELECT status FROM sends WHERE id={before}"));
                Assert.Equal("InFlight", Scalar($"SELECT status FROM sends WHERE id={alive}"));
                Assert.True(_ledger.FindRow("c", "before@example.test")!.Abandoned);
            }
            finally { running.Kill(); }
        }

        [Fact]
        public void A_Sent_held_back_is_written_in_the_next_reservations_transaction_or_when_asked()
        {
            var first = Reserve("a@example.test");
            var handovers = _ledger.OpenAnother();
            handovers.HandOver(first, _at.AddSeconds(1), 1);
            handovers.Delivered(first, _at.AddSeconds(2), 1, "250 2.0.0 Ok: queued as A");
            _ledger.CompleteSent(first, _at.AddSeconds(2), "250 2.0.0 Ok: queued as A", 1);

            Assert.Equal("InFlight", Scalar($"SELECT status FROM sends WHERE id={first}"));   // held back
            var read = _ledger.FindRow("c", "a@example.test")!;                                 // its journal says taken
            Assert.Equal((SendStatus.Sent, "250 2.0.0 Ok: queued as A"), (read.Status, read.Reply));

            var second = Reserve("b@example.test");

            Assert.Equal("Sent|250 2.0.0 Ok: queued as A|" + _at.AddSeconds(2).ToUnixTimeMilliseconds(),
                Scalar($"SELECT status || '|' || reply || '|' || completed_at FROM sends WHERE id={first}"));
            _ledger.CompleteSent(second, _at.AddSeconds(3), "250 2.0.0 Ok: queued as B", 1);
            Assert.Equal("InFlight", Scalar($"SELECT status FROM sends WHERE id={second}"));
            Assert.Equal(2, _ledger.RepliesSince("hr@example.test", _at.AddHours(-1)).Finished);   // the volume check writes it first
            Assert.Equal("Sent", Scalar($"SELECT status FROM sends WHERE id={second}"));
            var third = Reserve("c@example.test");
            _ledger.CompleteSent(third, _at.AddSeconds(4), "250 2.0.0 Ok: queued as C", 1);
            _ledger.WriteHeldOutcomes();
            Assert.Equal("Sent", Scalar($"SELECT status FROM sends WHERE id={third}"));
            handovers.Dispose();
            Assert.Equal("Sent|250 2.0.0 Ok: queued as A", Scalar($"SELECT status || '|' || reply FROM sends WHERE id={first}"));   // the fold leaves it be
        }

        [Fact]
        public void The_send_log_of_another_process_reads_a_Sent_held_back_as_Sent_and_a_message_on_the_wire_InFlight()
        {
            var taken = Reserve("a@example.test");
            var onTheWire = Reserve("b@example.test");
            var handovers = _ledger.OpenAnother();
            handovers.HandOver(taken, _at.AddSeconds(1), 1);
            handovers.Delivered(taken, _at.AddSeconds(2), 1, "250 2.0.0 Ok: queued as A");
            _ledger.CompleteSent(taken, _at.AddSeconds(2), "250 2.0.0 Ok: queued as A", 1);   // held until the next reservation
            handovers.HandOver(onTheWire, _at.AddSeconds(3), 1);

            using var auditor = new SqliteLedger(_file.Path);   // Get-SendLog in another window
            string Read(params SendStatus[] statuses) => string.Join(", ", auditor.ReadSendLog(new SendLogQuery { Statuses = statuses })
                .Select(e => $"{e.Recipient} {e.Status} {e.Reply} {e.Time.ToUnixTimeMilliseconds() - _at.ToUnixTimeMilliseconds()}"));

            Assert.Equal("InFlight", Scalar($"SELECT status FROM sends WHERE id={taken}"));   // the table still says InFlight
            Assert.Equal("a@example.test Sent 250 2.0.0 Ok: queued as A 2000, b@example.test InFlight  0", Read());
            Assert.Equal("a@example.test Sent 250 2.0.0 Ok: queued as A 2000", Read(SendStatus.Sent));
            Assert.Equal("b@example.test InFlight  0", Read(SendStatus.InFlight));
            Assert.Equal("", Read(SendStatus.Failed));
            handovers.Dispose();
        }

        [Fact]
        public void A_killed_process_journal_makes_a_row_the_server_took_Sent_and_one_only_handed_over_Unknown()
        {
            if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux)) return;
            var taken = Reserve("taken@example.test");       // the server took it; the run had not written its Sent
            var handedOver = Reserve("handed@example.test"); // killed after its go-ahead, before the reply
            var cut = Reserve("cut@example.test");           // killed while its acceptance was being written
            using var killed = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
            Scalar($"UPDATE sends SET owner='{OwnerOf(killed)}' WHERE id IN ({taken}, {handedOver}, {cut})");
            var ms = _at.ToUnixTimeMilliseconds();
            File.WriteAllText(_file.Path + "-goahead-1.log",
                $"{OwnerOf(killed)}\n{taken} 1 {ms}\n{cut} 2 {ms}\n{taken} 1 {ms + 5} Sent 250 2.0.0 Ok: queued as 7F3A\n{handedOver} 1 {ms}\n{cut} 2 {ms + 9} Sent 250 2.0");
            killed.Kill();
            killed.WaitForExit();

            using (new SqliteLedger(_file.Path)) { }   // the next process to open the ledger

            Assert.Empty(Journals());
            Assert.Equal($"Sent|250 2.0.0 Ok: queued as 7F3A|{ms + 5}", Scalar($"SELECT status || '|' || reply || '|' || completed_at FROM sends WHERE id={taken}"));
            Assert.Equal("Unknown", Scalar($"SELECT status FROM sends WHERE id={handedOver}"));
            Assert.Equal("Unknown|2", Scalar($"SELECT status || '|' || attempts FROM sends WHERE id={cut}"));
            Assert.Equal(SendStatus.Sent, _ledger.FindRow("c", "taken@example.test")!.Status);
        }
    }
}
