using System.Text;

namespace MailQuota.Core.Import
{
    /// <summary>How to read recipient files; anything left null is detected per file.</summary>
    public sealed class RecipientImportOptions
    {
        public Encoding? Encoding { get; set; }
        public char? Delimiter { get; set; }
        public string? AddressColumn { get; set; }
        public string? NameColumn { get; set; }
    }
}
