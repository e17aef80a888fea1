using System;

namespace MailQuota.Core.Smtp
{
    /// <summary>
    /// Signing in failed for a reason that trying again will not fix: the run stops. The message says
    /// what failed (never a secret or a token), <see cref="Fix"/> what to change.
    /// </summary>
    public sealed class SignInException : Exception
    {
        public SignInException(string errorId, string message, string fix, Exception? inner = null) : base(message, inner)
        {
            ErrorId = errorId;
            Fix = fix;
        }

        /// <summary>A stable id, listed in the README's table of sign-in errors (e.g. OAuthTokenRefused).</summary>
        public string ErrorId { get; }

        /// <summary>What the user should change before running again.</summary>
        public string Fix { get; }
    }
}
