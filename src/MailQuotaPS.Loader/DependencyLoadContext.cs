using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace MailQuotaPS.Loader
{
    /// <summary>
    /// The module's private load context on PowerShell 7. MailQuotaPS.dll (the cmdlets) stays in
    /// PowerShell's shared context and references only MailQuota.Core; when the shared context
    /// cannot find MailQuota.Core it asks this context, which loads it and everything it uses
    /// (MailKit, MimeKit, BouncyCastle, CsvHelper, Microsoft.Data.Sqlite, SQLitePCLRaw) from the
    /// module's deps folder, whatever versions other modules have loaded. Assemblies the runtime or
    /// PowerShell itself provides come from the shared context, so there is one System.Text.Json
    /// and one System.Memory. The native SQLite library is taken from deps/runtimes/RID/native.
    /// </summary>
    public sealed class DependencyLoadContext : AssemblyLoadContext
    {
        const string EntryAssembly = "MailQuota.Core";
        static readonly object Sync = new object();
        static DependencyLoadContext? _instance;

        readonly string _folder;
        readonly string? _nativeFolder;
        readonly HashSet<string> _platform;

        DependencyLoadContext(string folder) : base("MailQuotaPS", isCollectible: false)
        {
            _folder = folder;
            _nativeFolder = NativeFolder(folder);
            _platform = PlatformAssemblies();
        }

        /// <summary>
        /// Called by MailQuotaPS.psm1 before it imports the cmdlets. A second import in the same
        /// process (Import-Module -Force, another runspace) finds the context already in place.
        /// </summary>
        public static void Register(string folder)
        {
            lock (Sync)
            {
                if (_instance != null) return;
                var context = new DependencyLoadContext(Path.GetFullPath(folder));
                Default.Resolving += (_, name) => name.Name == EntryAssembly ? context.LoadFromAssemblyName(name) : null;
                _instance = context;
            }
        }

        /// <summary>A library from deps/, unless the runtime or PowerShell provides it.</summary>
        protected override Assembly? Load(AssemblyName name)
        {
            if (name.Name == null || _platform.Contains(name.Name)) return null;
            var path = Path.Combine(_folder, name.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }

        /// <summary>A native library (SQLite's e_sqlite3) from deps/runtimes/RID/native.</summary>
        protected override IntPtr LoadUnmanagedDll(string name)
        {
            if (_nativeFolder == null) return IntPtr.Zero;
            foreach (var file in new[] { name, name + ".dll", "lib" + name + ".so", "lib" + name + ".dylib" })
            {
                var path = Path.Combine(_nativeFolder, file);
                if (File.Exists(path)) return LoadUnmanagedDllFromPath(path);
            }
            return IntPtr.Zero;
        }

        /// <summary>deps/runtimes/RID/native for this OS and processor, or null on a platform the module does not ship for.</summary>
        static string? NativeFolder(string folder)
        {
            var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : OperatingSystem.IsLinux() ? "linux" : null;
            var arch = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => "x64",
                Architecture.Arm64 => "arm64",
                Architecture.X86 => "x86",
                _ => null,
            };
            if (os == null || arch == null) return null;
            var path = Path.Combine(folder, "runtimes", os + "-" + arch, "native");
            return Directory.Exists(path) ? path : null;
        }

        /// <summary>Simple names of the runtime's and PowerShell's own assemblies (the host's trusted platform assemblies).</summary>
        static HashSet<string> PlatformAssemblies()
        {
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "";
            foreach (var path in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                names.Add(Path.GetFileNameWithoutExtension(path));
            return names;
        }
    }
}
