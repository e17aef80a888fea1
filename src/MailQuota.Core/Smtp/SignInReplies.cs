using System;

namespace MailQuota.Core.Smtp
{
    /// <summary>
    /// What an SMTP server's refusal of a sign-in means and how to fix it, by the enhanced status code
    /// Exchange Online and Gmail put in the reply (README: "Sign-in errors").
    /// </summary>
    public static class SignInReplies
    {
        static readonly (string Code, string ErrorId, string Fix)[] Known =
        {
            ("5.7.139", "SmtpAuthDisabled",
                "SMTP AUTH is turned off for this mailbox or the tenant (or security defaults block it). Exchange Online: Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false, and check Get-TransportConfig | Select SmtpClientAuthenticationDisabled."),
            ("5.7.3", "OAuthTokenRefused",
                "Exchange Online did not accept the token for this mailbox. App-only: the app needs the Office 365 Exchange Online permission SMTP.SendAsApp with admin consent, its service principal registered in Exchange (New-ServicePrincipal) and FullAccess on the mailbox (Add-MailboxPermission); the sending account must be that mailbox's address. Interactive: the signed-in user must be the mailbox (or have Send As on it)."),
            ("5.7.57", "SmtpNotAuthenticated",
                "The server wants a sign-in before it takes mail: give a profile that signs in (New-SendProfile -TenantId -ClientId ...) or -Credential, and check SMTP AUTH is enabled for the mailbox."),
            ("5.7.9", "GooglePasswordRefused",
                "Google refuses password sign-in for this account: sign in with OAuth (-SignIn GoogleUser, or a service account with domain-wide delegation; see the README) or use an app password."),
            ("5.7.14", "GooglePasswordRefused",
                "Google wants a browser sign-in for this account: sign in with OAuth (-SignIn GoogleUser, or a service account with domain-wide delegation; see the README) or use an app password."),
            ("5.7.8", "OAuthTokenRefused",
                "Google did not accept the token for this user: in the Admin console (Security > API controls > Domain-wide delegation) the service account's client id must be allowed the scope https://mail.google.com/, and the account must be the mailbox the token was issued for; a Google user (GoogleUser) must sign in as the From address, with that scope allowed."),
        };

        const string PasswordFix =
            "Check the user name and password. Exchange Online turns SMTP AUTH with a password off at the end of December 2026, and Google refuses passwords from apps: sign in with OAuth 2.0 instead (a profile with -SignIn, see the README).";

        /// <summary>The error for a refused sign-in reply (MailKit gives the reply text with its enhanced code, e.g. "5.7.3 Authentication unsuccessful").</summary>
        /// <param name="withPassword">The sign-in was a password, not a token: "not accepted" then means the password.</param>
        public static SignInException Refused(string reply, string account, Exception? inner = null, bool withPassword = false)
        {
            var message = $"The SMTP server refused the sign-in of '{account}': {reply.Trim()}";
            foreach (var (code, id, fix) in Known)
            {
                if (!Mentions(reply, code)) continue;
                return withPassword && id == "OAuthTokenRefused"
                    ? new SignInException("SmtpPasswordRefused", message, PasswordFix, inner)
                    : new SignInException(id, message, fix, inner);
            }
            if (withPassword) return new SignInException("SmtpPasswordRefused", message, PasswordFix, inner);
            return new SignInException("SmtpSignInFailed", message,
                "Check the account name and how it signs in (Get-SendProfile shows it); the server's reply above says more.", inner);
        }

        /// <summary>The fix for a reply that names a sign-in problem (530 5.7.57 at MAIL FROM), or null.</summary>
        public static string? Advice(string reply)
        {
            foreach (var (code, _, fix) in Known)
                if (Mentions(reply, code)) return fix;
            return null;
        }

        /// <summary>The code as a whole word: "5.7.3" is not found in "5.7.39".</summary>
        static bool Mentions(string reply, string code)
        {
            for (var at = reply.IndexOf(code, StringComparison.Ordinal); at >= 0; at = reply.IndexOf(code, at + 1, StringComparison.Ordinal))
            {
                var end = at + code.Length;
                var before = at == 0 || !char.IsDigit(reply[at - 1]) && reply[at - 1] != '.';
                var after = end == reply.Length || !char.IsDigit(reply[end]);
                if (before && after) return true;
            }
            return false;
        }
    }
}
