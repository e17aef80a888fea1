using System;
using System.Collections.Generic;
using System.Linq;

namespace MailQuota.Core.Profiles
{
    /// <summary>
    /// Every profile a user can name: the built-in ones, read-only, and the user's own from the
    /// profile file. Names are case-insensitive and unique across both.
    /// </summary>
    public sealed class ProfileCatalog
    {
        readonly ProfileStore _store;

        public ProfileCatalog(string userProfilesPath) => _store = new ProfileStore(userProfilesPath);

        /// <summary>The user's profile file.</summary>
        public string Path => _store.Path;

        /// <summary>Built-in profiles first, then the user's, each a fresh copy.</summary>
        public IReadOnlyList<SendProfile> All() => BuiltInProfiles.All().Concat(_store.Load()).ToList();

        /// <summary>The profile of that name; throws <see cref="ProfileException"/> (ProfileNotFound) listing what exists.</summary>
        public SendProfile Find(string name)
        {
            var builtIn = BuiltInProfiles.All();
            var found = builtIn.FirstOrDefault(p => Same(p.Name, name));
            if (found != null) return found;
            var user = _store.Load();
            return user.FirstOrDefault(p => Same(p.Name, name))
                ?? throw new ProfileException("ProfileNotFound", name,
                    $"There is no profile '{name}'. Known profiles: {string.Join(", ", builtIn.Concat(user).Select(p => p.Name))} (user profiles from '{Path}').");
        }

        public SendProfile Add(SendProfile profile)
        {
            profile.Validate();
            RefuseBuiltIn(profile.Name, "is built in; give the new profile another name");
            return _store.Change(profiles =>
            {
                if (profiles.Any(p => Same(p.Name, profile.Name)))
                    throw new ProfileException("ProfileExists", profile.Name, $"A profile '{profile.Name}' already exists in '{Path}'.");
                profiles.Add(profile);
                return profile;
            });
        }

        /// <summary>Applies <paramref name="change"/> to a user profile and saves it when it is still valid.</summary>
        public SendProfile Change(string name, Action<SendProfile> change)
        {
            RefuseBuiltIn(name, "is built in and read-only; change a copy of it instead");
            return _store.Change(profiles =>
            {
                var index = IndexOf(profiles, name);
                var changed = profiles[index].CopyAs(profiles[index].Name);
                change(changed);
                changed.Name = profiles[index].Name;
                changed.Validate();
                profiles[index] = changed;
                return changed;
            });
        }

        public void Remove(string name)
        {
            RefuseBuiltIn(name, "is built in and cannot be removed");
            _store.Change(profiles =>
            {
                profiles.RemoveAt(IndexOf(profiles, name));
                return 0;
            });
        }

        int IndexOf(List<SendProfile> profiles, string name)
        {
            var index = profiles.FindIndex(p => Same(p.Name, name));
            if (index < 0) throw new ProfileException("ProfileNotFound", name, $"There is no user profile '{name}' in '{Path}'.");
            return index;
        }

        static void RefuseBuiltIn(string name, string reason)
        {
            if (BuiltInProfiles.All().Any(p => Same(p.Name, name)))
                throw new ProfileException("BuiltInProfileReadOnly", name, $"The profile '{name}' {reason}.");
        }

        static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
    }
}
