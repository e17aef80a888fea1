using System;
using System.IO;
using MailQuota.Core.Content;
using MailQuota.Core.Mail;
using Xunit;

namespace MailQuota.Core.Tests
{
    /// <summary>The text-only entry points the cmdlets use, so that they never name MimeKit or MailKit types.</summary>
    public sealed class TextEntryPointTests
    {
        [Theory]
        [InlineData("IT Notices <notices@contoso.com>", "notices@contoso.com")]
        [InlineData("notices@contoso.com", "notices@contoso.com")]
        public void Reads_one_mailbox_as_its_bare_address(string text, string address)
        {
            Assert.True(MailAddressRule.TryParseAddress(text, out var parsed));
            Assert.Equal(address, parsed);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("notices")]
        [InlineData("@contoso.com")]
        [InlineData("a@contoso.com, b@contoso.com")]
        public void Refuses_anything_but_one_mailbox_with_an_address(string? text)
        {
            Assert.False(MailAddressRule.TryParseAddress(text, out _));
        }

        [Fact]
        public void A_template_takes_From_and_UndisclosedTo_as_text()
        {
            var template = new MessageTemplate("IT <it@contoso.com>", "s", "b", null);
            template.SetUndisclosedTo("Staff <staff@contoso.com>");
            Assert.Equal("it@contoso.com", template.From.Address);
            Assert.Equal("IT", template.From.Name);
            Assert.Equal("staff@contoso.com", template.UndisclosedTo!.Address);
            Assert.Throws<ArgumentException>(() => new MessageTemplate("it.contoso.com", "s", "b", null));
            Assert.Throws<ArgumentException>(() => template.SetUndisclosedTo("staff"));
        }

        [Fact]
        public void An_eml_file_becomes_a_content_sample_with_its_sender()
        {
            var path = Path.Combine(Path.GetTempPath(), $"mq-{Guid.NewGuid():N}.eml");
            File.WriteAllText(path, "From: HR <HR@Example.test>\r\nTo: a@example.test\r\nSubject: Payslip\r\nMessage-ID: <m1@example.test>\r\n\r\nYour payslip is ready.\r\n");
            try
            {
                var sample = EmlFile.Read(7, path, out var sender);
                Assert.Equal("hr@example.test", sender);
                Assert.Equal(7, sample.Row);
                Assert.Equal(path, sample.Source);
                Assert.Equal("m1@example.test", sample.MessageId);
            }
            finally { File.Delete(path); }
        }
    }
}
