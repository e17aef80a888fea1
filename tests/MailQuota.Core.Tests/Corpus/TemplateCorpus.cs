using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using MailQuota.Core.Content;

namespace MailQuota.Core.Tests.Corpus
{
    /// <summary>One generated message: its content and which template it came from (-1: unrelated).</summary>
    public sealed class CorpusMessage
    {
        public CorpusMessage(int template, bool chinese, MessageContent content)
        {
            Template = template; Chinese = chinese; Content = content;
        }

        public int Template { get; }
        public bool Chinese { get; }
        public MessageContent Content { get; }
    }

    /// <summary>
    /// A seeded, reproducible mail corpus for the near-duplicate acceptance test and the benchmark:
    /// <c>templates</c> templates (a third Chinese) of about <c>length</c> characters, each rendered
    /// <c>variants</c> times with its own name, amount, date and reference and one to five word (or
    /// character) edits, plus <c>unrelated</c> messages of the same kind written once each, all
    /// shuffled. English text is drawn from pseudo-words with common function words mixed in,
    /// Chinese from common characters, so unrelated messages share what real ones share.
    /// </summary>
    public sealed class TemplateCorpus
    {
        static readonly string[] FunctionWords = { "the", "of", "and", "to", "a", "in", "is", "you", "that", "for", "your", "we", "on", "with", "be", "this", "are", "will", "please", "our", "by", "at", "as", "it", "from", "have" };
        static readonly string[] Onsets = { "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br", "cl", "st", "tr", "sh", "ch", "th", "gr", "pl", "sp" };
        static readonly string[] Vowels = { "a", "e", "i", "o", "u", "ai", "ea", "ou", "io", "ee" };
        static readonly string[] Codas = { "", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ck", "ng" };
        const string CommonHan = "的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会家可下而过天去能对小多然于心学么之都好看起发当没成只如事把还用第样道想作种开美总从无情己面最女但现前些所同日手又行意动方期它头经长儿回位分爱老因很给名法间斯知世什两次使身者被高已亲其进此话常与活正感";
        static readonly string[] Months = CultureInfo.InvariantCulture.DateTimeFormat.MonthNames.Where(m => m.Length > 0).ToArray();
        static readonly string[] Placeholders = { "{{Name}}", "{{Amount}}", "{{Date}}", "{{Ref}}" };

        readonly Random _random;
        readonly string[] _words;
        readonly char[] _han;

        public TemplateCorpus(int seed = 20261127, int templates = 50, int variants = 200, int unrelated = 10000, int length = 2000)
        {
            _random = new Random(seed);
            _words = Enumerable.Range(0, 4000).Select(_ => PseudoWord()).Distinct().ToArray();
            _han = CommonHan.Concat(Enumerable.Range(0, 2500).Select(_ => (char)_random.Next(0x4E00, 0x9FA6))).ToArray();

            var messages = new List<CorpusMessage>(templates * variants + unrelated);
            for (var t = 0; t < templates; t++)
            {
                var chinese = t % 3 == 2;
                var template = NewTemplate(chinese, length);
                for (var v = 0; v < variants; v++) messages.Add(new CorpusMessage(t, chinese, Render(template, chinese, edits: _random.Next(1, 6))));
            }
            for (var u = 0; u < unrelated; u++)
            {
                var chinese = u % 3 == 2;
                messages.Add(new CorpusMessage(-1, chinese, Render(NewTemplate(chinese, length), chinese, edits: 0)));
            }
            for (var i = messages.Count - 1; i > 0; i--)
            {
                var j = _random.Next(i + 1);
                (messages[i], messages[j]) = (messages[j], messages[i]);
            }
            Messages = messages;
        }

        public IReadOnlyList<CorpusMessage> Messages { get; }

        /// <summary>Pair precision and recall of a clustering for "same template" (see the static overload).</summary>
        public (double Precision, double Recall) PairScores(IReadOnlyList<int> clusterOf) => PairScores(Messages, clusterOf);

        /// <summary>
        /// Pair precision and recall of a clustering for "same template": over all pairs of
        /// messages, those put in one cluster against those generated from one template.
        /// </summary>
        public static (double Precision, double Recall) PairScores(IReadOnlyList<CorpusMessage> messages, IReadOnlyList<int> clusterOf)
        {
            long predicted = 0, truePairs = 0, both = 0;
            foreach (var size in clusterOf.GroupBy(c => c).Select(g => (long)g.Count())) predicted += size * (size - 1) / 2;
            foreach (var size in messages.Where(m => m.Template >= 0).GroupBy(m => m.Template).Select(g => (long)g.Count())) truePairs += size * (size - 1) / 2;
            foreach (var size in messages.Select((m, i) => (m.Template, Cluster: clusterOf[i])).Where(p => p.Template >= 0)
                         .GroupBy(p => p).Select(g => (long)g.Count())) both += size * (size - 1) / 2;
            return (predicted == 0 ? 1 : both / (double)predicted, truePairs == 0 ? 1 : both / (double)truePairs);
        }

        string PseudoWord()
        {
            var sb = new StringBuilder();
            var syllables = _random.Next(1, 4);
            for (var s = 0; s < syllables; s++)
                sb.Append(Onsets[_random.Next(Onsets.Length)]).Append(Vowels[_random.Next(Vowels.Length)]).Append(Codas[_random.Next(Codas.Length)]);
            return sb.ToString();
        }

        /// <summary>A template as units: words (or characters), punctuation and placeholders.</summary>
        sealed class Template
        {
            public List<string> Subject { get; } = new List<string>();
            public List<string> Body { get; } = new List<string>();
        }

        Template NewTemplate(bool chinese, int length)
        {
            var t = new Template();
            var target = length * (0.75 + 0.5 * _random.NextDouble());
            if (chinese)
            {
                for (var i = 0; i < 8; i++) t.Subject.Add(Han());
                t.Subject.Add("{{Name}}");
                t.Body.AddRange(new[] { "尊", "敬", "的", "{{Name}}", "：" });
                var chars = 0;
                while (chars < target / 3) // about three UTF-8 bytes a character: ~length bytes
                {
                    var sentence = _random.Next(12, 40);
                    for (var i = 0; i < sentence; i++) { t.Body.Add(Han()); chars++; }
                    if (_random.Next(4) == 0) { t.Body.Add(Placeholders[_random.Next(Placeholders.Length)]); chars += 6; }
                    t.Body.Add(_random.Next(3) == 0 ? "。" : "，");
                }
            }
            else
            {
                for (var i = 0; i < 5; i++) t.Subject.Add(Word());
                t.Subject.Add("{{Name}}");
                t.Body.AddRange(new[] { "Dear", "{{Name}}", "," });
                var chars = 0;
                while (chars < target)
                {
                    var sentence = _random.Next(8, 22);
                    for (var i = 0; i < sentence; i++)
                    {
                        var w = Word();
                        t.Body.Add(i == 0 ? char.ToUpperInvariant(w[0]) + w.Substring(1) : w);
                        chars += w.Length + 1;
                    }
                    if (_random.Next(3) == 0) { t.Body.Add(Placeholders[_random.Next(Placeholders.Length)]); chars += 10; }
                    t.Body.Add(".");
                }
                t.Body.AddRange(new[] { "Best", "regards", ",", "the", "service", "desk" });
            }
            return t;
        }

        MessageContent Render(Template t, bool chinese, int edits)
        {
            var values = new Dictionary<string, string>
            {
                ["{{Name}}"] = chinese ? Han().ToString() + Han() + (_random.Next(2) == 0 ? Han() : "") : Capital(Word()) + " " + Capital(Word()),
                ["{{Amount}}"] = (_random.Next(10, 100000) + _random.Next(100) / 100.0).ToString("N2", CultureInfo.InvariantCulture),
                ["{{Date}}"] = Date(),
                ["{{Ref}}"] = "INV-" + _random.Next(10000, 99999).ToString(CultureInfo.InvariantCulture),
            };
            var body = new List<string>(t.Body);
            for (var e = 0; e < edits; e++)
            {
                var at = _random.Next(3, body.Count - 1);
                var unit = chinese ? Han() : Word();
                switch (_random.Next(3))
                {
                    case 0: if (!body[at].StartsWith("{{", StringComparison.Ordinal)) body[at] = unit; break;
                    case 1: body.Insert(at, unit); break;
                    default: if (!body[at].StartsWith("{{", StringComparison.Ordinal)) body.RemoveAt(at); break;
                }
            }
            return new MessageContent(Join(t.Subject, values, chinese), Join(body, values, chinese), null);
        }

        static string Join(List<string> units, Dictionary<string, string> values, bool chinese)
        {
            var sb = new StringBuilder();
            foreach (var unit in units)
            {
                var text = values.TryGetValue(unit, out var v) ? v : unit;
                var punctuation = unit.Length == 1 && char.IsPunctuation(unit[0]);
                if (!chinese && sb.Length > 0 && !punctuation) sb.Append(' ');
                sb.Append(text);
            }
            return sb.ToString();
        }

        string Word() => _random.Next(10) < 4 ? FunctionWords[_random.Next(FunctionWords.Length)] : _words[_random.Next(_words.Length)];

        string Han() => _random.Next(10) < 3 ? CommonHan[_random.Next(40)].ToString() : _han[_random.Next(_han.Length)].ToString();

        static string Capital(string w) => char.ToUpperInvariant(w[0]) + w.Substring(1);

        string Date()
        {
            var d = new DateTime(2026, 1, 1).AddDays(_random.Next(365));
            return _random.Next(2) == 0 ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : $"{d.Day} {Months[d.Month - 1]} {d.Year}";
        }
    }
}
