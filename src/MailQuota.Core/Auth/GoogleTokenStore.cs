using System;
using System.Collections.Generic;
using System.Text;
using System.Threading.Tasks;
using Google.Apis.Json;
using Google.Apis.Util.Store;

namespace MailQuota.Core.Auth
{
    /// <summary>
    /// Where Google's sign-in library keeps a user's tokens (the refresh token above all): in the
    /// protected <see cref="TokenCacheFile"/>, one entry per user, instead of the library's
    /// FileDataStore, which writes them in clear. Without a file it keeps them for this run only.
    /// </summary>
    public sealed class GoogleTokenStore : IDataStore
    {
        readonly TokenCacheFile? _file;
        readonly object _lock = new object();
        Dictionary<string, string>? _memory;

        public GoogleTokenStore(TokenCacheFile? file) => _file = file;

        public Task StoreAsync<T>(string key, T value)
        {
            Change(entries => entries[Key<T>(key)] = NewtonsoftJsonSerializer.Instance.Serialize(value));
            return Task.CompletedTask;
        }

        public Task DeleteAsync<T>(string key)
        {
            Change(entries => entries.Remove(Key<T>(key)));
            return Task.CompletedTask;
        }

        public Task<T> GetAsync<T>(string key)
        {
            lock (_lock)
            {
                var entries = Load();
                return Task.FromResult(entries.TryGetValue(Key<T>(key), out var json) ? NewtonsoftJsonSerializer.Instance.Deserialize<T>(json) : default!);
            }
        }

        public Task ClearAsync()
        {
            Change(entries => entries.Clear());
            return Task.CompletedTask;
        }

        static string Key<T>(string key) => typeof(T).FullName + "-" + key;

        /// <summary>Read again each time: another process may have renewed the token since.</summary>
        Dictionary<string, string> Load()
        {
            if (_file == null) return _memory ??= new Dictionary<string, string>(StringComparer.Ordinal);
            var data = _file.Read();
            return data.Length == 0 ? new Dictionary<string, string>(StringComparer.Ordinal)
                : NewtonsoftJsonSerializer.Instance.Deserialize<Dictionary<string, string>>(Encoding.UTF8.GetString(data));
        }

        /// <summary>Another process may keep other users' tokens under the same OAuth client: read, change and write under the file's lock.</summary>
        void Change(Action<Dictionary<string, string>> change)
        {
            lock (_lock)
            using (_file?.Lock())
            {
                var entries = Load();
                change(entries);
                _file?.Write(Encoding.UTF8.GetBytes(NewtonsoftJsonSerializer.Instance.Serialize(entries)));
            }
        }
    }
}
