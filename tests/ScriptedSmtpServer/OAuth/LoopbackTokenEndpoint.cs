using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ScriptedSmtpServer.OAuth
{
    /// <summary>
    /// An OAuth 2.0 token endpoint over loopback HTTP, shaped as Microsoft Entra ID's
    /// (/{tenant}/oauth2/v2.0/token: client credentials with a secret or a signed certificate
    /// assertion) and Google's (/google/token: a service account's signed JWT). It issues tokens
    /// that run out on the caller's clock, refuses as the real ones do (AADSTS codes), and can
    /// revoke what it issued; <see cref="Check"/> is what the SMTP server asks. Users sign in with the
    /// device code flow (/{tenant}/oauth2/v2.0/devicecode), approved by <see cref="Approve"/>, and
    /// are renewed with refresh tokens. A Google user authorises in the "browser" at
    /// /o/oauth2/v2/auth (redirected back with a code, PKCE) and renews at /token with the refresh token.
    /// </summary>
    public sealed class LoopbackTokenEndpoint : IDisposable
    {
        readonly HttpListener _listener = new HttpListener();
        readonly Func<DateTimeOffset> _now;
        readonly object _lock = new object();
        readonly Dictionary<string, Issued> _issued = new Dictionary<string, Issued>(StringComparer.Ordinal);
        readonly List<string> _requests = new List<string>();
        readonly Dictionary<string, DeviceCode> _deviceCodes = new Dictionary<string, DeviceCode>(StringComparer.Ordinal);
        readonly Dictionary<string, string> _refreshTokens = new Dictionary<string, string>(StringComparer.Ordinal);
        readonly List<string> _refreshIssued = new List<string>();
        readonly Dictionary<string, (string RedirectUri, string Challenge, string User)> _authorizationCodes = new Dictionary<string, (string, string, string)>(StringComparer.Ordinal);
        const string TenantGuid = "72f988bf-0000-4000-8000-2d7cd011db47";
        readonly Task _serving;

        public LoopbackTokenEndpoint(Func<DateTimeOffset> now)
        {
            _now = now;
            var port = ScriptedServer.FreePort();
            Address = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Add(Address.ToString());
            _listener.Start();
            _serving = Task.Run(Serve);
        }

        public Uri Address { get; }
        public string Tenant { get; set; } = "contoso.onmicrosoft.com";
        public string ClientId { get; set; } = "11111111-2222-3333-4444-555555555555";
        public string? ClientSecret { get; set; }

        /// <summary>The public key of the app's certificate: client assertions must be signed with its private key.</summary>
        public RSA? ClientCertificateKey { get; set; }

        /// <summary>Google: the service account and its public key, and the one user it may act as.</summary>
        public string? GoogleClientEmail { get; set; }
        public RSA? GoogleKey { get; set; }
        public string? GoogleUser { get; set; }

        /// <summary>Google user sign-in: the OAuth client (Desktop app) and its secret.</summary>
        public string GoogleClientId { get; set; } = "123456789012-mailquotaps.apps.googleusercontent.com";
        public string? GoogleClientSecret { get; set; }

        /// <summary>Google user sign-in: the user declines on the consent page.</summary>
        public bool GoogleConsentDenied { get; set; }

        public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(1);

        /// <summary>When set, every token request is refused with this AADSTS error (e.g. "invalid_client", "AADSTS7000222: ...").</summary>
        public (string Error, string Description)? Refusal { get; set; }

        /// <summary>Every token request: "entra client_credentials secret", "google jwt-bearer", and refusals.</summary>
        public IReadOnlyList<string> Requests { get { lock (_lock) return _requests.ToList(); } }

        /// <summary>Every token issued so far.</summary>
        public IReadOnlyList<string> Tokens { get { lock (_lock) return _issued.Keys.ToList(); } }

        /// <summary>Null when the token is good now; else why not ("expired", "revoked", "unknown").</summary>
        public string? Check(string token)
        {
            lock (_lock)
            {
                if (!_issued.TryGetValue(token, out var issued)) return "unknown";
                if (issued.Revoked) return "revoked";
                return _now() >= issued.Expires ? "expired" : null;
            }
        }

        /// <summary>Revokes every token issued so far, refresh tokens too (an administrator removed the access).</summary>
        public void RevokeAll()
        {
            lock (_lock)
            {
                foreach (var issued in _issued.Values) issued.Revoked = true;
                _refreshTokens.Clear();
            }
        }

        /// <summary>The user typed the code at the verification page and signed in as <paramref name="user"/>.</summary>
        public void Approve(string userCode, string user)
        {
            lock (_lock) foreach (var code in _deviceCodes.Values.Where(c => c.UserCode == userCode)) code.ApprovedUser = user;
        }

        void Note(string request) { lock (_lock) _requests.Add(request); }

        async Task Serve()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync().ConfigureAwait(false); }
                catch (Exception) when (!_listener.IsListening) { return; }
                catch (HttpListenerException) { return; }
                catch (ObjectDisposedException) { return; }
                try { Answer(context); }
                catch (Exception e) { Reply(context, 500, new { error = "server_error", error_description = e.Message }); }
            }
        }

        void Answer(HttpListenerContext context)
        {
            var path = context.Request.Url!.AbsolutePath;
            string body;
            using (var reader = new System.IO.StreamReader(context.Request.InputStream, Encoding.UTF8)) body = reader.ReadToEnd();
            var form = Form(body);
            if (path == "/google/token" || path == "/token") { Google(context, form); return; }
            if (path == "/o/oauth2/v2/auth") { GoogleAuthorize(context); return; }
            var segments = path.Trim('/').Split('/');
            if (segments.Length == 4 && segments[1] == "oauth2" && segments[3] == "token") { Entra(context, Uri.UnescapeDataString(segments[0]), form); return; }
            if (segments.Length == 4 && segments[1] == "oauth2" && segments[3] == "devicecode") { DeviceCodeRequest(context, Uri.UnescapeDataString(segments[0]), form); return; }
            Reply(context, 404, new { error = "not_found", error_description = path });
        }

        void Entra(HttpListenerContext context, string tenant, Dictionary<string, string> form)
        {
            form.TryGetValue("grant_type", out var grant);
            form.TryGetValue("client_id", out var client);
            if (tenant != Tenant) { Refuse(context, 400, "invalid_request", $"AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", 90002); return; }
            if (client != ClientId) { Refuse(context, 400, "unauthorized_client", $"AADSTS700016: Application with identifier '{client}' was not found in the directory '{tenant}'.", 700016); return; }
            if (Refusal is var (error, description)) { Refuse(context, 401, error, description, Code(description)); return; }
            if (grant == "urn:ietf:params:oauth:grant-type:device_code" || grant == "device_code" || grant == "refresh_token") { UserToken(context, grant, form); return; }
            string how;
            if (form.TryGetValue("client_secret", out var secret))
            {
                if (secret != ClientSecret) { Refuse(context, 401, "invalid_client", $"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client}'.", 7000215); return; }
                how = "secret";
            }
            else if (form.TryGetValue("client_assertion", out var assertion))
            {
                if (ClientCertificateKey == null || !Verify(assertion, ClientCertificateKey)) { Refuse(context, 401, "invalid_client", $"AADSTS700027: Client assertion failed signature validation. The certificate is not registered for app '{client}'.", 700027); return; }
                how = "certificate";
            }
            else { Refuse(context, 401, "invalid_client", "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", 7000218); return; }
            if (grant != "client_credentials" || !(form.TryGetValue("scope", out var scope) && scope.Contains("https://outlook.office365.com/.default")))
            {
                Refuse(context, 400, "invalid_scope", "AADSTS70011: The provided request must include a 'scope' input parameter.", 70011);
                return;
            }
            Note($"entra {grant} {how}");
            var token = Issue();
            Reply(context, 200, new { token_type = "Bearer", expires_in = (int)Lifetime.TotalSeconds, ext_expires_in = (int)Lifetime.TotalSeconds, access_token = token });
        }

        void DeviceCodeRequest(HttpListenerContext context, string tenant, Dictionary<string, string> form)
        {
            form.TryGetValue("client_id", out var client);
            if (tenant != Tenant) { Refuse(context, 400, "invalid_request", $"AADSTS90002: Tenant '{tenant}' not found.", 90002); return; }
            if (client != ClientId) { Refuse(context, 400, "unauthorized_client", $"AADSTS700016: Application with identifier '{client}' was not found in the directory '{tenant}'.", 700016); return; }
            string deviceCode, userCode;
            lock (_lock)
            {
                userCode = $"MQPS{_deviceCodes.Count + 1:D4}";
                deviceCode = "dc-" + Guid.NewGuid().ToString("N");
                _deviceCodes[deviceCode] = new DeviceCode(userCode);
            }
            Note("entra devicecode");
            Reply(context, 200, new
            {
                user_code = userCode,
                device_code = deviceCode,
                verification_uri = "https://microsoft.com/devicelogin",
                expires_in = 900,
                interval = 1,
                message = $"To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code {userCode} to authenticate.",
            });
        }

        /// <summary>A user's tokens: for an approved device code, or for a refresh token still good.</summary>
        void UserToken(HttpListenerContext context, string grant, Dictionary<string, string> form)
        {
            string? user;
            lock (_lock)
            {
                if (grant == "refresh_token")
                {
                    form.TryGetValue("refresh_token", out var refresh);
                    user = refresh != null && _refreshTokens.TryGetValue(refresh, out var owner) ? owner : null;
                }
                else
                {
                    form.TryGetValue("device_code", out var code);
                    user = code != null && _deviceCodes.TryGetValue(code, out var pending) ? pending.ApprovedUser : null;
                    if (user == null) { Refuse(context, 400, "authorization_pending", "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending.", 70016); return; }
                }
            }
            if (user == null)
            {
                Refuse(context, 400, "invalid_grant", "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed.", 50173);
                return;
            }
            Note($"entra {(grant == "refresh_token" ? "refresh_token" : "device_code")} {user}");
            var newRefresh = NewRefreshToken("rt-", user);
            var oid = "00000000-0000-4000-8000-" + Math.Abs(user.GetHashCode()).ToString("D12").Substring(0, 12);
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var idToken = Jwt(new { aud = ClientId, iss = $"https://login.microsoftonline.com/{TenantGuid}/v2.0", iat = now, nbf = now, exp = now + 3600, name = user, oid, preferred_username = user, sub = "sub-" + oid, tid = TenantGuid, ver = "2.0" });
            Reply(context, 200, new
            {
                token_type = "Bearer",
                scope = form.TryGetValue("scope", out var scope) ? scope : "",
                expires_in = (int)Lifetime.TotalSeconds,
                ext_expires_in = (int)Lifetime.TotalSeconds,
                access_token = Issue(),
                refresh_token = newRefresh,
                id_token = idToken,
                client_info = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { uid = oid, utid = TenantGuid })),
            });
        }

        /// <summary>An id token as Entra sends it (clients read it without checking the signature).</summary>
        static string Jwt(object claims) =>
            Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", typ = "JWT" })) + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims)) + ".c2ln";

        static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        /// <summary>The consent page: the user (<see cref="GoogleUser"/>) allows the app, and the browser goes back to the app's loopback address with a code.</summary>
        void GoogleAuthorize(HttpListenerContext context)
        {
            var query = Form(context.Request.Url!.Query.TrimStart('?'));
            string Q(string name) => query.TryGetValue(name, out var v) ? v : "";
            if (Q("client_id") != GoogleClientId) { Reply(context, 400, new { error = "invalid_client", error_description = "The OAuth client was not found." }); return; }
            var back = Q("redirect_uri");
            if (!back.StartsWith("http://127.0.0.1:", StringComparison.Ordinal)) { Reply(context, 400, new { error = "redirect_uri_mismatch" }); return; }
            string location;
            if (GoogleConsentDenied) location = $"{back}?error=access_denied&state={Uri.EscapeDataString(Q("state"))}";
            else
            {
                if (Q("code_challenge_method") != "S256" || Q("code_challenge") == "" || !Q("scope").Split(' ').Contains("https://mail.google.com/") || Q("access_type") != "offline")
                {
                    Reply(context, 400, new { error = "invalid_request", error_description = "PKCE, the scope https://mail.google.com/ and offline access are expected" });
                    return;
                }
                var code = "4/code-" + Guid.NewGuid().ToString("N");
                lock (_lock) _authorizationCodes[code] = (back, Q("code_challenge"), GoogleUser ?? Q("login_hint"));
                Note("google authorize " + (GoogleUser ?? Q("login_hint")));
                location = $"{back}?state={Uri.EscapeDataString(Q("state"))}&code={Uri.EscapeDataString(code)}&scope={Uri.EscapeDataString("https://mail.google.com/")}";
            }
            context.Response.StatusCode = 302;
            context.Response.RedirectLocation = location;
            context.Response.Close();
        }

        /// <summary>A Google user's tokens: for the code the consent page gave (with its PKCE verifier), or for a refresh token still good.</summary>
        void GoogleUserToken(HttpListenerContext context, Dictionary<string, string> form)
        {
            string F(string name) => form.TryGetValue(name, out var v) ? v : "";
            if (F("client_id") != GoogleClientId || GoogleClientSecret == null || F("client_secret") != GoogleClientSecret) { Refuse(context, 401, "invalid_client", "Unauthorized", 0); return; }
            string? user;
            var grant = F("grant_type");
            lock (_lock)
            {
                if (grant == "refresh_token") user = _refreshTokens.TryGetValue(F("refresh_token"), out var owner) ? owner : null;
                else if (grant == "authorization_code" && _authorizationCodes.TryGetValue(F("code"), out var pending))
                {
                    _authorizationCodes.Remove(F("code"));
                    using var sha = SHA256.Create();
                    var challenge = Convert.ToBase64String(sha.ComputeHash(Encoding.ASCII.GetBytes(F("code_verifier")))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
                    user = pending.RedirectUri == F("redirect_uri") && pending.Challenge == challenge ? pending.User : null;
                }
                else user = null;
            }
            if (user == null) { Refuse(context, 400, "invalid_grant", grant == "refresh_token" ? "Token has been expired or revoked." : "Bad Request", 0); return; }
            if (Refusal is var (error, description)) { Refuse(context, 400, error, description, 0); return; }
            Note($"google {grant} {user}");
            if (grant == "refresh_token")
            {
                Reply(context, 200, new { token_type = "Bearer", scope = "https://mail.google.com/", expires_in = (int)Lifetime.TotalSeconds, access_token = Issue() });
                return;
            }
            var refresh = NewRefreshToken("1//rt-", user);
            Reply(context, 200, new { token_type = "Bearer", scope = "https://mail.google.com/", expires_in = (int)Lifetime.TotalSeconds, access_token = Issue(), refresh_token = refresh });
        }

        /// <summary>Every refresh token issued so far, revoked or not.</summary>
        public IReadOnlyList<string> RefreshTokens { get { lock (_lock) return _refreshIssued.ToList(); } }

        string NewRefreshToken(string prefix, string user)
        {
            var token = prefix + Guid.NewGuid().ToString("N");
            lock (_lock)
            {
                _refreshTokens[token] = user;
                _refreshIssued.Add(token);
            }
            return token;
        }

        void Google(HttpListenerContext context, Dictionary<string, string> form)
        {
            if (form.TryGetValue("grant_type", out var grantType) && grantType != "urn:ietf:params:oauth:grant-type:jwt-bearer") { GoogleUserToken(context, form); return; }
            form.TryGetValue("assertion", out var assertion);
            if (assertion == null || GoogleKey == null || !Verify(assertion, GoogleKey)) { Refuse(context, 400, "invalid_grant", "Invalid JWT Signature.", 0); return; }
            using var claims = JsonDocument.Parse(Base64Url(assertion.Split('.')[1]));
            var root = claims.RootElement;
            var iss = root.TryGetProperty("iss", out var i) ? i.GetString() : null;
            var sub = root.TryGetProperty("sub", out var s) ? s.GetString() : null;
            var scope = root.TryGetProperty("scope", out var sc) ? sc.GetString() : null;
            if (iss != GoogleClientEmail) { Refuse(context, 400, "invalid_grant", "Invalid email or User ID", 0); return; }
            if (sub != GoogleUser || scope == null || !scope.Split(' ').Contains("https://mail.google.com/"))
            {
                Refuse(context, 401, "unauthorized_client", "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.", 0);
                return;
            }
            if (Refusal is var (error, description)) { Refuse(context, 400, error, description, 0); return; }
            Note("google jwt-bearer " + sub);
            Reply(context, 200, new { token_type = "Bearer", expires_in = (int)Lifetime.TotalSeconds, access_token = Issue() });
        }

        string Issue()
        {
            var bytes = new byte[30];
            using (var random = RandomNumberGenerator.Create()) random.GetBytes(bytes);
            var token = "eyT" + Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');
            lock (_lock) _issued[token] = new Issued(_now() + Lifetime);
            return token;
        }

        /// <summary>A JWT signed RS256 or PS256 with the key's private half.</summary>
        static bool Verify(string jwt, RSA key)
        {
            var parts = jwt.Split('.');
            if (parts.Length != 3) return false;
            using var header = JsonDocument.Parse(Base64Url(parts[0]));
            var alg = header.RootElement.TryGetProperty("alg", out var a) ? a.GetString() : null;
            var padding = alg == "PS256" ? RSASignaturePadding.Pss : alg == "RS256" ? RSASignaturePadding.Pkcs1 : null;
            if (padding == null) return false;
            return key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url(parts[2]), HashAlgorithmName.SHA256, padding);
        }

        static byte[] Base64Url(string text)
        {
            var s = text.Replace('-', '+').Replace('_', '/');
            return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
        }

        static int Code(string description) =>
            description.StartsWith("AADSTS", StringComparison.Ordinal) && int.TryParse(new string(description.Skip(6).TakeWhile(char.IsDigit).ToArray()), out var n) ? n : 0;

        void Refuse(HttpListenerContext context, int status, string error, string description, int code)
        {
            Note($"refused {status} {error} {code}");
            var full = description + "\r\nTrace ID: 0000aaaa-11bb-cccc-dd22-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2026-11-30 09:00:00Z";
            Reply(context, status, new { error, error_description = full, error_codes = new[] { code } });
        }

        static void Reply(HttpListenerContext context, int status, object body)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(body);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json; charset=utf-8";
            context.Response.ContentLength64 = bytes.Length;
            context.Response.OutputStream.Write(bytes, 0, bytes.Length);
            context.Response.Close();
        }

        static Dictionary<string, string> Form(string body) =>
            body.Split(new[] { '&' }, StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p.Split(new[] { '=' }, 2))
                .ToDictionary(p => WebUtility.UrlDecode(p[0]), p => p.Length > 1 ? WebUtility.UrlDecode(p[1]) : "");

        sealed class DeviceCode
        {
            public DeviceCode(string userCode) => UserCode = userCode;
            public string UserCode { get; }
            public string? ApprovedUser { get; set; }
        }

        sealed class Issued
        {
            public Issued(DateTimeOffset expires) => Expires = expires;
            public DateTimeOffset Expires { get; }
            public bool Revoked { get; set; }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            try { _serving.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        }
    }
}
