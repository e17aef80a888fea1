using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using MailQuota.Core.Import;

namespace MailQuota.Core.Tests.Import
{
    public sealed class RecipientImportTests : IDisposable
    {
        readonly TempFiles _files = new TempFiles();

        public void Dispose() => _files.Dispose();

        (List<ImportedRow> Rows, ImportSummary Summary) Import(string path, SuppressionList? exclusions = null, RecipientImportOptions? options = null)
        {
            var import = new RecipientImport(exclusions ?? new SuppressionList());
            var summary = new ImportSummary(path);
            using var file = RecipientFile.Open(path, options ?? new RecipientImportOptions());
            return (import.Read(file, summary, CancellationToken.None).ToList(), summary);
        }

        [Fact]
        public void Five_invalid_addresses_and_three_duplicates_leave_the_rest_with_lines_and_counts()
        {
            var path = _files.WriteUtf8("mixed.csv", string.Join("\r\n",
                "Email,Name,City",
                "zhang.wei@example.test,张伟,上海",          // 2
                "zoe@example.test,Zoë,Zürich",               // 3
                "zhang.wei.example.test,Bad One,x",          // 4 invalid: no @
                "ZHANG.WEI@example.test,张伟 again,x",        // 5 duplicate (case)
                "li.na@,Bad Two,x",                          // 6 invalid
                "li.na@example.test,李娜,北京",               // 7
                "\"multi\r\nline\"@example.test,Bad Three,x", // 8-9 invalid: a line break in the address
                "Zoe@Example.Test,Zoë again,x",              // 10 duplicate
                ",No Address,x",                             // 11 invalid: empty
                "wang fang@example.test,Bad Five,x",         // 12 invalid
                "li.na@EXAMPLE.test,李娜 again,x",            // 13 duplicate
                "anna@example.test,Anna,Oslo",               // 14
                "") );
            var (rows, summary) = Import(path);

            var good = rows.Where(r => r.IsValid).ToList();
            Assert.Equal(new[] { "zhang.wei@example.test", "zoe@example.test", "li.na@example.test", "anna@example.test" }, good.Select(r => r.Address));
            Assert.Equal(new[] { "张伟", "Zoë", "李娜", "Anna" }, good.Select(r => r.Name));

            var bad = rows.Where(r => !r.IsValid).ToList();
            Assert.Equal(new[] { 4, 6, 8, 11, 12 }, bad.Select(r => r.Line));
            Assert.Equal(new[] { "InvalidAddress", "InvalidAddress", "HeaderInjection", "NoAddress", "InvalidAddress" }, bad.Select(r => r.ErrorId));
            Assert.Contains("'zhang.wei.example.test' is not a valid e-mail address: it has no @", bad[0].Reason);
            Assert.Contains("column 'Email' is empty", bad[3].Reason);

            Assert.Equal(3, summary.Duplicates);
            Assert.Equal(new[] { 5, 10, 13 }, summary.DuplicateLines);
            Assert.Equal(12, summary.Rows);
            Assert.Equal(4, summary.Imported);
            Assert.Equal(5, summary.Refused);
        }

        [Fact]
        public void Duplicates_are_dropped_across_the_files_of_one_run()
        {
            var first = _files.WriteUtf8("1.csv", "Email\r\na@example.test\r\n");
            var second = _files.WriteUtf8("2.csv", "Mail\r\nA@EXAMPLE.TEST\r\nb@example.test\r\n");
            var import = new RecipientImport(new SuppressionList());
            var s2 = new ImportSummary(second);
            using (var f = RecipientFile.Open(first, new RecipientImportOptions())) import.Read(f, new ImportSummary(first), CancellationToken.None).ToList();
            using (var f = RecipientFile.Open(second, new RecipientImportOptions()))
                Assert.Equal(new[] { "b@example.test" }, import.Read(f, s2, CancellationToken.None).Select(r => r.Address));
            Assert.Equal(1, s2.Duplicates);
        }

        [Fact]
        public void A_suppression_file_and_hard_bounces_exclude_addresses_in_any_case()
        {
            var path = _files.WriteUtf8("r.csv", "Email\r\na@example.test\r\nB@example.test\r\nc@example.test\r\nd@example.test\r\n");
            var list = _files.WriteUtf8("suppress.txt", "b@EXAMPLE.test\r\nnot an address\r\n\r\n");
            var exclusions = new SuppressionList();
            var loaded = exclusions.AddFile(list, CancellationToken.None);
            Assert.Equal(1, loaded.Imported);
            Assert.Equal(1, loaded.Refused);
            Assert.Equal(new[] { 2 }, loaded.RefusedLines);
            Assert.Equal(1, exclusions.AddBounces(new Bounces("D@example.test")));

            var (rows, summary) = Import(path, exclusions);
            Assert.Equal(new[] { "a@example.test", "c@example.test" }, rows.Select(r => r.Address));
            Assert.Equal(2, summary.Excluded);
        }

        [Fact]
        public void A_suppression_export_with_a_header_uses_its_address_column()
        {
            var list = _files.WriteUtf8("ses.csv", "Reason;EmailAddress;LastUpdate\r\nBOUNCE;gone@example.test;2026-01-01\r\n");
            var exclusions = new SuppressionList();
            Assert.Equal(1, exclusions.AddFile(list, CancellationToken.None).Imported);
            Assert.True(exclusions.Contains(RecipientAddress.Check("GONE@example.test", out _, out _)!.Fingerprint));
        }

        [Fact]
        public void A_row_with_more_values_than_the_header_is_refused_and_empty_rows_are_skipped()
        {
            var path = _files.WriteUtf8("shift.csv", "Email,Name\r\na@example.test,Müller, Hans\r\nb@example.test,Bo,,\r\n,,\r\n");
            var (rows, summary) = Import(path);
            Assert.Equal("ColumnCount", rows[0].ErrorId);
            Assert.Contains("3 fields but the header has 2", rows[0].Reason);
            Assert.True(rows[1].IsValid);
            Assert.Equal(2, rows.Count);
            Assert.Equal(1, summary.EmptyRows);
        }

        [Fact]
        public void A_name_with_a_line_break_is_refused()
        {
            var path = _files.WriteUtf8("n.csv", "Email,Name\r\na@example.test,\"Bob\r\nBcc: all@example.test\"\r\n");
            var (rows, _) = Import(path);
            Assert.Equal("HeaderInjection", rows.Single().ErrorId);
        }

        [Fact]
        public void Corrections_are_counted_with_examples()
        {
            var path = _files.WriteUtf8("c.csv", "Email\r\nzhang＠example．com\r\nok@example.test\r\n");
            var (rows, summary) = Import(path);
            Assert.Equal("zhang@example.com", rows[0].Address);
            Assert.Equal(1, summary.Corrected);
            Assert.Equal("line 2: 'zhang＠example．com' → 'zhang@example.com'", summary.Corrections.Single());
        }

        [Fact]
        public void The_name_comes_from_the_cell_when_the_file_has_no_name_column()
        {
            var path = _files.WriteUtf8("n.csv", "To\r\nZhang Wei <zw@example.test>\r\n");
            var (rows, _) = Import(path);
            Assert.Equal("zw@example.test", rows[0].Address);
            Assert.Equal("Zhang Wei", rows[0].Name);
        }

        [Fact]
        public void Columns_keep_their_headers_and_collisions_are_renamed_with_a_note()
        {
            var path = _files.WriteUtf8("cols.csv", "Work Mail,Email,To,Name,Dept,,Dept\r\nw@example.test,e@example.test,t@example.test,N,IT,x,HR\r\n");
            using var file = RecipientFile.Open(path, new RecipientImportOptions { AddressColumn = "work mail" });
            var columns = file.Columns;
            Assert.Equal("Work Mail", columns.AddressHeader);
            Assert.Equal("Name", columns.NameHeader);
            Assert.Equal(new[] { "Work Mail", "Email_2", "To_3", "Dept", "Column6", "Dept_7" }, columns.Properties.Select(p => p.Name));
            Assert.Equal(4, columns.Notes.Count);
            Assert.Contains(columns.Notes, n => n.Contains("column 2 'Email' is not the address column"));
        }

        [Fact]
        public void The_address_column_named_Email_or_To_is_not_repeated()
        {
            var path = _files.WriteUtf8("to.csv", "to,name,Amount\r\na@example.test,A,1\r\n");
            using var file = RecipientFile.Open(path, new RecipientImportOptions());
            Assert.Equal(new[] { "Amount" }, file.Columns.Properties.Select(p => p.Name));
        }

        [Fact]
        public void Reading_stops_when_cancelled()
        {
            var path = _files.WriteUtf8("c.csv", "Email\r\na@example.test\r\nb@example.test\r\n");
            using var cancel = new CancellationTokenSource();
            using var file = RecipientFile.Open(path, new RecipientImportOptions());
            var rows = new RecipientImport(new SuppressionList()).Read(file, new ImportSummary(path), cancel.Token);
            using var e = rows.GetEnumerator();
            Assert.True(e.MoveNext());
            cancel.Cancel();
            Assert.Throws<OperationCanceledException>(() => e.MoveNext());
        }

        sealed class Bounces : IBounceSource
        {
            readonly string[] _recipients;
            public Bounces(params string[] recipients) => _recipients = recipients;
            public IEnumerable<string> HardBouncedRecipients() => _recipients;
        }
    }
}
