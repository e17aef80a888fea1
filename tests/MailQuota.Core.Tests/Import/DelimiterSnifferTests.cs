using MailQuota.Core.Import;

namespace MailQuota.Core.Tests.Import
{
    public sealed class DelimiterSnifferTests
    {
        [Theory]
        [InlineData("Email;Name;Amount\r\na@x.test;Zoë;1,50\r\nb@x.test;Bo;2,75\r\n", ';')]
        [InlineData("Email,Name\r\na@x.test,\"Müller; Hans\"\r\nb@x.test,\"Li; Na\"\r\n", ',')]
        [InlineData("Email\tName\r\na@x.test\tZhang, Wei\r\nb@x.test\tLi, Na\r\n", '\t')]
        [InlineData("Email|Name\na@x.test|A\n", '|')]
        [InlineData("Email,Name\r\na@x.test,Müller, Hans\r\nb@x.test,Bo\r\nc@x.test,Cy\r\n", ',')]
        public void Picks_the_delimiter_that_splits_the_lines_like_the_header(string sample, char expected)
        {
            Assert.Equal(expected, DelimiterSniffer.Sniff(sample));
        }

        [Fact]
        public void A_one_column_file_has_no_delimiter()
        {
            Assert.Null(DelimiterSniffer.Sniff("Email\r\na@x.test\r\n"));
        }

        [Fact]
        public void Ties_go_to_the_delimiter_that_gives_the_header_more_fields()
        {
            // One comma and two semicolons on every line: semicolon-separated with a comma in one column.
            Assert.Equal(';', DelimiterSniffer.Sniff("Email;Name, First;City\r\na@x.test;Hans, M;Berlin\r\n"));
        }

        [Fact]
        public void A_sample_cut_inside_a_line_uses_the_complete_lines_only()
        {
            Assert.Equal(';', DelimiterSniffer.Sniff("Email;Name\r\na@x.test;A\r\nb@x.test,b,c,d,e,f"));
        }
    }
}
