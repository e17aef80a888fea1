using MailQuota.Core.Import;

namespace MailQuota.Core.Tests.Import
{
    public sealed class RecipientAddressTests
    {
        [Theory]
        [InlineData("zhang.wei@example.com", "zhang.wei@example.com")]
        [InlineData("  zoe@example.com\u00A0", "zoe@example.com")]
        [InlineData("zoë@bücher.de", "zoë@bücher.de")]
        [InlineData("用户@例子.中国", "用户@例子.中国")]
        [InlineData("\"john smith\"@example.com", "\"john smith\"@example.com")]
        [InlineData("ops@[192.0.2.1]", "ops@[192.0.2.1]")]
        public void Valid_addresses_including_international_ones(string cell, string address)
        {
            var a = RecipientAddress.Check(cell, out var id, out var reason);
            Assert.True(a != null, reason);
            Assert.Equal(address, a!.Address);
            Assert.False(a.Corrected);
            Assert.Equal("", id);
        }

        [Theory]
        [InlineData("", "NoAddress", "empty")]
        [InlineData("zhang.wei.example.com", "InvalidAddress", "it has no @")]
        [InlineData("zhang@", "InvalidAddress", "nothing comes after the @")]
        [InlineData("@example.com", "InvalidAddress", "nothing comes before the @")]
        [InlineData("a@b@example.com", "InvalidAddress", "more than one @")]
        [InlineData("a@example.com; b@example.com", "InvalidAddress", "more than one address")]
        [InlineData("zhang wei@example.com", "InvalidAddress", "contains a space")]
        [InlineData("zhang@gmailcom", "InvalidAddress", "has no dot")]
        [InlineData("zhang@-example.com", "InvalidAddress", "not a valid host name ('-example')")]
        [InlineData("zhang@example..com", "InvalidAddress", "MimeKit")]
        [InlineData("zhang@10.0.0.1", "InvalidAddress", "ends in a number")]
        [InlineData("a\r\nBcc: all@example.com", "HeaderInjection", "line break")]
        public void Invalid_addresses_say_why(string cell, string errorId, string because)
        {
            Assert.Null(RecipientAddress.Check(cell, out var id, out var reason));
            Assert.Equal(errorId, id);
            Assert.Contains(because, reason);
        }

        [Theory]
        [InlineData("zhang＠example．com", "zhang@example.com")]
        [InlineData("li@例子。中国", "li@例子.中国")]
        [InlineData("mailto:ops@example.com", "ops@example.com")]
        public void Obvious_slips_are_corrected_and_marked(string cell, string address)
        {
            var a = RecipientAddress.Check(cell, out _, out var reason);
            Assert.True(a != null, reason);
            Assert.Equal(address, a!.Address);
            Assert.True(a.Corrected);
        }

        [Fact]
        public void A_display_name_in_the_cell_is_kept()
        {
            var a = RecipientAddress.Check("Zhang Wei <zw@example.com>", out _, out _);
            Assert.Equal("zw@example.com", a!.Address);
            Assert.Equal("Zhang Wei", a.Name);
        }

        [Fact]
        public void The_fingerprint_ignores_case_and_the_form_of_the_domain()
        {
            var a = RecipientAddress.Check("Zoe@Bücher.DE", out _, out _)!;
            Assert.Equal(a.Fingerprint, RecipientAddress.Check("zoe@bücher.de", out _, out _)!.Fingerprint);
            Assert.Equal(a.Fingerprint, RecipientAddress.Check("ZOE@xn--bcher-kva.de", out _, out _)!.Fingerprint);
            Assert.NotEqual(a.Fingerprint, RecipientAddress.Check("zoe2@bücher.de", out _, out _)!.Fingerprint);
            Assert.NotEqual(a.Fingerprint, RecipientAddress.Check("zoe@bucher.de", out _, out _)!.Fingerprint);
        }
    }
}
