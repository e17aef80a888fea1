using System;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace MailQuota.Core.Monitoring
{
    /// <summary>
    /// A filter value with PowerShell's wildcards (* ? [a-z], ` escapes), matched case-insensitively.
    /// A value without wildcards is a literal, which a query can hand to the database as is.
    /// </summary>
    public sealed class TextPattern
    {
        readonly Regex _regex;

        public TextPattern(string pattern)
        {
            if (pattern == null) throw new ArgumentNullException(nameof(pattern));
            var regex = new StringBuilder("^");
            var literal = new StringBuilder();
            var wild = false;
            for (var i = 0; i < pattern.Length; i++)
            {
                var c = pattern[i];
                if (c == '`' && i + 1 < pattern.Length)
                {
                    c = pattern[++i];
                    regex.Append(Regex.Escape(c.ToString()));
                    literal.Append(c);
                }
                else if (c == '*') { regex.Append(".*"); wild = true; }
                else if (c == '?') { regex.Append('.'); wild = true; }
                else if (c == '[' && pattern.IndexOf(']', i + 1) is int end && end > i + 1)
                {
                    regex.Append('[').Append(pattern.Substring(i + 1, end - i - 1).Replace(@"\", @"\\").Replace("^", @"\^").Replace("[", @"\[")).Append(']');
                    wild = true;
                    i = end;
                }
                else
                {
                    regex.Append(Regex.Escape(c.ToString()));
                    literal.Append(c);
                }
            }
            _regex = new Regex(regex.Append('$').ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
            Literal = wild ? null : literal.ToString();
        }

        /// <summary>The text to match exactly (ignoring case), or null when the pattern has wildcards.</summary>
        public string? Literal { get; }

        /// <summary>True when a database's ASCII-only case folding compares the literal the same way.</summary>
        internal bool IsAsciiLiteral => Literal != null && Literal.All(ch => ch < 128);

        public bool IsMatch(string? value) => value != null && _regex.IsMatch(value);
    }
}
