using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using MailQuota.Core.Smtp;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.Extensions.Msal;

namespace MailQuota.Core.Auth
{
    /// <summary>
    /// Keeps tokens between runs (so a second process signs in without asking again): MSAL's token
    /// cache, or Google's tokens for a user (<see cref="GoogleTokenStore"/>), in the platform's protected store: a DPAPI-encrypted file on Windows, the Keychain on macOS, the
    /// Secret Service keyring (libsecret) on Linux. Where there is none (a headless Linux box) it
    /// writes tokens in clear only to a file the user names, readable by the user alone.
    /// </summary>
    public sealed class TokenCacheFile
    {
        const string Product = "MailQuotaPS";
        readonly Func<byte[]> _read;
        readonly Action<byte[]> _write;
        readonly Func<IDisposable> _lock;
        readonly Action<ITokenCache>? _attach;

        /// <param name="lockFile">Held by one process at a time (<see cref="Lock"/>).</param>
        /// <param name="attach">How MSAL's cache is kept there; null: loaded with <paramref name="read"/> before each use and saved with <paramref name="write"/> after each change.</param>
        TokenCacheFile(string where, Func<byte[]> read, Action<byte[]> write, Func<IDisposable> lockFile, Action<ITokenCache>? attach = null)
        {
            Where = where;
            _read = read;
            _write = write;
            _lock = lockFile;
            _attach = attach;
        }

        /// <summary>Where the tokens are kept, for the log.</summary>
        public string Where { get; }

        /// <summary>What is kept (empty when nothing is yet).</summary>
        public byte[] Read() => _read();

        /// <summary>Replaces what is kept.</summary>
        public void Write(byte[] data) => _write(data);

        /// <summary>Keeps other processes out until disposed, for a read, change and write as one.</summary>
        public IDisposable Lock() => _lock();

        /// <summary>Loads the cache before MSAL reads it and saves it after MSAL changes it.</summary>
        public void Attach(ITokenCache cache)
        {
            if (_attach != null)
            {
                _attach(cache);
                return;
            }
            cache.SetBeforeAccess(args => args.TokenCache.DeserializeMsalV3(Read()));
            cache.SetAfterAccess(args =>
            {
                if (args.HasStateChanged) Write(args.TokenCache.SerializeMsalV3());
            });
        }

        public static string DefaultFolder() =>
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), Product);

        /// <summary>
        /// The protected store for one app's tokens, or the explicit file. Null when there is no
        /// protected store and no file was named; <paramref name="unavailable"/> then says why.
        /// </summary>
        /// <param name="name">Tells the caches apart, e.g. "entra-app-{clientId}".</param>
        public static TokenCacheFile? Open(string name, string? explicitPath, out string? unavailable)
        {
            unavailable = null;
            var isWindows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
            if (!string.IsNullOrWhiteSpace(explicitPath) && !isWindows) return OwnerOnlyFile(Path.GetFullPath(explicitPath));
            var path = string.IsNullOrWhiteSpace(explicitPath) ? Path.Combine(DefaultFolder(), name + ".cache") : Path.GetFullPath(explicitPath);
            var properties = new StorageCreationPropertiesBuilder(Path.GetFileName(path), Path.GetDirectoryName(path))
                .WithMacKeyChain(Product, name)
                .WithLinuxKeyring("org.mailquotaps.tokencache", MsalCacheHelper.LinuxKeyRingDefaultCollection, $"{Product} token cache ({name})",
                    new KeyValuePair<string, string>("product", Product), new KeyValuePair<string, string>("cache", name))
                .Build();
            try
            {
                var helper = MsalCacheHelper.CreateAsync(properties).GetAwaiter().GetResult();
                helper.VerifyPersistence();
                var where = isWindows ? $"the DPAPI-encrypted file {path}"
                    : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "the macOS Keychain"
                    : "the Secret Service keyring (libsecret)";
                var storage = Microsoft.Identity.Client.Extensions.Msal.Storage.Create(properties);
                return new TokenCacheFile(where, storage.ReadData, storage.WriteData, () => LockFile(path), helper.RegisterCache);
            }
            catch (Exception e) when (e is MsalCachePersistenceException || e is DllNotFoundException || e is TypeInitializationException || e is EntryPointNotFoundException)
            {
                unavailable = $"this system has no protected token store ({e.GetBaseException().Message})";
                return null;
            }
        }

        /// <summary>The explicit file on Linux and macOS: created readable and writable by the owner only (0600), replaced whole on each change.</summary>
        static TokenCacheFile OwnerOnlyFile(string path)
        {
            var folder = Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
            return new TokenCacheFile($"the file {path} (readable by you only, not encrypted)",
                () => File.Exists(path) ? File.ReadAllBytes(path) : new byte[0],
                data =>
                {
                    var temp = path + ".tmp";
                    File.WriteAllBytes(temp, new byte[0]);
                    OwnerOnly(temp);
                    File.WriteAllBytes(temp, data);
                    if (File.Exists(path)) File.Replace(temp, path, null);
                    else File.Move(temp, path);
                },
                () => LockFile(path));
        }

        /// <summary>A lock file beside the cache (or where it would be: the keyring and the Keychain have no file).</summary>
        static IDisposable LockFile(string path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            return new CrossPlatLock(path + ".lockfile");
        }

        static void OwnerOnly(string path)
        {
            if (chmod(path, 0x180) != 0)   // 0600
                throw new SignInException("TokenCacheUnprotected", $"Cannot make the token cache file '{path}' readable by its owner only (errno {Marshal.GetLastWin32Error()}).",
                    "Choose a -TokenCachePath on a local file system that keeps Unix permissions.");
        }

        [DllImport("libc", SetLastError = true)]
        static extern int chmod(string path, int mode);
    }
}
