using System.Collections.Generic;
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
    }
}
