using System;
using System.Collections.Generic;
using System.Linq;
using MailQuota.Core.Mail;
using MimeKit;

namespace MailQuota.Core.Tests
{
    public sealed class MessageComposerTests
    {
        static readonly MailboxAddress From = new MailboxAddress("HR", "hr@example.test");

        static Dictionary<string, string?> Row(params (string, string?)[] pairs)
        {
            var d = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var (k, v) in pairs) d[k] = v;
            return d;
        }

        [Fact]
        public void Merge_fields_are_case_insensitive_and_tolerate_spaces()
        {
            var t = new MergeTemplate("Dear {{ name }}, you owe {{Amount}}.");
            Assert.Equal(new[] { "name", "Amount" }, t.Fields);
            Assert.Equal("Dear 张伟, you owe 12.50.", t.Render(Row(("Name", "张伟"), ("amount", "12.50"))));
        }

        [Fact]
        public void A_missing_merge_field_is_named_in_the_error()
        {
            var e = Assert.Throws<MergeFieldException>(() => new MergeTemplate("Hi {{Nickname}}").Render(Row(("Name", "x"))));
            Assert.Equal("Nickname", e.FieldName);
            Assert.Contains("{{Nickname}}", e.Message);
        }

        [Fact]
        public void Html_bodies_encode_merge_values_so_a_cell_cannot_inject_markup()
        {
            var html = new MergeTemplate("<p>{{Name}}</p>").Render(Row(("Name", "<script>x</script>")), html: true);
            Assert.Equal("<p>&lt;script&gt;x&lt;/script&gt;</p>", html);
        }

        [Fact]
        public void Composes_subject_bodies_recipient_and_a_message_id()
        {
            var composer = new MessageComposer(new MessageTemplate(From, "Payslip {{Month}}", "Hello {{Name}}", "<b>{{Name}}</b>"));
            var to = MessageComposer.ParseRecipient("zhang.wei@example.test", "张伟");
            var m = composer.Compose(to, Row(("Name", "张伟"), ("Month", "十一月")));
            Assert.Equal("Payslip 十一月", m.Subject);
            Assert.Equal("张伟", ((MailboxAddress)m.To[0]).Name);
            Assert.Equal("Hello 张伟", m.TextBody!.Trim());
            Assert.Equal("<b>张伟</b>", m.HtmlBody!.Trim());
            Assert.EndsWith("@example.test", m.MessageId);
        }

        [Theory]
        [InlineData(null, "NoRecipient")]
        [InlineData("  ", "NoRecipient")]
        [InlineData("not-an-address", "InvalidAddress")]
        [InlineData("user@", "InvalidAddress")]
        [InlineData("a@example.test\r\nBcc: victim@example.test", "HeaderInjection")]
        public void Bad_recipients_are_refused_with_a_stable_error_id(string? address, string errorId)
        {
            var e = Assert.Throws<InvalidRowException>(() => MessageComposer.ParseRecipient(address, null));
            Assert.Equal(errorId, e.ErrorId);
        }

        [Fact]
        public void International_domain_names_are_valid_recipients()
        {
            Assert.Equal("用户@例子.测试", MessageComposer.ParseRecipient("用户@例子.测试", null).Address);
        }

        [Fact]
        public void A_merge_value_with_a_line_break_cannot_reach_the_subject_header()
        {
            var composer = new MessageComposer(new MessageTemplate(From, "Notice for {{Name}}", "x", null));
            var e = Assert.Throws<InvalidRowException>(() =>
                composer.Compose(new MailboxAddress("", "a@example.test"), Row(("Name", "Bob\r\nBcc: everyone@example.test"))));
            Assert.Equal("HeaderInjection", e.ErrorId);
        }
    
        [Fact]
        public void A_composed_message_is_not_kept_alive_by_the_template_it_came_from()
        {
            var template = new MessageTemplate(From, "Hi {{Name}}", "Body", null) { UndisclosedTo = new MailboxAddress("Staff", "staff@example.test") };
            var composer = new MessageComposer(template);
            var single = ComposeAndForget(composer, 1);
            var batch = ComposeAndForget(composer, 3);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            Assert.False(single.IsAlive, "a one-recipient message survived");
            Assert.False(batch.IsAlive, "a Bcc batch message survived");
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        static WeakReference ComposeAndForget(MessageComposer composer, int recipients)
        {
            var to = Enumerable.Range(1, recipients).Select(i => new MailboxAddress("", $"r{i}@example.test")).ToList();
            return new WeakReference(composer.Compose(to, Row(("Name", "x"))).Message);
        }
    }
}
