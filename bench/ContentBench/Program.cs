using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using MailQuota.Core.Content;
using MailQuota.Core.Tests.Corpus;

var corpus = new TemplateCorpus(seed: 1, templates: 20, variants: 50, unrelated: 1000);
foreach (var chinese in new[] { false, true })
{
    var contents = corpus.Messages.Where(m => m.Chinese == chinese).Select(m => m.Content).ToList();
    Console.WriteLine($"{(chinese ? "Chinese" : "English")}: {contents.Count} messages, mean {contents.Average(c => Encoding.UTF8.GetByteCount(c.Subject + c.Text)):0} bytes");
    var normalized = contents.Select(ContentNormalizer.Normalize).ToList();
    var features = normalized.Select(ShingleExtractor.Features).ToList();
    double Best(Action run)
    {
        var best = double.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var w = Stopwatch.StartNew();
            run();
            best = Math.Min(best, w.Elapsed.TotalMilliseconds * 1000 / contents.Count);
        }
        return best;
    }
    var nfkc = Best(() => { foreach (var c in contents) c.Text!.Normalize(NormalizationForm.FormKC); });
    var norm = Best(() => { foreach (var c in contents) ContentNormalizer.Normalize(c); });
    var feat = Best(() => { foreach (var n in normalized) ShingleExtractor.Features(n); });
    var min = Best(() => { foreach (var f in features) MinHasher.Compute(f); });
    var sim = Best(() => { foreach (var f in features) SimHash64.Compute(f); });
    var all = Best(() => { foreach (var c in contents) ContentFingerprint.Of(c); });
    Console.WriteLine($"  NFKC alone {nfkc:0.0} µs, normalise {norm:0.0} µs, features {feat:0.0} µs ({features.Average(f => f.Length):0} each), MinHash-128 {min:0.0} µs, SimHash64 {sim:0.0} µs; whole fingerprint {all:0.0} µs");
}
