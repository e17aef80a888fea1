using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace MailQuota.Core.Mail
{
    /// <summary>
    /// A text with <c>{{Column}}</c> merge fields (names case-insensitive, spaces inside the braces
    /// ignored). Rendering fails, naming the field, when the row has no such column.
    /// </summary>
    public sealed class MergeTemplate
    {
        static readonly Regex Field = new Regex(@"\{\{\s*([^{}]+?)\s*\}\}", RegexOptions.Compiled | RegexOptions.CultureInvariant);
        readonly string _text;

        public MergeTemplate(string? text)
        {
            _text = text ?? "";
            Fields = Field.Matches(_text).Cast<Match>().Select(m => m.Groups[1].Value)
                .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        }

        public IReadOnlyList<string> Fields { get; }
        public bool HasFields => Fields.Count > 0;

        /// <summary>Renders the text; HTML-encodes the values when <paramref name="html"/> is set.</summary>
        public string Render(IReadOnlyDictionary<string, string?> values, bool html = false)
        {
            if (!HasFields) return _text;
            return Field.Replace(_text, m =>
            {
                var name = m.Groups[1].Value;
                if (!values.TryGetValue(name, out var value))
                    throw new MergeFieldException(name);
                value ??= "";
                return html ? WebUtility.HtmlEncode(value) : value;
            });
        }

        /// <summary>
        /// The text as a provider's content filter sees a mail merge: each short value (a name, an
        /// amount, a date: up to <paramref name="maxPlaceholderLength"/> characters) goes back to its
        /// <c>{{Field}}</c>, so every row of one template looks alike; longer values are real content
        /// and are rendered. With <paramref name="values"/> null (the template alone) every field stays
        /// a placeholder; otherwise a missing field fails as in <see cref="Render"/>.
        /// </summary>
        public string RenderSkeleton(IReadOnlyDictionary<string, string?>? values, int maxPlaceholderLength, bool html = false)
        {
            if (!HasFields) return _text;
            return Field.Replace(_text, m =>
            {
                var name = m.Groups[1].Value;
                string? value = null;
                if (values != null && !values.TryGetValue(name, out value))
                    throw new MergeFieldException(name);
                value = value?.Trim() ?? "";
                if (values == null || value.Length <= maxPlaceholderLength) return "{{" + name + "}}";
                return html ? WebUtility.HtmlEncode(value) : value;
            });
        }

        public override string ToString() => _text;
    }

    public sealed class MergeFieldException : Exception
    {
        public MergeFieldException(string field)
            : base($"the merge field {{{{{field}}}}} has no matching column in the row")
        {
            FieldName = field;
        }

        public string FieldName { get; }
    }
}
