using System.Runtime.CompilerServices;
namespace MailQuota.Core.Content
{
    /// <summary>
    /// Locality-sensitive hashing of a MinHash signature: 16 bands of 8 minima, each hashed to one
    /// key. Two messages share at least one key with probability 1 − (1 − J⁸)¹⁶: about 0.5 at
    /// J = 0.7, 0.95 at 0.8 and 0.9999 at 0.9, and almost never below 0.4. Messages that share a
    /// key are the only ones compared.
    /// </summary>
    public static class LshBands
    {
        public const int Bands = 16;
        public const int Rows = MinHasher.Size / Bands;

        [MethodImpl(ContentHash.HotPath)]
        public static long[] Keys(uint[] minima)
        {
            var keys = new long[Bands];
            for (var band = 0; band < Bands; band++)
            {
                var h = ContentHash.Mix((ulong)band + 0x6c7368626e6473UL);
                for (var row = 0; row < Rows; row++)
                    h = ContentHash.Mix(h ^ minima[band * Rows + row]);
                keys[band] = (long)h;
            }
            return keys;
        }
    }
}
