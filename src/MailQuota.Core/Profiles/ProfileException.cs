using System;

namespace MailQuota.Core.Profiles
{
    /// <summary>A profile cannot be found, saved or used; <see cref="ErrorId"/> says why.</summary>
    public sealed class ProfileException : Exception
    {
        public ProfileException(string errorId, string profileName, string message, Exception? inner = null) : base(message, inner)
        {
            ErrorId = errorId;
            ProfileName = profileName;
        }

        /// <summary>Stable identifier: ProfileNotFound, ProfileExists, BuiltInProfileReadOnly, InvalidProfile, ProfileFileInvalid.</summary>
        public string ErrorId { get; }

        public string ProfileName { get; }
    }
}
