using System;
using System.IO;
using System.Text;
using MailQuota.Core.Import;

namespace MailQuota.Core.Tests.Import
{
    /// <summary>A temporary folder for the files a test writes; removed afterwards.</summary>
    public sealed class TempFiles : IDisposable
    {
        public TempFiles()
        {
            Folder = Path.Combine(Path.GetTempPath(), "mqps-import-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Folder);
        }

        public string Folder { get; }

        /// <summary>Writes the text in the encoding, with the encoding's byte-order mark when <paramref name="bom"/>.</summary>
        public string Write(string name, string text, Encoding encoding, bool bom = false)
        {
            var path = Path.Combine(Folder, name);
            using var stream = File.Create(path);
            if (bom)
            {
                var preamble = encoding.GetPreamble();
                stream.Write(preamble, 0, preamble.Length);
            }
            var bytes = encoding.GetBytes(text);
            stream.Write(bytes, 0, bytes.Length);
            return path;
        }

        public string WriteUtf8(string name, string text) => Write(name, text, new UTF8Encoding(false));

        public static Encoding Gb18030 => TextEncodings.Gb18030;

        public void Dispose()
        {
            try { Directory.Delete(Folder, true); } catch (IOException) { }
        }
    }
}
