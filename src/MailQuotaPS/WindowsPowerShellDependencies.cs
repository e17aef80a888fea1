using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace MailQuotaPS
{
    /// <summary>
    /// Windows PowerShell 5.1 has no load contexts: there MailQuotaPS.psm1 calls this before it
    /// imports the cmdlets, and the module's dependencies load from its deps folder into the one
    /// shared context (a dependency another module loaded first can still conflict). The native
    /// SQLite library is loaded by full path, so that SQLite finds it by name.
    /// </summary>
    public static class WindowsPowerShellDependencies
    {
        static readonly object Sync = new object();
        static string? _folder;

        public static void Register(string folder)
        {
            lock (Sync)
            {
                if (_folder != null) return;
                _folder = Path.GetFullPath(folder);
                AppDomain.CurrentDomain.AssemblyResolve += Resolve;
                var arch = RuntimeInformation.ProcessArchitecture == Architecture.X86 ? "x86" : "x64";
                var native = Path.Combine(_folder, "runtimes", "win-" + arch, "native", "e_sqlite3.dll");
                if (File.Exists(native)) LoadLibraryW(native);
            }
        }

        static Assembly? Resolve(object? sender, ResolveEventArgs args)
        {
            var path = Path.Combine(_folder!, new AssemblyName(args.Name).Name + ".dll");
            return File.Exists(path) ? Assembly.LoadFrom(path) : null;
        }

        [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
        static extern IntPtr LoadLibraryW(string path);
    }
}
