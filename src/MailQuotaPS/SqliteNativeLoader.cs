using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace MailQuotaPS
{
    /// <summary>
    /// The module ships the native SQLite library for several platforms under runtimes/RID/native,
    /// where PowerShell does not look. On import, point the runtime at the one for this machine:
    /// on PowerShell 7 through the load context's ResolvingUnmanagedDll event (reached by
    /// reflection, since the module targets netstandard2.0), on Windows PowerShell by loading the
    /// DLL by full path before SQLite asks for it by name.
    /// </summary>
    public sealed class SqliteNativeLoader : IModuleAssemblyInitializer
    {
        const string LibraryName = "e_sqlite3";
        static bool _registered;

        public void OnImport()
        {
            if (_registered) return;
            _registered = true;
            var path = NativePath();
            if (path == null || !File.Exists(path)) return; // an unknown platform: let the runtime search as usual
            if (!RegisterResolver(path) && RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                LoadLibraryW(path);
        }

        static string? NativePath()
        {
            var baseDir = Path.GetDirectoryName(typeof(SqliteNativeLoader).Assembly.Location)!;
            var arch = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => "x64",
                Architecture.Arm64 => "arm64",
                Architecture.X86 => "x86",
                _ => null,
            };
            if (arch == null) return null;
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return Path.Combine(baseDir, "runtimes", "win-" + arch, "native", LibraryName + ".dll");
            if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) return Path.Combine(baseDir, "runtimes", "osx-" + arch, "native", "lib" + LibraryName + ".dylib");
            return Path.Combine(baseDir, "runtimes", "linux-" + arch, "native", "lib" + LibraryName + ".so");
        }

        static string? _nativePath;

        static bool RegisterResolver(string path)
        {
            var alcType = Type.GetType("System.Runtime.Loader.AssemblyLoadContext");
            var nativeLibrary = Type.GetType("System.Runtime.InteropServices.NativeLibrary");
            var load = nativeLibrary?.GetMethod("Load", new[] { typeof(string) });
            var getContext = alcType?.GetMethod("GetLoadContext", new[] { typeof(Assembly) });
            var resolving = alcType?.GetEvent("ResolvingUnmanagedDll");
            if (load == null || getContext == null || resolving == null) return false;

            _nativePath = path;
            _load = (Func<string, IntPtr>)Delegate.CreateDelegate(typeof(Func<string, IntPtr>), load);
            var handler = Delegate.CreateDelegate(resolving.EventHandlerType!, typeof(SqliteNativeLoader).GetMethod(nameof(Resolve), BindingFlags.NonPublic | BindingFlags.Static)!);
            // SQLitePCLRaw's provider issues the DllImport; resolve in the context that loaded it.
            var sqliteProvider = typeof(SQLitePCL.SQLite3Provider_e_sqlite3).Assembly;
            resolving.AddEventHandler(getContext.Invoke(null, new object[] { sqliteProvider }), handler);
            return true;
        }

        static Func<string, IntPtr>? _load;

        static IntPtr Resolve(Assembly requester, string name) =>
            name == LibraryName || name == "lib" + LibraryName ? _load!(_nativePath!) : IntPtr.Zero;

        [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
        static extern IntPtr LoadLibraryW(string path);
    }
}
