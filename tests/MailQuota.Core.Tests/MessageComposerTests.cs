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

        [Fact]
        public void Attachment_paths_filled_in_by_a_row_stay_inside_the_templates_folder_unless_allowed()
        {
            var root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mqps-att-" + Guid.NewGuid().ToString("N"));
            var slips = System.IO.Directory.CreateDirectory(System.IO.Path.Combine(root, "slips")).FullName;
            System.IO.File.WriteAllText(System.IO.Path.Combine(slips, "7.txt"), "slip 7");
            var secret = System.IO.Path.Combine(root, "secret.txt");
            System.IO.File.WriteAllText(secret, "not for mailing");
            var work = System.IO.Directory.CreateDirectory(System.IO.Path.Combine(root, "work")).FullName;
            try
            {
                var template = new MessageTemplate(From, "s", "b", null)
                {
                    Attachments = new[] { new MergeTemplate("slips/{{File}}") },
                    AttachmentFolder = root,
                };
                var to = new MailboxAddress("", "a@example.test");
                Assert.Single(new MessageComposer(template).Compose(to, Row(("File", "7.txt"))).Attachments);
                foreach (var cell in new[] { "../secret.txt", "sub/../../secret.txt" })
                {
                    var e = Assert.Throws<InvalidRowException>(() => new MessageComposer(template).Compose(to, Row(("File", cell))));
                    Assert.Equal("AttachmentOutsideFolder", e.ErrorId);
                    Assert.Contains(slips, e.Message);
                }
                // An absolute path in the cell is read inside the folder, where no such file is.
                var absolute = Assert.Throws<InvalidRowException>(() => new MessageComposer(template).Compose(to, Row(("File", secret))));
                Assert.Equal("AttachmentNotFound", absolute.ErrorId);
                // A whole path from the row: confined to the current (attachment) folder.
                template.Attachments = new[] { new MergeTemplate("{{File}}") };
                template.AttachmentFolder = work;
                Assert.Throws<InvalidRowException>(() => new MessageComposer(template).Compose(to, Row(("File", secret))));
                // The user's own literal path is taken as written, and the switch lifts the rule.
                template.Attachments = new[] { new MergeTemplate(secret) };
                Assert.Single(new MessageComposer(template).Compose(to, Row()).Attachments);
                template.Attachments = new[] { new MergeTemplate("slips/{{File}}") };
                template.AttachmentFolder = root;
                template.AllowAnyAttachmentPath = true;
                Assert.Single(new MessageComposer(template).Compose(to, Row(("File", "../secret.txt"))).Attachments);
            }
            finally { System.IO.Directory.Delete(root, true); }
        }

        [Fact]
        public void Encoded_words_in_cells_arrive_as_the_literal_text_not_as_decoded_header_content()
        {
            const string Cell = "=?utf-8?Q?=0D=0ABcc:_boss@example.test?=";
            var template = new MessageTemplate(From, "Re: {{Topic}}", "b", null);
            template.SetHeaders(new[] { new KeyValuePair<string, string?>("X-Ref", "{{Topic}}") });
            var to = MessageComposer.ParseRecipient("a@example.test", Cell);
            var message = new MessageComposer(template).Compose(to, Row(("Topic", Cell)));
            var stream = new System.IO.MemoryStream();
            message.WriteTo(stream);
            var raw = System.Text.Encoding.ASCII.GetString(stream.ToArray());
            Assert.DoesNotContain(Cell, raw);                                   // nothing pre-encoded goes out as is
            stream.Position = 0;
            var received = MimeMessage.Load(stream);                           // what the recipient's client decodes
            Assert.Equal("Re: " + Cell, received.Subject);
            Assert.Equal(Cell, ((MailboxAddress)received.To[0]).Name);
            Assert.Equal("a@example.test", ((MailboxAddress)received.To[0]).Address);
            Assert.Empty(received.Bcc);
            Assert.Equal(Cell, received.Headers["X-Ref"]);                      // MimeKit decodes it as a client would
        }

        [Fact]
        public void A_merged_header_value_past_the_limit_makes_the_row_invalid()
        {
            var template = new MessageTemplate(From, "{{Topic}}", "b", null);
            var huge = new string('x', MessageComposer.MaxHeaderValue + 1);
            var to = new MailboxAddress("", "a@example.test");
            Assert.Equal("HeaderTooLong", Assert.Throws<InvalidRowException>(() => new MessageComposer(template).Compose(to, Row(("Topic", huge)))).ErrorId);
            Assert.Equal("HeaderTooLong", Assert.Throws<InvalidRowException>(() => MessageComposer.ParseRecipient("a@example.test", huge)).ErrorId);
        }
    }
}
