using System.Collections.Generic;
using System.Linq;
using MailQuota.Core.Content;
using MailQuota.Core.Mail;

namespace MailQuota.Core.Tests
{
    public sealed class ContentNormalizerTests
    {
        static string Normalize(string? subject, string? text, string? html = null) =>
            ContentNormalizer.Normalize(new MessageContent(subject, text, html));

        [Fact]
        public void Urls_become_their_host_and_addresses_numbers_dates_and_codes_become_placeholders()
        {
            var n = Normalize("Hello", "Visit https://www.Contoso.com/track?id=abc123 or mail Help@Contoso.com. Total: $1,234.50 on 2026-12-03 at 10:30. Code A1B2C3D4.");
            Assert.Equal("hello visit {url:contoso.com} or mail {email} total {num} on {num} at {num} code {tok}", n);
        }

        [Fact]
        public void Html_becomes_text_without_script_style_or_comments_and_with_entities_decoded()
        {
            var n = Normalize(null, null, "<html><head><style>p{color:red}</style><script>var secret=1;</script></head><body><p>Dear <b>{{Name}}</b>,</p><!-- hidden words --><p>Caf&eacute; &amp; BAR</p></body></html>");
            Assert.Equal("dear {{name}} café bar", n);
        }

        [Fact]
        public void The_text_body_is_preferred_to_the_html_one()
        {
            Assert.Equal("plain words", Normalize(null, "Plain words", "<p>other words</p>"));
            Assert.Equal("other words", Normalize(null, "  ", "<p>other words</p>"));
        }

        [Fact]
        public void Full_width_forms_are_folded_and_cjk_runs_stay_whole_around_placeholders_and_numbers()
        {
            var n = Normalize(null, "ＡＢＣ　１２３ 尊敬的{{ 姓名 }}，您好！２０２６年");
            Assert.Equal("abc {num} 尊敬的 {{姓名}} 您好 {num} 年", n);
        }

        [Fact]
        public void Japanese_kana_and_kanji_are_cjk_characters()
        {
            Assert.True(ContentNormalizer.IsCjk('ひ'));
            Assert.True(ContentNormalizer.IsCjk('カ'));
            Assert.True(ContentNormalizer.IsCjk('漢'));
            Assert.False(ContentNormalizer.IsCjk('한')); // Korean is written with spaces
            Assert.Equal("お知らせ {num} 月", Normalize(null, "お知らせ：3月"));
        }

        [Fact]
        public void Short_merge_values_go_back_to_their_placeholder_and_long_ones_stay_content()
        {
            var template = new MergeTemplate("Dear {{Name}}, {{Note}}");
            var note = new string('x', 30) + " " + new string('y', 40);
            var values = new Dictionary<string, string?>(System.StringComparer.OrdinalIgnoreCase) { ["name"] = "Ann Lee", ["note"] = note };
            Assert.Equal("Dear {{Name}}, " + note, template.RenderSkeleton(values, MessageContent.MaxPlaceholderLength));
            Assert.Equal("Dear {{Name}}, {{Note}}", template.RenderSkeleton(null, MessageContent.MaxPlaceholderLength));
            Assert.Throws<MergeFieldException>(() => template.RenderSkeleton(new Dictionary<string, string?> { ["name"] = "x" }, 64));
        }

        [Fact]
        public void Rows_of_one_merge_have_the_same_fingerprint_and_a_long_personal_note_makes_a_different_one()
        {
            var subject = new MergeTemplate("Payslip {{Month}} for {{Name}}");
            var body = new MergeTemplate("Dear {{Name}}, your pay of {{Amount}} is on its way. {{Note}}");
            ContentFingerprint Row(string name, string amount, string note) => ContentFingerprint.Of(MessageContent.FromTemplate(subject, body, null,
                new Dictionary<string, string?>(System.StringComparer.OrdinalIgnoreCase) { ["Name"] = name, ["Amount"] = amount, ["Month"] = "March", ["Note"] = note }));
            var a = Row("Zhang Wei", "1,200.00", "");
            var b = Row("Olafur Arnalds", "980.50", "");
            Assert.Equal(a.Digest, b.Digest);
            var personal = Row("Zoe Brandt", "10.00", "We discussed your move to the Lisbon office on Tuesday and the team is looking forward to it, see you there.");
            Assert.NotEqual(a.Digest, personal.Digest);
        }

        [Fact]
        public void The_greeting_the_name_under_the_closing_and_the_signature_block_are_set_aside()
        {
            var a = Normalize("Invoice", "Dear Anna Meyer,\n\nyour invoice is ready.\n\nKind regards,\nPeter Okafor\n-- \nPeter Okafor | Sales | +1 555 0100\n");
            var b = Normalize("Invoice", "Hi Ben,\r\n\r\nyour invoice is ready.\r\n\r\nKind regards,\r\nZoe Silva\r\n");
            Assert.Equal("invoice {greeting} your invoice is ready kind regards {name}", a);
            Assert.Equal(a, b);
            Assert.Equal("通知 {greeting} 您本月的工资单已经发出", Normalize("通知", "尊敬的张伟：\n您本月的工资单已经发出。"));
            // a top-posted reply's signature goes, the quote under it stays; a long block after "--" is text
            Assert.Equal("re x fine >the >draft", Normalize("Re: x", "Fine\n-- \nAnn\n\nBob wrote:\n> The draft"));
            var longBlock = string.Join("\n", System.Linq.Enumerable.Range(1, 11).Select(i => "Part " + (char)('a' + i)));
            Assert.EndsWith("part k part l", Normalize("x", "Intro\n--\n" + longBlock));
            // a first line that is text, and a last line that is a sentence, stay
            Assert.Equal("x dear all the meeting moved to friday thanks", Normalize("x", "Dear all the meeting moved to Friday.\nThanks"));
        }

        [Fact]
        public void Quoted_lines_keep_their_depth_so_a_reply_does_not_match_the_message_it_quotes()
        {
            Assert.Equal("re plan agreed >we >meet >at >{num} >>who >>comes", Normalize("Re: plan", "Agreed.\n> We meet at 10.\n> > Who comes?"));
            Assert.Equal("ok >from >ann >the >draft >>earlier >>text", Normalize(null, "OK\n-----Original Message-----\nFrom: Ann\nThe draft\n> Earlier text"));
            var original = ContentFingerprint.Of(new MessageContent("Plan", "We meet at ten in the big room on the third floor, bring the budget figures and the slides.", null));
            var reply = ContentFingerprint.Of(new MessageContent("Plan", "Fine.\n> We meet at ten in the big room on the third floor, bring the budget figures and the slides.", null));
            Assert.True(ContentFingerprint.Jaccard(original.Features!, reply.Features!) < 0.1);
            Assert.Equal("通知 >请准时参加", Normalize("通知", "> 请准时参加。"));
            Assert.Empty(ShingleExtractor.Features("请准时参加").Intersect(ShingleExtractor.Features(">请准时参加")));
        }

        [Fact]
        public void Words_with_digits_and_tracking_parameters_do_not_tell_copies_apart()
        {
            Assert.Equal(Normalize("s", "Runs on x86, 24x faster, see https://t.example.com/c?u=ann&id=1 now"), Normalize("s", "Runs on x64, 12x faster, see https://t.example.com/c?u=bob&id=2 now"));
        }

        static MessageContent Row(MergeTemplate subject, MergeTemplate body, params (string Field, string Value)[] values)
        {
            var fields = new Dictionary<string, string?>(System.StringComparer.OrdinalIgnoreCase);
            foreach (var (field, value) in values) fields[field] = value;
            return MessageContent.FromTemplate(subject, body, null, fields);
        }

        [Fact]
        public void A_template_made_of_fields_is_fingerprinted_as_rendered()
        {
            var subject = new MergeTemplate("{{Subject}}");
            var body = new MergeTemplate("{{Body}}");
            var a = ContentFingerprint.Of(Row(subject, body, ("Subject", "年会通知"), ("Body", "公司年会将于一月二十日在总部举行，请准时参加。")));
            var b = ContentFingerprint.Of(Row(subject, body, ("Subject", "停电通知"), ("Body", "本周六上午办公楼停电，请提前保存文件。")));
            var c = ContentFingerprint.Of(Row(subject, body, ("Subject", "Disk full"), ("Body", "Server db01 is out of disk space.")));
            Assert.NotEqual(a.Digest, b.Digest);
            Assert.NotEqual(a.Digest, c.Digest);
            Assert.True(ContentFingerprint.Jaccard(a.Features!, b.Features!) < 0.2);
            Assert.Equal("Disk full", Row(subject, body, ("Subject", "Disk full"), ("Body", "x")).Subject);
        }

        [Fact]
        public void A_short_literal_template_around_the_message_is_fingerprinted_as_rendered()
        {
            var subject = new MergeTemplate("Alert: {{Title}}");
            var body = new MergeTemplate("Alert from monitoring: {{Text}}");
            var row = Row(subject, body, ("Title", "Disk full on db01"), ("Text", "the volume /data has 0 bytes left, writes fail"));
            Assert.Equal("Alert: Disk full on db01", row.Subject);
            Assert.Equal("Alert from monitoring: the volume /data has 0 bytes left, writes fail", row.Text);
        }

        [Fact]
        public void A_chinese_template_with_short_names_masks_them()
        {
            var subject = new MergeTemplate("{{姓名}}，年会通知");
            var body = new MergeTemplate("{{姓名}}您好：公司年会将于一月二十日在总部大礼堂举行，请提前安排好工作，准时参加。");
            var a = Row(subject, body, ("姓名", "张伟"));
            var b = Row(subject, body, ("姓名", "欧阳娜娜"));
            Assert.Equal("{{姓名}}您好：公司年会将于一月二十日在总部大礼堂举行，请提前安排好工作，准时参加。", a.Text);
            Assert.Equal(ContentFingerprint.Of(a).Digest, ContentFingerprint.Of(b).Digest);
        }

        [Fact]
        public void A_long_literal_template_masks_short_values_and_keeps_long_ones()
        {
            var subject = new MergeTemplate("Your payslip for {{Month}}");
            var body = new MergeTemplate("Dear {{Name}},\nyour payslip for {{Month}} is attached. Net pay: {{Amount}}. Please check it and tell us within two weeks if anything is wrong.\n{{Note}}");
            var a = Row(subject, body, ("Name", "Anna Meyer"), ("Month", "March"), ("Amount", "1,200.00"), ("Note", ""));
            var b = Row(subject, body, ("Name", "Olafur Arnalds"), ("Month", "March"), ("Amount", "980.50"), ("Note", ""));
            Assert.Equal("Your payslip for {{Month}}", a.Subject);
            Assert.Equal(ContentFingerprint.Of(a).Digest, ContentFingerprint.Of(b).Digest);
            var note = "We discussed your move to the Lisbon office on Tuesday and the team is looking forward to it, see you there.";
            Assert.EndsWith(note, Row(subject, body, ("Name", "Zoe"), ("Month", "May"), ("Amount", "1"), ("Note", note)).Text);
        }
    }
}
