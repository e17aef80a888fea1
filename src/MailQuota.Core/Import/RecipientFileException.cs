using System;

namespace MailQuota.Core.Import
{
    /// <summary>A file that cannot be imported at all (or no further); the import goes on with the next file.</summary>
    public sealed class RecipientFileException : Exception
    {
        public RecipientFileException(string path, string errorId, string reason, Exception? inner = null)
            : base($"{path}: {reason}.", inner)
        {
            Path = path;
            ErrorId = errorId;
        }

        public string Path { get; }

        /// <summary>Stable identifier: NoAddressColumn, NoSuchColumn, EmptyFile, FieldTooLong, FileUnreadable.</summary>
        public string ErrorId { get; }
    }
}
