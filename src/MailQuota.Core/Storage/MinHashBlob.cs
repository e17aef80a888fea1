namespace MailQuota.Core.Storage
{
    /// <summary>A MinHash signature as stored: 16 bits per value, little-endian, in either engine.</summary>
    internal static class MinHashBlob
    {
        public static byte[] ToBlob(ushort[] signature)
        {
            var blob = new byte[signature.Length * 2];
            for (var i = 0; i < signature.Length; i++)
            {
                blob[2 * i] = (byte)signature[i];
                blob[2 * i + 1] = (byte)(signature[i] >> 8);
            }
            return blob;
        }

        public static ushort[] FromBlob(byte[] blob)
        {
            var signature = new ushort[blob.Length / 2];
            for (var i = 0; i < signature.Length; i++) signature[i] = (ushort)(blob[2 * i] | blob[2 * i + 1] << 8);
            return signature;
        }
    }
}
