using System.Collections.Generic;

namespace MailQuota.Core.Import
{
    /// <summary>What happened to the rows of one file: the counts a person needs, and a few examples.</summary>
    public sealed class ImportSummary
    {
        /// <summary>How many examples (line numbers, corrections) are kept: memory stays flat on any file.</summary>
        public const int MaxExamples = 10;

        readonly List<int> _duplicateLines = new List<int>();
        readonly List<string> _corrections = new List<string>();
        readonly List<int> _refusedLines = new List<int>();

        public ImportSummary(string path) => Path = path;

        public string Path { get; }
        /// <summary>Data rows read (blank lines and the header not counted).</summary>
        public int Rows { get; internal set; }
        public int Imported { get; internal set; }
        public int Refused { get; private set; }
        public int Duplicates { get; internal set; }
        public int Excluded { get; internal set; }
        /// <summary>Rows whose every field is empty (",,," lines Excel leaves at the end): skipped.</summary>
        public int EmptyRows { get; internal set; }
        public int Corrected { get; internal set; }

        /// <summary>The lines of the first duplicates, at most <see cref="MaxExamples"/>.</summary>
        public IReadOnlyList<int> DuplicateLines => _duplicateLines;

        /// <summary>The lines of the first refused rows, at most <see cref="MaxExamples"/>.</summary>
        public IReadOnlyList<int> RefusedLines => _refusedLines;

        /// <summary>The first corrections made, as "line 4: 'x＠y.com' → 'x@y.com'".</summary>
        public IReadOnlyList<string> Corrections => _corrections;

        internal void AddRefused(int line)
        {
            Refused++;
            if (_refusedLines.Count < MaxExamples) _refusedLines.Add(line);
        }

        internal void AddDuplicate(int line)
        {
            Duplicates++;
            if (_duplicateLines.Count < MaxExamples) _duplicateLines.Add(line);
        }

        internal void AddCorrection(int line, string? cell, string address)
        {
            Corrected++;
            if (_corrections.Count < MaxExamples) _corrections.Add($"line {line}: '{cell}' → '{address}'");
        }
    }
}
