using System;
using System.Collections.Generic;
using System.Text;
using MailQuota.Core.Import;

namespace MailQuota.Core.Tests.Import
{
    public sealed class RecipientFileTests : IDisposable
    {
        readonly TempFiles _files = new TempFiles();

        public void Dispose() => _files.Dispose();

        const string Staff = "Email,Name,Department\r\nzhang.wei@example.test,张伟,财务部\r\nzoe@example.test,Zoë Brandt,Ventes\r\n";

        static List<string[]> ReadAll(RecipientFile file)
        {
            var rows = new List<string[]>();
            while (file.Read()) rows.Add(file.Fields);
            return rows;
        }

        public static IEnumerable<object[]> Encodings() => new[]
        {
            new object[] { "utf8-nobom", "utf-8", false, EncodingSource.Utf8 },
            new object[] { "utf8-bom", "utf-8", true, EncodingSource.ByteOrderMark },
            new object[] { "utf16le", "utf-16", true, EncodingSource.ByteOrderMark },
            new object[] { "utf16be", "utf-16BE", true, EncodingSource.ByteOrderMark },
            new object[] { "utf32le", "utf-32", true, EncodingSource.ByteOrderMark },
            new object[] { "gb18030", "gb18030", false, EncodingSource.Gb18030Fallback },
        };

        [Theory]
        [MemberData(nameof(Encodings))]
        public void Chinese_and_accented_names_come_out_intact_in_every_encoding(string label, string encodingName, bool bom, EncodingSource expected)
        {
            var encoding = encodingName == "gb18030" ? TempFiles.Gb18030 : Encoding.GetEncoding(encodingName);
            var path = _files.Write(label + ".csv", Staff, encoding, bom);
            using var file = RecipientFile.Open(path, new RecipientImportOptions());
            Assert.Equal(expected, file.Encoding.Source);
            var rows = ReadAll(file);
            Assert.Equal(2, rows.Count);
            Assert.Equal(new[] { "zhang.wei@example.test", "张伟", "财务部" }, rows[0]);
            Assert.Equal(new[] { "zoe@example.test", "Zoë Brandt", "Ventes" }, rows[1]);
            Assert.Equal(new[] { "Email", "Name", "Department" }, file.Columns.Headers);
        }

        [Fact]
        public void A_GB18030_file_says_from_which_line_it_is_not_UTF8()
        {
            var text = "Email,Name\r\na@example.test,Anna\r\nb@example.test,Bo\r\nzw@example.test,张伟\r\n";
            var path = _files.Write("gbk.csv", text, TempFiles.Gb18030);
            using var file = RecipientFile.Open(path, new RecipientImportOptions());
            Assert.Equal(EncodingSource.Gb18030Fallback, file.Encoding.Source);
            Assert.Equal(4, file.Encoding.FirstNonUtf8Line);
            Assert.Equal("张伟", ReadAll(file)[2][1]);
        }

        [Theory]
        [InlineData(';')]
        [InlineData('\t')]
        [InlineData('|')]
        [InlineData(',')]
        public void The_delimiter_is_sniffed(char delimiter)
        {
            var text = Staff.Replace(',', delimiter);
            var path = _files.WriteUtf8("d.csv", text);
            using var file = RecipientFile.Open(path, new RecipientImportOptions());
            Assert.Equal(delimiter, file.Delimiter);
            Assert.True(file.DelimiterSniffed);
            Assert.Equal("Zoë Brandt", ReadAll(file)[1][1]);
        }

        [Fact]
        public void A_given_delimiter_overrides_sniffing()
        {
            // Every line has one semicolon and two commas: sniffing would pick the comma.
            var path = _files.WriteUtf8("given.csv", "Email;Note\r\na@example.test;x, y, z\r\n");
            using var file = RecipientFile.Open(path, new RecipientImportOptions { Delimiter = ';' });
            Assert.False(file.DelimiterSniffed);
            Assert.Equal(new[] { "a@example.test", "x, y, z" }, ReadAll(file)[0]);
        }

        [Fact]
        public void Quoted_fields_keep_delimiters_quotes_and_line_breaks_and_lines_are_counted_right()
        {
            var text = "Email,Name,Note\r\n"
                + "a@example.test,\"Zhang, Wei\",\"first line\r\nsecond line\"\r\n"
                + "\r\n"
                + "b@example.test,\"Bo \"\"the boss\"\"\",plain\r\n"
                + "c@example.test,Cy,\"three\nlines\nhere\"\n"
                + "d@example.test,Di,end";
            var path = _files.WriteUtf8("quoted.csv", text);
            using var file = RecipientFile.Open(path, new RecipientImportOptions());
            var lines = new List<int>();
            var rows = new List<string[]>();
            while (file.Read()) { rows.Add(file.Fields); lines.Add(file.Line); }
            Assert.Equal(new[] { 2, 5, 6, 9 }, lines);
            Assert.Equal("Zhang, Wei", rows[0][1]);
            Assert.Equal("first line\r\nsecond line", rows[0][2]);
            Assert.Equal("Bo \"the boss\"", rows[1][1]);
            Assert.Equal("three\nlines\nhere", rows[2][2]);
            Assert.Equal(new[] { "d@example.test", "Di", "end" }, rows[3]);
        }

        [Fact]
        public void Trailing_empty_columns_are_dropped_from_the_header_and_allowed_in_rows()
        {
            var path = _files.WriteUtf8("trailing.csv", "Email;Name;;;\r\na@example.test;Anna;;;\r\nb@example.test;Bo\r\n");
            using var file = RecipientFile.Open(path, new RecipientImportOptions());
            Assert.Equal(new[] { "Email", "Name" }, file.Columns.Headers);
            var rows = ReadAll(file);
            Assert.Equal("Anna", rows[0][1]);
            Assert.Equal(2, rows[1].Length);
        }

        [Theory]
        [InlineData("邮箱,姓名", "邮箱", "姓名")]
        [InlineData("E-mail,Full Name", "E-mail", "Full Name")]
        [InlineData(" Email ,Display_Name", "Email", "Display_Name")]
        [InlineData("电子邮箱,名字", "电子邮箱", "名字")]
        [InlineData("ＥＭＡＩＬ,NAME", "ＥＭＡＩＬ", "NAME")]
        public void Address_and_name_headers_are_found_behind_a_byte_order_mark(string header, string address, string name)
        {
            var path = _files.Write("h.csv", header + "\r\nzw@example.test,张伟\r\n", new UTF8Encoding(true), bom: true);
            using var file = RecipientFile.Open(path, new RecipientImportOptions());
            Assert.Equal(address, file.Columns.AddressHeader);
            Assert.Equal(name, file.Columns.NameHeader);
            Assert.True(file.Read());
            Assert.Equal("zw@example.test", file.Fields[file.Columns.AddressIndex]);
        }

        [Fact]
        public void A_stray_byte_order_mark_inside_a_UTF16_header_is_removed()
        {
            // A BOM written twice (once by the tool, once by a careless export).
            var path = _files.Write("bom2.csv", "\uFEFF Email ,Name\r\na@example.test,A\r\n", Encoding.Unicode, bom: true);
            using var file = RecipientFile.Open(path, new RecipientImportOptions());
            Assert.Equal("Email", file.Columns.AddressHeader);
        }

        [Fact]
        public void A_file_with_no_address_column_is_refused_with_its_columns_named()
        {
            var path = _files.WriteUtf8("none.csv", "Login,Dept\r\nzw,IT\r\n");
            var e = Assert.Throws<RecipientFileException>(() => RecipientFile.Open(path, new RecipientImportOptions()));
            Assert.Equal("NoAddressColumn", e.ErrorId);
            Assert.Contains("'Login', 'Dept'", e.Message);
            Assert.Contains(path, e.Message);
        }

        [Fact]
        public void An_unknown_AddressColumn_is_refused()
        {
            var path = _files.WriteUtf8("c.csv", "Email,Name\r\na@example.test,A\r\n");
            var e = Assert.Throws<RecipientFileException>(() => RecipientFile.Open(path, new RecipientImportOptions { AddressColumn = "Work Mail" }));
            Assert.Equal("NoSuchColumn", e.ErrorId);
        }

        [Fact]
        public void UTF16_without_a_byte_order_mark_gets_a_hint()
        {
            var path = _files.Write("u16.csv", "Email,Name\r\na@example.test,A\r\n", Encoding.Unicode);
            var e = Assert.Throws<RecipientFileException>(() => RecipientFile.Open(path, new RecipientImportOptions()));
            Assert.Contains("read it as Unicode", e.Message);
            using var file = RecipientFile.Open(path, new RecipientImportOptions { Encoding = Encoding.Unicode });
            Assert.Equal("Email", file.Columns.AddressHeader);
        }

        [Fact]
        public void An_empty_file_is_refused()
        {
            var path = _files.WriteUtf8("empty.csv", "");
            Assert.Equal("EmptyFile", Assert.Throws<RecipientFileException>(() => RecipientFile.Open(path, new RecipientImportOptions())).ErrorId);
        }

        [Fact]
        public void A_quote_that_is_never_closed_stops_the_file_with_the_line_it_started_on()
        {
            var text = new StringBuilder("Email,Name\r\na@example.test,A\r\nb@example.test,\"never closed\r\n");
            while (text.Length < RecipientFile.MaxFieldLength + 100) text.Append("c@example.test,C\r\n");
            var path = _files.WriteUtf8("open.csv", text.ToString());
            using var file = RecipientFile.Open(path, new RecipientImportOptions());
            Assert.True(file.Read());
            var e = Assert.Throws<RecipientFileException>(() => file.Read());
            Assert.Equal("FieldTooLong", e.ErrorId);
            Assert.Contains("from line 3 on", e.Message);
        }

        [Fact]
        public void A_list_of_bare_addresses_has_no_header()
        {
            var path = _files.WriteUtf8("list.txt", "a@example.test\r\nb@example.test\r\n");
            using var file = RecipientFile.Open(path, new RecipientImportOptions());
            Assert.False(file.Columns.HasHeader);
            Assert.Equal("Column1", file.Columns.AddressHeader);
            var lines = new List<int>();
            var rows = new List<string>();
            while (file.Read()) { rows.Add(file.Fields[0]); lines.Add(file.Line); }
            Assert.Equal(new[] { "a@example.test", "b@example.test" }, rows);
            Assert.Equal(new[] { 1, 2 }, lines);
        }

        [Fact]
        public void A_given_encoding_overrides_detection_and_skips_its_own_byte_order_mark()
        {
            var path = _files.Write("given.csv", Staff, new UTF8Encoding(true), bom: true);
            using var file = RecipientFile.Open(path, new RecipientImportOptions { Encoding = TextEncodings.Resolve("utf8") });
            Assert.Equal(EncodingSource.Given, file.Encoding.Source);
            Assert.Null(file.Encoding.ContradictingByteOrderMark);
            Assert.Equal("Email", file.Columns.Headers[0]);
        }

        [Fact]
        public void A_given_encoding_that_contradicts_the_byte_order_mark_is_reported()
        {
            var path = _files.Write("contra.csv", Staff, Encoding.Unicode, bom: true);
            using var stream = System.IO.File.OpenRead(path);
            var detected = EncodingDetector.Detect(stream, TempFiles.Gb18030);
            Assert.Equal("utf-16", detected.ContradictingByteOrderMark);
            Assert.Equal(0, detected.PreambleLength);
            Assert.Equal(0, stream.Position);
        }
    }
}
