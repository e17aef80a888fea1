using System;

namespace MailQuota.Core.Auth
{
    /// <summary>An OAuth 2.0 access token and how long it is good for from the moment it was handed over.</summary>
    public sealed class AccessToken
    {
        public AccessToken(string value, TimeSpan lifetime)
        {
            if (string.IsNullOrEmpty(value)) throw new ArgumentException("an access token cannot be empty", nameof(value));
            Value = value;
            Lifetime = lifetime;
        }

        /// <summary>The bearer token itself: goes to the SMTP server and nowhere else.</summary>
        public string Value { get; }

        public TimeSpan Lifetime { get; }

        /// <summary>Never includes the token.</summary>
        public override string ToString() => $"access token valid for {Lifetime.TotalMinutes:0} min";
    }
}
