using System;
using System.Net.Http;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using MailQuota.Core.Smtp;
using Microsoft.Identity.Client;

namespace MailQuota.Core.Auth
{
    /// <summary>
    /// Runs an MSAL call to the end and turns what Entra ID refuses into a <see cref="SignInException"/>
    /// that says what to fix, by the AADSTS code in the reply (README: "Sign-in errors").
    /// </summary>
    static class EntraErrors
    {
        static readonly Regex Aadsts = new Regex(@"AADSTS(\d+)", RegexOptions.CultureInvariant);

        static readonly (int[] Codes, string ErrorId, string Fix)[] Known =
        {
            (new[] { 65001, 500011, 7000229, 650057 }, "OAuthConsentMissing",
                "An administrator must consent to the app's permission: Entra admin center > App registrations > the app > API permissions > Office 365 Exchange Online > SMTP.SendAsApp (app-only) or SMTP.Send (interactive) > Grant admin consent."),
            (new[] { 700016 }, "OAuthAppNotFound",
                "No app with this client id is registered in this tenant: check -ClientId (the Application (client) ID) and -TenantId; a multi-tenant app must first be consented in this tenant."),
            (new[] { 90002, 900023, 90072 }, "OAuthTenantNotFound",
                "The tenant does not exist or is not the app's: check -TenantId (the Directory (tenant) ID GUID, or contoso.onmicrosoft.com)."),
            (new[] { 7000215, 7000222 }, "OAuthClientSecretRejected",
                "The client secret is wrong or has expired: create a new one (App registrations > the app > Certificates & secrets) and pass it as -ClientSecret (a SecureString)."),
            (new[] { 700027, 700024, 700023 }, "OAuthCertificateRejected",
                "Entra ID did not accept the certificate: upload its public key (.cer) under App registrations > the app > Certificates & secrets, and renew it if it has expired."),
            (new[] { 70008, 70043, 700082, 50173, 50076, 50079, 50078, 50158, 530003 }, "OAuthSignInExpired",
                "The saved sign-in is no longer valid (expired, revoked, or new conditions such as MFA apply): sign in again interactively (Send-ThrottledMail -DeviceCode)."),
            (new[] { 50034, 50057, 50053, 50126 }, "OAuthUserRefused",
                "Entra ID refused the user account (unknown, disabled, or locked): sign in with the mailbox's own account, or ask an administrator."),
        };

        /// <summary>Waits for an MSAL call (off the caller's thread, so no synchronisation context can deadlock it).</summary>
        public static AuthenticationResult Run(Func<Task<AuthenticationResult>> call, EntraApp app)
        {
            try
            {
                return Task.Run(call).GetAwaiter().GetResult();
            }
            catch (MsalServiceException e)
            {
                throw FromService(e, app);
            }
            catch (MsalClientException e)
            {
                throw new SignInException("OAuthSignInFailed", $"Signing in to Microsoft Entra ID as {app} failed: {e.Message}",
                    "Check -TenantId and -ClientId, and that this computer reaches " + app.AuthorityHost.Host + ".", e);
            }
            catch (HttpRequestException e)
            {
                throw new SignInException("OAuthTokenEndpointUnreachable", $"Cannot reach Microsoft Entra ID ({app.AuthorityHost.Host}) to sign in as {app}: {e.Message}",
                    "Check the network, the proxy and the firewall; the run sent nothing more.", e);
            }
        }

        static SignInException FromService(MsalServiceException e, EntraApp app)
        {
            var text = FirstLine(e.Message);
            var code = Aadsts.Match(e.Message);
            if (code.Success && int.TryParse(code.Groups[1].Value, out var number))
            {
                foreach (var (codes, id, fix) in Known)
                    if (Array.IndexOf(codes, number) >= 0)
                        return new SignInException(id, $"Microsoft Entra ID refused to sign in {app}: {text}", fix, e);
            }
            return new SignInException("OAuthSignInFailed", $"Microsoft Entra ID refused to sign in {app}: {text}",
                "The AADSTS code above is explained at https://login.microsoftonline.com/error?code=<number>.", e);
        }

        /// <summary>MSAL appends trace and correlation ids on further lines: the first line says what went wrong.</summary>
        static string FirstLine(string message)
        {
            var end = message.IndexOfAny(new[] { '\r', '\n' });
            return (end < 0 ? message : message.Substring(0, end)).Trim();
        }
    }
}
