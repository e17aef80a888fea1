using System.Runtime.CompilerServices;
namespace MailQuota.Core.Content
{
    /// <summary>
    /// The features of a normalised text, as 32-bit hashes: word 3-shingles for space-delimited
    /// text, character 2- and 3-grams for Chinese and Japanese. Every word, placeholder and CJK
    /// character is one unit; each run of three units is a feature, and each pair of adjacent CJK
    /// characters is one more. A text of one or two units is a single feature.
    /// </summary>
    public static class ShingleExtractor
    {
        const ulong Trigram = 0x3c6ef372fe94f82bUL;
        const ulong Bigram = 0xa54ff53a5f1d36f1UL;

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
                if (!ContentNormalizer.IsCjk(normalized[start]))
                {
                    units[count++] = ContentHash.OfChars(normalized, start, i - start);
                    continue;
                }
                for (var k = start; k < i;)
                {
                    var length = char.IsHighSurrogate(normalized[k]) && k + 1 < i ? 2 : 1;
                    cjk[count] = true;
                    units[count++] = ContentHash.OfChars(normalized, k, length);
                    k += length;
                }
            }

            if (count == 0) return new uint[0];
            if (count < 3) return new[] { Fold(count == 1 ? units[0] : Pair(units[0], units[1], Bigram)) };
            var features = new uint[2 * count];
            var f = 0;
            for (var k = 0; k + 2 < count; k++)
            {
                features[f++] = Fold(ContentHash.Mix(units[k] ^ ContentHash.Rotate(units[k + 1], 21) ^ ContentHash.Rotate(units[k + 2], 42) ^ Trigram));
                if (cjk[k] && cjk[k + 1]) features[f++] = Fold(Pair(units[k], units[k + 1], Bigram));
            }
            if (cjk[count - 2] && cjk[count - 1]) features[f++] = Fold(Pair(units[count - 2], units[count - 1], Bigram));
            System.Array.Resize(ref features, f);
            return features;
        }

        static ulong Pair(ulong a, ulong b, ulong kind) => ContentHash.Mix(a ^ ContentHash.Rotate(b, 21) ^ kind);

        static uint Fold(ulong h) => (uint)(h ^ (h >> 32));
    }
}
