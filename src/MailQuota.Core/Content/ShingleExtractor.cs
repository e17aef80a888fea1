using System.Runtime.CompilerServices;
namespace MailQuota.Core.Content
{
    /// <summary>
    /// The features of a normalised text, as 32-bit hashes: word 2-shingles for space-delimited
    /// text, character 2- and 3-grams for Chinese and Japanese. Every word, placeholder and CJK
    /// character is one unit; each pair of adjacent units is a feature, and each run of three
    /// starting with a CJK character one more (a character carries less than a word). An edited word
    /// changes two features, not three: personalised copies of a short text stay near. A text of
    /// one unit is a single feature. A quoted word keeps its
    /// "&gt;" prefix, and a quoted CJK character its depth, so quoted text gives other features.
    /// </summary>
    public static class ShingleExtractor
    {
        const ulong Trigram = 0x3c6ef372fe94f82bUL;
        const ulong Bigram = 0xa54ff53a5f1d36f1UL;
        const ulong Quoted = 0x510e527fade682d1UL;

        [MethodImpl(ContentHash.HotPath)]
        public static uint[] Features(string normalized)
        {
            var n = normalized.Length;
            var units = new ulong[n + 1]; // a unit takes at least one character
            var cjk = new bool[units.Length];
            var count = 0;
            var i = 0;
            while (i < n)
            {
                if (normalized[i] == ' ') { i++; continue; }
                var start = i;
                while (i < n && normalized[i] != ' ') i++;
                var depth = 0;
                while (start + depth < i - 1 && normalized[start + depth] == '>') depth++;
                if (!ContentNormalizer.IsCjk(normalized[start + depth]))
                {
                    units[count++] = ContentHash.OfChars(normalized, start, i - start);
                    continue;
                }
                var quote = (ulong)depth * Quoted; // a quoted CJK character is another unit than the same character unquoted
                for (var k = start + depth; k < i;)
                {
                    var length = char.IsHighSurrogate(normalized[k]) && k + 1 < i ? 2 : 1;
                    cjk[count] = true;
                    units[count++] = ContentHash.OfChars(normalized, k, length) ^ quote;
                    k += length;
                }
            }

            if (count == 0) return new uint[0];
            if (count == 1) return new[] { Fold(units[0]) };
            var features = new uint[2 * count];
            var f = 0;
            for (var k = 0; k + 1 < count; k++)
            {
                features[f++] = Fold(Pair(units[k], units[k + 1], Bigram));
                if (cjk[k] && k + 2 < count)
                    features[f++] = Fold(ContentHash.Mix(units[k] ^ ContentHash.Rotate(units[k + 1], 21) ^ ContentHash.Rotate(units[k + 2], 42) ^ Trigram));
            }
            System.Array.Resize(ref features, f);
            return features;
        }

        static ulong Pair(ulong a, ulong b, ulong kind) => ContentHash.Mix(a ^ ContentHash.Rotate(b, 21) ^ kind);

        static uint Fold(ulong h) => (uint)(h ^ (h >> 32));
    }
}
