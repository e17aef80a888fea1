using System.Collections.Generic;

namespace MailQuota.Core.Import
{
    /// <summary>
    /// Guesses the field delimiter from the start of a file: among comma, semicolon, tab and pipe,
    /// the one that splits the most lines into as many fields as the header line has (quoted text
    /// ignored). Ties go to the one that gives the header more fields, then to the order above.
    /// No candidate on the header line means a one-column file.
    /// </summary>
    public static class DelimiterSniffer
    {
        static readonly char[] Candidates = { ',', ';', '\t', '|' };
        const int MaxLines = 50;

        /// <summary>The delimiter, or null when the header line holds none of the candidates.</summary>
        public static char? Sniff(string sample)
        {
            var lines = CountPerLine(sample);
            if (lines.Count == 0) return null;
            char? best = null;
            int bestAgreeing = 0, bestHeaderCount = 0;
            for (var c = 0; c < Candidates.Length; c++)
            {
                var headerCount = lines[0][c];
                if (headerCount == 0) continue;
                var agreeing = 0;
                foreach (var counts in lines)
                    if (counts[c] == headerCount) agreeing++;
                if (agreeing > bestAgreeing || (agreeing == bestAgreeing && headerCount > bestHeaderCount))
                {
                    best = Candidates[c];
                    bestAgreeing = agreeing;
                    bestHeaderCount = headerCount;
                }
            }
            return best;
        }

        /// <summary>Per complete, non-blank line: how often each candidate occurs outside quotes.</summary>
        static List<int[]> CountPerLine(string sample)
        {
            var lines = new List<int[]>();
            var counts = new int[Candidates.Length];
            var quoted = false;
            var blank = true;
            for (var i = 0; i < sample.Length && lines.Count < MaxLines; i++)
            {
                var ch = sample[i];
                if (ch == '"') { quoted = !quoted; blank = false; continue; }
                if (quoted) continue;
                if (ch == '\r' || ch == '\n')
                {
                    if (!blank) lines.Add(counts);
                    counts = new int[Candidates.Length];
                    blank = true;
                    continue;
                }
                if (!char.IsWhiteSpace(ch) || ch == '\t') blank = false;
                var c = System.Array.IndexOf(Candidates, ch);
                if (c >= 0) counts[c]++;
            }
            // The sample may end inside a line: use that line only when it is the only one.
            if (!blank && lines.Count == 0) lines.Add(counts);
            return lines;
        }
    }
}
