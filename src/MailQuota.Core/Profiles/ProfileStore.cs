using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using MailQuota.Core.Files;
using System.Text.Json.Serialization;
using System.Threading;

namespace MailQuota.Core.Profiles
{
    /// <summary>
    /// The user's profiles in one JSON file. Every change is a read-modify-write under an exclusive
    /// lock on a sidecar file (so two processes never lose each other's change) and replaces the file
    /// whole (so a reader never sees half of it).
    /// </summary>
    public sealed class ProfileStore
    {
        static readonly JsonSerializerOptions Json = new JsonSerializerOptions
        {
            WriteIndented = true,
            PropertyNameCaseInsensitive = true,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Converters = { new JsonStringEnumConverter() },
        };

        /// <summary>How long a change waits for another process's change to finish.</summary>
        static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

        public ProfileStore(string path) => Path = path;

        public string Path { get; }

        /// <summary>The saved profiles; none when the file does not exist yet.</summary>
        public IReadOnlyList<SendProfile> Load() => Read();

        /// <summary>Applies <paramref name="change"/> to the saved profiles and saves the result, under the lock.</summary>
        public T Change<T>(Func<List<SendProfile>, T> change)
        {
            OwnerOnlyFiles.CreateFolder(System.IO.Path.GetDirectoryName(Path));
            using var held = Lock();
            var profiles = Read();
            var result = change(profiles);
            Write(profiles);
            return result;
        }

        List<SendProfile> Read()
        {
            if (!File.Exists(Path)) return new List<SendProfile>();
            try
            {
                var file = JsonSerializer.Deserialize<ProfileFile>(File.ReadAllText(Path), Json);
                return file?.Profiles ?? new List<SendProfile>();
            }
            catch (JsonException e)
            {
                throw new ProfileException("ProfileFileInvalid", "",
                    $"The profile file '{Path}' is not valid ({e.Message}). Fix or remove it; the built-in profiles still work.", e);
            }
        }

        void Write(List<SendProfile> profiles)
        {
            var temp = Path + ".tmp-" + Guid.NewGuid().ToString("N");
            OwnerOnlyFiles.Create(temp);   // written owner-only from the start, then moved over the profile file
            File.WriteAllText(temp, JsonSerializer.Serialize(new ProfileFile { Profiles = profiles }, Json));
            if (File.Exists(Path)) File.Replace(temp, Path, null);
            else File.Move(temp, Path);
        }

        FileStream Lock()
        {
            var deadline = DateTime.UtcNow + LockTimeout;
            while (true)
            {
                try { return new FileStream(Path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
                catch (IOException) when (DateTime.UtcNow < deadline) { Thread.Sleep(20); }
            }
        }

        sealed class ProfileFile
        {
            public List<SendProfile> Profiles { get; set; } = new List<SendProfile>();
        }
    }
}
