using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using MailQuota.Core.Content;
using MimeKit;

namespace MailQuota.Core.Tests.Corpus
{
    /// <summary>
    /// The real-mail evaluation set: ham bodies of at least <see cref="MinWords"/> words (each body
    /// once, see <see cref="Bodies"/>), the first <c>templates</c> of them each personalised five
    /// times, the next <c>unrelated</c> ones as they are, shuffled. The recipe of a variant, with one
    /// generator seeded 20261130: a greeting line with a recipient's name ("Dear Anna," in the
    /// form the body's template chose), up to three runs of digits replaced by random digits, one
    /// to three word edits (a word replaced by another word of the corpus, deleted, or one
    /// inserted before it), and a closing line (chosen per template) with a sender's name under it.
    /// </summary>
    public sealed class PersonalisedHam
    {
        public const int Variants = 5;
        public const int MinWords = 40;

        static readonly string[] FirstNames = { "Anna", "Ben", "Carla", "David", "Eva", "Frank", "Grace", "Hugo", "Ines", "Jonas", "Karin", "Luis", "Maria", "Nils", "Olga", "Peter", "Rosa", "Simon", "Tanja", "Umar", "Vera", "Walter", "Xenia", "Yusuf", "Zoe" };
        static readonly string[] LastNames = { "Meyer", "Okafor", "Rossi", "Nakamura", "Dubois", "Kowalski", "Svensson", "Garcia", "Novak", "Schmidt", "Murphy", "Silva", "Tanaka", "Jensen", "Horvat", "Fischer", "Moreau", "Lindqvist", "Costa", "Brennan" };
        static readonly string[] Greetings = { "Dear {0},", "Hi {0},", "Hello {0},", "Good morning {0},", "{0},", "Dear {0} {1}," };
        static readonly string[] Closings = { "Best regards,", "Kind regards,", "Thanks,", "Cheers,", "Regards,", "Sincerely," };
        static readonly Regex WordPattern = new Regex(@"\p{L}[\p{L}']*", RegexOptions.CultureInvariant);
        static readonly Regex Digits = new Regex(@"\d+", RegexOptions.CultureInvariant);

        readonly Random _random;
        readonly string[] _vocabulary;

        public PersonalisedHam(IReadOnlyList<MimeMessage> ham, int templates, int unrelated, int seed = 20261130)
        {
            _random = new Random(seed);
            var bodies = Bodies(ham).ToList();
            if (bodies.Count < templates + unrelated) throw new ArgumentException($"only {bodies.Count} usable bodies for {templates} + {unrelated}");
            _vocabulary = bodies.SelectMany(b => WordPattern.Matches(b.Body).Select(m => m.Value)).Distinct().OrderBy(w => w, StringComparer.Ordinal).ToArray();

            var messages = new List<CorpusMessage>();
            for (var t = 0; t < templates; t++)
            {
                var greeting = Greetings[_random.Next(Greetings.Length)];
                var closing = Closings[_random.Next(Closings.Length)];
                for (var v = 0; v < Variants; v++) messages.Add(new CorpusMessage(t, false, Personalise(bodies[t], greeting, closing)));
            }
            for (var u = templates; u < templates + unrelated; u++)
                messages.Add(new CorpusMessage(-1, false, new MessageContent(bodies[u].Subject, bodies[u].Body, null)));
            for (var i = messages.Count - 1; i > 0; i--)
            {
                var j = _random.Next(i + 1);
                (messages[i], messages[j]) = (messages[j], messages[i]);
            }
            Messages = messages;
        }

        public IReadOnlyList<CorpusMessage> Messages { get; }

        /// <summary>How many bodies of the corpus qualify: the most <c>templates + unrelated</c> can be.</summary>
        public static int UsableBodies(IReadOnlyList<MimeMessage> ham) => Bodies(ham).Count();

        /// <summary>
        /// The plain-text bodies (HTML ones as their text) long enough to be a template, in corpus
        /// order, each once: a body whose letter-word 3-shingles have a Jaccard similarity of
        /// <see cref="RepostJaccard"/> or more with those of an earlier one (the same item posted
        /// again with another date, a newsletter's next issue, a reply quoting most of its
        /// original) is left out, so that "unrelated" means unrelated.
        /// </summary>
        static IEnumerable<(string Subject, string Body)> Bodies(IReadOnlyList<MimeMessage> ham)
        {
            var kept = new List<HashSet<ulong>>();
            var postings = new Dictionary<ulong, List<int>>();
            foreach (var message in ham)
            {
                var body = message.TextBody ?? (message.HtmlBody != null ? ContentNormalizer.HtmlToText(message.HtmlBody) : null);
                if (body == null || WordPattern.Matches(body).Count < MinWords) continue;
                var shingles = WordShingles(body, lettersOnly: true);
                var shared = new Dictionary<int, int>();
                foreach (var s in shingles)
                    if (postings.TryGetValue(s, out var list))
                        foreach (var k in list) shared[k] = shared.TryGetValue(k, out var c) ? c + 1 : 1;
                if (shared.Any(p => p.Value >= RepostJaccard * (shingles.Count + kept[p.Key].Count - p.Value))) continue;
                foreach (var s in shingles)
                {
                    if (!postings.TryGetValue(s, out var list)) postings[s] = list = new List<int>();
                    list.Add(kept.Count);
                }
                kept.Add(shingles);
                yield return (message.Subject ?? "", body);
            }
        }

        public const double RepostJaccard = 0.7;

        MessageContent Personalise((string Subject, string Body) template, string greeting, string closing)
        {
            var numbers = Digits.Matches(template.Body).Count;
            var changed = new HashSet<int>(Enumerable.Range(0, Math.Min(3, numbers)).Select(_ => _random.Next(numbers)));
            var n = 0;
            var body = Digits.Replace(template.Body, m => changed.Contains(n++) ? new string(m.Value.Select(_ => (char)('0' + _random.Next(10))).ToArray()) : m.Value);
            var words = WordPattern.Matches(body).ToList();
            var edits = Enumerable.Range(0, _random.Next(1, 4)).Select(_ => words[_random.Next(words.Count)]).Distinct().OrderByDescending(m => m.Index).ToList();
            var sb = new StringBuilder(body);
            foreach (var word in edits)
            {
                var other = _vocabulary[_random.Next(_vocabulary.Length)];
                switch (_random.Next(3))
                {
                    case 0: sb.Remove(word.Index, word.Length).Insert(word.Index, other); break;
                    case 1: sb.Remove(word.Index, word.Length); break;
                    default: sb.Insert(word.Index, other + " "); break;
                }
            }
            var recipient = (First: FirstNames[_random.Next(FirstNames.Length)], Last: LastNames[_random.Next(LastNames.Length)]);
            var sender = $"{FirstNames[_random.Next(FirstNames.Length)]} {LastNames[_random.Next(LastNames.Length)]}";
            var text = string.Format(CultureInfo.InvariantCulture, greeting, recipient.First, recipient.Last) + "\n\n" + sb + "\n\n" + closing + "\n" + sender + "\n";
            return new MessageContent(template.Subject, text, null);
        }

        /// <summary>Pair precision and recall of a clustering for "same template" (see <see cref="TemplateCorpus.PairScores"/>).</summary>
        public (double Precision, double Recall) PairScores(IReadOnlyList<int> clusterOf) => TemplateCorpus.PairScores(Messages, clusterOf);

        /// <summary>
        /// The anchors: exact Jaccard similarity of word 3-shingles (lower-case letter and digit
        /// runs of subject and body), every pair at or above <paramref name="threshold"/> counted as
        /// the same template, no clustering.
        /// </summary>
        public (double Precision, double Recall) ExactJaccardScores(double threshold)
        {
            var sets = Messages.Select(m => WordShingles(m.Content.Subject + " " + m.Content.Text)).ToArray();
            var postings = new Dictionary<ulong, List<int>>();
            for (var i = 0; i < sets.Length; i++)
                foreach (var s in sets[i])
                {
                    if (!postings.TryGetValue(s, out var list)) postings[s] = list = new List<int>();
                    list.Add(i);
                }
            long predicted = 0, both = 0, truePairs = 0;
            var shared = new int[sets.Length];
            for (var i = 0; i < sets.Length; i++)
            {
                Array.Clear(shared);
                foreach (var s in sets[i])
                    foreach (var j in postings[s])
                        if (j > i) shared[j]++;
                for (var j = i + 1; j < sets.Length; j++)
                {
                    var same = Messages[i].Template >= 0 && Messages[i].Template == Messages[j].Template;
                    if (same) truePairs++;
                    if (shared[j] == 0) continue;
                    var jaccard = shared[j] / (double)(sets[i].Count + sets[j].Count - shared[j]);
                    if (jaccard < threshold) continue;
                    predicted++;
                    if (same) both++;
                }
            }
            return (predicted == 0 ? 1 : both / (double)predicted, truePairs == 0 ? 1 : both / (double)truePairs);
        }

        static HashSet<ulong> WordShingles(string text, bool lettersOnly = false)
        {
            var words = Regex.Matches(text.ToLowerInvariant(), lettersOnly ? @"\p{L}+" : @"[\p{L}\p{Nd}]+").Select(m => m.Value).ToList();
            var set = new HashSet<ulong>();
            for (var k = 0; k + 2 < words.Count; k++) set.Add(Hash(words[k] + " " + words[k + 1] + " " + words[k + 2]));
            if (words.Count is > 0 and < 3) set.Add(Hash(string.Join(" ", words)));
            return set;
        }

        static ulong Hash(string s)
        {
            var h = 14695981039346656037UL;
            foreach (var c in s) { h ^= c; h *= 1099511628211UL; }
            return h;
        }
    }
}
