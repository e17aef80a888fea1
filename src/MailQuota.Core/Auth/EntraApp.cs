using System;
using Microsoft.Identity.Client;

namespace MailQuota.Core.Auth
{
    /// <summary>An app registration in Microsoft Entra ID: the tenant and the app (client) id; no secret.</summary>
    public sealed class EntraApp
    {
        /// <summary>The scope Exchange Online gives SMTP AUTH under for app-only tokens (SMTP.SendAsApp).</summary>
        public const string AppOnlyScope = "https://outlook.office365.com/.default";

        /// <summary>The delegated scope a signed-in user needs for SMTP AUTH.</summary>
        public const string UserScope = "https://outlook.office365.com/SMTP.Send";

        public EntraApp(string tenantId, string clientId)
        {
            if (string.IsNullOrWhiteSpace(tenantId)) throw new ArgumentException("a tenant id is required (the directory id, or contoso.onmicrosoft.com)", nameof(tenantId));
            if (string.IsNullOrWhiteSpace(clientId)) throw new ArgumentException("an app (client) id is required", nameof(clientId));
            TenantId = tenantId.Trim();
            ClientId = clientId.Trim();
        }

        public string TenantId { get; }
        public string ClientId { get; }

        /// <summary>The cloud's sign-in host; national clouds have their own (login.microsoftonline.us).</summary>
        public Uri AuthorityHost { get; set; } = new Uri("https://login.microsoftonline.com/");

        /// <summary>
        /// MSAL checks the authority host against Microsoft's list of clouds first; off only for a
        /// sign-in host of your own (tests, with a loopback token endpoint).
        /// </summary>
        public bool InstanceDiscovery { get; set; } = true;

        /// <summary>How MSAL reaches the token endpoint; null is MSAL's own HTTP client (tests point it at a loopback endpoint).</summary>
        public IMsalHttpClientFactory? HttpClientFactory { get; set; }

        public string Authority => new Uri(AuthorityHost, Uri.EscapeDataString(TenantId) + "/").ToString();

        public override string ToString() => $"app {ClientId} in tenant {TenantId}";
    }
}
