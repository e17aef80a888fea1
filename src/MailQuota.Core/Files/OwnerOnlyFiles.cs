using System.IO;
using System.Runtime.InteropServices;

namespace MailQuota.Core.Files
{
    /// <summary>
    /// Files that hold recipient history or account settings (the ledger, the profile file) are the
    /// user's own: on Unix a folder created for them is 0700 and the file is created 0600 before
    /// anything is written to it (SQLite gives a database's -wal and -shm files the database's
    /// mode). On Windows a new file inherits the user profile's ACL, which is already the user's own.
    /// </summary>
    public static class OwnerOnlyFiles
    {
        const uint OwnerReadWrite = 0x180;          // 0600
        const uint OwnerReadWriteSearch = 0x1C0;    // 0700

        /// <summary>Creates the folder of <paramref name="path"/> (0700) if it is missing, and the file itself, empty and 0600, if it is missing.</summary>
        public static void Create(string path)
        {
            CreateFolder(Path.GetDirectoryName(path));
            if (File.Exists(path) || Directory.Exists(path)) return;
            try
            {
                using (new FileStream(path, FileMode.CreateNew, FileAccess.Write)) { }
            }
            catch (IOException) when (File.Exists(path))
            {
                return;   // another process or runspace created it meanwhile: it made it owner-only
            }
            Restrict(path, OwnerReadWrite);
        }

        /// <summary>Creates the folder, 0700, if it is missing (its parents as the system makes them).</summary>
        public static void CreateFolder(string? dir)
        {
            if (string.IsNullOrEmpty(dir) || Directory.Exists(dir)) return;
            Directory.CreateDirectory(dir);
            Restrict(dir!, OwnerReadWriteSearch);
        }

        static void Restrict(string path, uint mode)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
            if (chmod(path, mode) != 0) throw new IOException($"Cannot make '{path}' private to its owner (chmod failed, errno {Marshal.GetLastWin32Error()}).");
        }

        [DllImport("libc", SetLastError = true)]
        static extern int chmod(string path, uint mode);
    }
}
