using MailQuota.Core.Monitoring;
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailQuota.Core.Auth;
using MailQuota.Core.Storage.Sqlite;
using MailQuota.Core.Mail;
using MailQuota.Core.Quota;
using MailQuota.Core.Sending;
using MailQuota.Core.Smtp;
using MimeKit;
using ScriptedSmtpServer.OAuth;

namespace MailQuota.Core.Tests
{
    /// <summary>
    /// OAuth 2.0 sign-in end to end with real parts on loopback: MSAL against a local token endpoint
    /// (HTTP) that issues, expires and refuses tokens on the fake clock, MailKit against an SMTP server
    /// that implements AUTH XOAUTH2 and checks each token with that endpoint, a real ledger file.
    /// </summary>
    public sealed class OAuthSignInTests : IDisposable
    {
        /// <summary>The loopback test servers offer no TLS: a sign-in over them must be allowed explicitly.</summary>
        static SmtpSettings Clear(int port, System.Net.NetworkCredential? credential) =>
            new SmtpSettings("127.0.0.1", port, SmtpSecurity.None, credential) { AllowUnencryptedAuthentication = true };

        const string Account = "notices@contoso.test";
        const string Secret = "s3cr3t~Value.From-Entra_0123456789";
        readonly TempLedger _file = new TempLedger();
        readonly SqliteLedger _ledger;
        readonly FakeClock _clock = new FakeClock();
        readonly LoopbackTokenEndpoint _endpoint;
        readonly OAuthSmtpServer _server;
        static readonly MessageTemplate Personal = new MessageTemplate(new MailboxAddress("Notices", Account), "Hi {{Name}}", "Dear {{Name}}", null);

        public OAuthSignInTests()
        {
            _ledger = new SqliteLedger(_file.Path);
            _endpoint = new LoopbackTokenEndpoint(() => _clock.UtcNow) { ClientSecret = Secret, GoogleClientSecret = Secret, GoogleUser = Account };
            _server = new OAuthSmtpServer(TokenCheck);
        }

        public void Dispose()
        {
            _server.Dispose();
            _endpoint.Dispose();
            _ledger.Dispose();
            _file.Dispose();
        }

        /// <summary>As Exchange Online: the token must be good now and the user the sending mailbox.</summary>
        string? TokenCheck(string user, string token) =>
            user == Account && _endpoint.Check(token) == null ? null : "535 5.7.3 Authentication unsuccessful [oauth.test]";

        EntraApp Entra(string? tenant = null, string? clientId = null) =>
            new EntraApp(tenant ?? _endpoint.Tenant, clientId ?? _endpoint.ClientId) { InstanceDiscovery = false, HttpClientFactory = TestSignInEndpoint.MsalHttp(_endpoint.Address) };

        static SecureString Secure(string text)
        {
            var secure = new SecureString();
            foreach (var c in text) secure.AppendChar(c);
            secure.MakeReadOnly();
            return secure;
        }

        OAuthSignIn SignIn(ITokenSource? source = null) => new OAuthSignIn(Account, source ?? EntraAppSignIn.WithSecret(Entra(), Secure(Secret)), _clock);

        List<SendResult> Run(OAuthSignIn signIn, IEnumerable<MailRow> rows, QuotaPolicy? policy = null, string campaign = "c1")
        {
            var options = new SendOptions { Campaign = campaign, Random = new Random(1) };
            using var transport = new MailKitTransport(Clear(_server.Port, null), signIn);
            var session = new SendSession(Account, policy ?? new QuotaPolicy(), Personal, _ledger, _ledger, _ledger, transport, _clock, options);
            var results = rows.SelectMany(r => session.Add(r, default)).ToList();
            results.AddRange(session.Flush(default));
            return results;
        }

        static IEnumerable<MailRow> Rows(int count, int from = 1) => Enumerable.Range(from, count).Select(i =>
            new MailRow(i, $"user{i}@example.test", $"User {i}", new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["Name"] = $"User {i}" }));

        [Fact]
        public void Fifty_rows_under_20_an_hour_with_tokens_good_for_an_hour_are_sent_once_each_on_fresh_tokens()
        {
            var signIn = SignIn();
            var notes = new List<string>();
            signIn.OnToken = notes.Add;

            var results = Run(signIn, Rows(50), new QuotaPolicy { MessagesPerHour = 20 });

            Assert.All(results, r => Assert.Equal(RowStatus.Sent, r.Status));
            Assert.Equal(50, results.Count);
            var received = _server.Received;
            Assert.Equal(50, received.Count);
            Assert.Equal(50, received.SelectMany(m => m.To).Distinct().Count());
            // Rows 1-20 on the first token; the hour's wait ran it out, so 21-40 and 41-50 each came on a new one.
            Assert.Equal(new[] { 20, 20, 10 }, received.GroupBy(m => m.Token).Select(g => g.Count()).ToArray());
            Assert.Equal(3, _endpoint.Requests.Count(r => r == "entra client_credentials secret"));
            Assert.Equal(3, signIn.TokensFetched);
            // Renewed before use: the server never saw an expired token.
            Assert.All(_server.Log, line => Assert.Equal($"auth {Account} ok", line));
            Assert.Equal(TimeSpan.FromHours(2) + 2 * new SendOptions().DeliveryMargin, _clock.Slept);   // two hour windows, each held a delivery margin longer
            Assert.Equal(new[] { "Got", "Renewed", "Renewed" }, notes.Select(n => n.Split(' ')[0]));
            Assert.All(notes, n => Assert.EndsWith($"the access token for {Account}: access token valid for 60 min.", n));
            Assert.All(_endpoint.Tokens, t => Assert.DoesNotContain(t, string.Join("\n", notes)));
            AssertNothingSecretIn(_file.Folder);
        }

        [Fact]
        public void A_token_the_server_refuses_is_renewed_once_and_the_run_goes_on()
        {
            var signIn = SignIn();
            Assert.All(Run(signIn, Rows(3)), r => Assert.Equal(RowStatus.Sent, r.Status));
            _endpoint.RevokeAll();   // e.g. the tenant revoked the app's tokens; ours still looks good on the clock

            var results = Run(signIn, Rows(3, from: 4));

            Assert.All(results, r => Assert.Equal(RowStatus.Sent, r.Status));
            Assert.Equal(6, _server.Received.Count);
            Assert.Equal(new[] { $"auth {Account} ok", $"auth {Account} 535 5.7.3 Authentication unsuccessful [oauth.test]", $"auth {Account} ok" }, _server.Log);
            Assert.Equal(2, _endpoint.Tokens.Count);
        }

        [Fact]
        public void Access_revoked_mid_run_stops_it_with_OAuthTokenRefused_and_a_rerun_after_it_is_restored_sends_only_the_rest()
        {
            var policy = new QuotaPolicy { MessagesPerHour = 20 };
            var rows = Rows(50).ToList();
            var options = new SendOptions { Campaign = "c1", Random = new Random(1) };
            var results = new List<SendResult>();
            SignInException? stop;
            using (var transport = new MailKitTransport(Clear(_server.Port, null), SignIn()))
            {
                var session = new SendSession(Account, policy, Personal, _ledger, _ledger, _ledger, transport, _clock, options);
                // After 20 messages the run waits an hour; meanwhile the mailbox permission of the app is removed.
                stop = Assert.Throws<SignInException>(() =>
                {
                    foreach (var row in rows)
                    {
                        if (row.Number == 21)
                        {
                            results.AddRange(session.Flush(default));   // the first 20 answered (one may still be on its way when a row is added)
                            _server.Validate = (_, _) => "535 5.7.3 Authentication unsuccessful [oauth.test]";
                        }
                        results.AddRange(session.Add(row, default));
                    }
                });
                results.AddRange(session.TakeFinished());   // the rows finished before the failure
            }

            Assert.Equal("OAuthTokenRefused", stop.ErrorId);
            Assert.Contains("5.7.3 Authentication unsuccessful", stop.Message);
            Assert.Contains("Add-MailboxPermission", stop.Fix);
            Assert.Equal(20, results.Count(r => r.Status == RowStatus.Sent));
            Assert.Equal(20, _server.Received.Count);
            // The first token ran out in the wait and was renewed before use; that one was refused, renewed
            // once more and refused again: then the run stopped.
            Assert.Equal(2, _server.Log.Count(l => l.Contains("535 5.7.3")));
            Assert.Equal(3, _endpoint.Tokens.Count);
            // Row 21 never left, nor the rows reserved while it was on its way (queued on the connection, and
            // one waiting for room): their reservations were released, so none is counted as sent or in flight.
            var log = _ledger.ReadSendLog(new SendLogQuery()).ToList();
            Assert.Equal(20, log.Count(e => e.Status == nameof(SendStatus.Sent)));
            Assert.InRange(log.Count(e => e.Status == nameof(SendStatus.Released)), 2, ConnectionLanes.Depth + 1);
            Assert.Equal(0, log.Count(e => e.Status == nameof(SendStatus.InFlight)));

            _server.Validate = TokenCheck;   // access restored
            var rerun = Run(SignIn(), rows, policy);

            Assert.Equal(20, rerun.Count(r => r.Status == RowStatus.Skipped));
            Assert.Equal(30, rerun.Count(r => r.Status == RowStatus.Sent));
            var received = _server.Received.SelectMany(m => m.To).ToList();
            Assert.Equal(50, received.Count);
            Assert.Equal(50, received.Distinct().Count());
        }

        [Theory]
        [InlineData("535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator.", "SmtpAuthDisabled", "SmtpClientAuthenticationDisabled")]
        [InlineData("535 5.7.3 Authentication unsuccessful [AM0PR01CA0001.eurprd01.prod.exchangelabs.com]", "OAuthTokenRefused", "SMTP.SendAsApp")]
        [InlineData("535 5.7.8 Username and Password not accepted. For more information, go to https://support.google.com/mail/?p=BadCredentials", "OAuthTokenRefused", "Domain-wide delegation")]
        [InlineData("534 5.7.9 Application-specific password required.", "GooglePasswordRefused", "app password")]
        [InlineData("535 5.7.0 Authentication failed", "SmtpSignInFailed", "Get-SendProfile")]
        public void A_refused_sign_in_stops_with_its_error_id_and_fix_and_sends_nothing(string reply, string errorId, string fixMentions)
        {
            _server.Validate = (_, _) => reply;

            var e = Assert.Throws<SignInException>(() => Run(SignIn(), Rows(2)));

            Assert.Equal(errorId, e.ErrorId);
            Assert.Contains(reply.Substring(4), e.Message);
            Assert.Contains(fixMentions, e.Fix);
            Assert.Empty(_server.Received);
            Assert.Equal(2, _endpoint.Tokens.Count);   // renewed once before giving up
        }

        [Theory]
        [InlineData("fabrikam.onmicrosoft.com", null, null, "OAuthTenantNotFound", "AADSTS90002")]
        [InlineData(null, "99999999-0000-0000-0000-000000000000", null, "OAuthAppNotFound", "AADSTS700016")]
        [InlineData(null, null, "not-the-secret", "OAuthClientSecretRejected", "AADSTS7000215")]
        public void Entra_refusing_the_app_stops_with_an_error_id_that_says_what_to_fix(string? tenant, string? clientId, string? secret, string errorId, string code)
        {
            var source = EntraAppSignIn.WithSecret(Entra(tenant, clientId), Secure(secret ?? Secret));

            var e = Assert.Throws<SignInException>(() => Run(SignIn(source), Rows(1)));

            Assert.Equal(errorId, e.ErrorId);
            Assert.Contains(code, e.Message);
            Assert.DoesNotContain("Trace ID", e.Message);
            Assert.DoesNotContain(secret ?? Secret, e.Message + e.Fix);
            Assert.Empty(_server.Received);
            Assert.Empty(_server.Log);   // never got as far as AUTH
        }

        [Theory]
        [InlineData("invalid_grant", "AADSTS65001: The user or administrator has not consented to use the application with ID '11111111-2222-3333-4444-555555555555'.", "OAuthConsentMissing", "Grant admin consent")]
        [InlineData("invalid_client", "AADSTS7000222: The provided client secret keys for app '11111111-2222-3333-4444-555555555555' are expired.", "OAuthClientSecretRejected", "Certificates & secrets")]
        [InlineData("invalid_grant", "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity.", "OAuthSignInExpired", "-DeviceCode")]
        [InlineData("invalid_request", "AADSTS90014: The required field 'scope' is missing.", "OAuthSignInFailed", "error?code=")]
        public void Each_AADSTS_refusal_has_its_error_id(string error, string description, string errorId, string fixMentions)
        {
            _endpoint.Refusal = (error, description);

            var e = Assert.Throws<SignInException>(() => EntraAppSignIn.WithSecret(Entra(), Secure(Secret)).GetToken(false, default));

            Assert.Equal(errorId, e.ErrorId);
            Assert.Contains(description.Substring(0, 14), e.Message);
            Assert.Contains(fixMentions, e.Fix);
        }

        [Fact]
        public void An_app_signs_in_with_its_certificate_from_a_PFX_file_with_a_password()
        {
            using var rsa = RSA.Create(2048);
            var request = new CertificateRequest("CN=MailQuotaPS test app", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(_clock.UtcNow.AddDays(-1), _clock.UtcNow.AddYears(1));
            var pfx = Path.Combine(_file.Folder, "app.pfx");
            File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pfx, "pfx-password"));
            _endpoint.ClientCertificateKey = certificate.GetRSAPublicKey();

            var loaded = SigningCertificate.FromFile(pfx, Secure("pfx-password"), _clock);
            var results = Run(SignIn(EntraAppSignIn.WithCertificate(Entra(), loaded)), Rows(3));

            Assert.All(results, r => Assert.Equal(RowStatus.Sent, r.Status));
            Assert.Equal(new[] { "entra client_credentials certificate" }, _endpoint.Requests);
            // Another key under the app: Entra refuses the assertion.
            using var other = RSA.Create(2048);
            _endpoint.ClientCertificateKey = other;
            var refused = Assert.Throws<SignInException>(() => EntraAppSignIn.WithCertificate(Entra(), loaded).GetToken(false, default));
            Assert.Equal("OAuthCertificateRejected", refused.ErrorId);
            Assert.Contains("AADSTS700027", refused.Message);
        }

        [Fact]
        public void An_expired_certificate_or_a_wrong_PFX_password_is_refused_before_asking_Entra()
        {
            using var rsa = RSA.Create(2048);
            var request = new CertificateRequest("CN=MailQuotaPS old app", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(_clock.UtcNow.AddYears(-2), _clock.UtcNow.AddDays(-1));
            var pfx = Path.Combine(_file.Folder, "old.pfx");
            File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pfx, "pw"));

            var expired = Assert.Throws<SignInException>(() => SigningCertificate.FromFile(pfx, Secure("pw"), _clock));
            var wrong = Assert.Throws<SignInException>(() => SigningCertificate.FromFile(pfx, Secure("not it"), _clock));
            var missing = Assert.Throws<SignInException>(() => SigningCertificate.FromStore("00112233445566778899AABBCCDDEEFF00112233", _clock));

            Assert.Equal("OAuthCertificateExpired", expired.ErrorId);
            Assert.Contains(certificate.Thumbprint, expired.Message);
            Assert.Equal("OAuthCertificateUnreadable", wrong.ErrorId);
            Assert.Equal("OAuthCertificateNotFound", missing.ErrorId);
            Assert.DoesNotContain("not it", wrong.Message);
            Assert.Empty(_endpoint.Requests);
        }

        [Fact]
        public void OAUTHBEARER_is_used_where_the_server_offers_only_that()
        {
            using var server = new OAuthSmtpServer(TokenCheck, "OAUTHBEARER");
            var settings = Clear(server.Port, null);
            using var transport = new MailKitTransport(settings, SignIn());
            var reply = transport.Send(new MimeMessage(new[] { new MailboxAddress("", Account) }, new[] { new MailboxAddress("", "a@example.test") }, "s", new TextPart("plain") { Text = "x" }),
                new MailboxAddress("", Account), new[] { new MailboxAddress("", "a@example.test") }, default);

            Assert.True(reply.Accepted, reply.ToString());
            Assert.Equal(Account, Assert.Single(server.Received).User);
        }

        [Theory]
        [InlineData("535 5.7.3 Authentication unsuccessful [AM0PR01CA0001.eurprd01.prod.exchangelabs.com]", "SmtpPasswordRefused", "OAuth 2.0")]
        [InlineData("535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [AM0PR01CA0001.eurprd01.prod.exchangelabs.com]", "SmtpAuthDisabled", "SmtpClientAuthenticationDisabled")]
        public void A_refused_password_stops_with_what_to_fix_too(string reply, string errorId, string fixMentions)
        {
            using var server = new OAuthSmtpServer((_, _) => reply, "PLAIN");
            var settings = Clear(server.Port, new NetworkCredential(Account, "a password"));
            using var transport = new MailKitTransport(settings);
            var session = new SendSession(Account, new QuotaPolicy(), Personal, _ledger, _ledger, _ledger, transport, _clock, new SendOptions { Campaign = "c1" });

            var e = Assert.Throws<SignInException>(() => session.SendOne(Rows(1).Single()));

            Assert.Equal(errorId, e.ErrorId);
            Assert.Contains(reply.Substring(4), e.Message);
            Assert.Contains(fixMentions, e.Fix);
            Assert.DoesNotContain("a password", e.Message);
            Assert.Empty(server.Received);
        }

        [Fact]
        public void A_server_that_offers_no_OAuth_sign_in_stops_the_run_with_SmtpOAuthNotOffered_before_any_token_is_asked_for()
        {
            using var server = new OAuthSmtpServer(TokenCheck, "PLAIN LOGIN");
            using var transport = new MailKitTransport(Clear(server.Port, null), SignIn());
            var session = new SendSession(Account, new QuotaPolicy(), Personal, _ledger, _ledger, _ledger, transport, _clock, new SendOptions { Campaign = "c1" });

            var e = Assert.Throws<SignInException>(() => session.SendOne(Rows(1).Single()));

            Assert.Equal("SmtpOAuthNotOffered", e.ErrorId);
            Assert.Contains("it offers: PLAIN LOGIN", e.Message);
            Assert.Contains("STARTTLS", e.Fix);
            Assert.Empty(_endpoint.Requests);
        }

        [Fact]
        public void Sending_without_a_sign_in_where_one_is_needed_stops_the_run_saying_what_to_fix()
        {
            using var transport = new MailKitTransport(Clear(_server.Port, null));
            var session = new SendSession(Account, new QuotaPolicy(), Personal, _ledger, _ledger, _ledger, transport, _clock, new SendOptions { Campaign = "c1" });

            var result = session.SendOne(Rows(1).Single());

            Assert.True(result.Status == RowStatus.Failed, result.Status + ": " + result.Reply);
            Assert.Contains("530 5.7.57", result.Reply);
            Assert.NotNull(session.Stopped);
            Assert.Contains("New-SendProfile -TenantId -ClientId", session.Stopped!.Message);
        }

        [Fact]
        public void A_second_process_sends_with_the_token_the_first_one_kept_in_the_owner_only_cache_file()
        {
            var cache = Path.Combine(_file.Folder, "cache", "tokens.bin");

            var first = Worker(cache, "first@example.test");
            var second = Worker(cache, "second@example.test");

            Assert.Equal("sent 250 2.0.0 OK queued", first);
            Assert.Equal("sent 250 2.0.0 OK queued", second);
            Assert.Equal("entra client_credentials secret", Assert.Single(_endpoint.Requests));   // the second process did not sign in again
            var received = _server.Received;
            Assert.Equal(2, received.Count);
            Assert.Equal(received[0].Token, received[1].Token);
            if (!OperatingSystem.IsWindows())   // Windows keeps this file DPAPI-encrypted instead
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cache));
            Assert.DoesNotContain(Secret, File.ReadAllText(cache));
        }

        /// <summary>A user who signs in with a device code, typing it as soon as it is shown; the sign-in kept in the cache file.</summary>
        (EntraUserSignIn Source, List<string> Prompts) DeviceCodeUser(string? cache, bool prompt = true)
        {
            var prompts = new List<string>();
            var source = new EntraUserSignIn(Entra(), Account, !prompt ? null : text =>
            {
                prompts.Add(text);
                var code = System.Text.RegularExpressions.Regex.Match(text, @"enter the code (\S+) to authenticate").Groups[1].Value;
                _endpoint.Approve(code, Account);
            });
            if (cache != null) TokenCacheFile.Open("entra-user-" + _endpoint.ClientId, cache, out _)!.Attach(source.Cache);
            return (source, prompts);
        }

        [Fact]
        public void A_user_signs_in_once_with_a_device_code_and_a_second_process_sends_with_the_saved_sign_in()
        {
            var cache = Path.Combine(_file.Folder, "user-tokens.bin");
            var (source, prompts) = DeviceCodeUser(cache);

            var results = Run(SignIn(source), Rows(3));
            var second = Worker(cache, "later@example.test", "user");

            Assert.All(results, r => Assert.Equal(RowStatus.Sent, r.Status));
            Assert.Equal("To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code MQPS0001 to authenticate.", Assert.Single(prompts));
            Assert.Equal("sent 250 2.0.0 OK queued", second);
            // One device code sign-in; the other process took the saved token, asking nobody and nothing.
            Assert.Equal(new[] { "entra devicecode", $"entra device_code {Account}" }, _endpoint.Requests);
            Assert.Single(_server.Received.Select(m => m.Token).Distinct());
            Assert.Contains(Account + " (device code)", source.Description);
        }

        [Fact]
        public void Without_a_saved_sign_in_a_run_that_may_not_prompt_stops_with_OAuthSignInRequired()
        {
            var (source, _) = DeviceCodeUser(null, prompt: false);

            var e = Assert.Throws<SignInException>(() => Run(SignIn(source), Rows(1)));

            Assert.Equal("OAuthSignInRequired", e.ErrorId);
            Assert.Contains("-DeviceCode", e.Fix);
            Assert.Empty(_endpoint.Requests);
        }

        [Fact]
        public void A_user_sign_in_revoked_mid_run_stops_with_OAuthSignInExpired_and_after_a_new_sign_in_only_the_rest_is_sent()
        {
            var cache = Path.Combine(_file.Folder, "user-tokens.bin");
            var policy = new QuotaPolicy { MessagesPerHour = 20 };
            var rows = Rows(50).ToList();
            var (first, _) = DeviceCodeUser(cache);
            Assert.All(Run(SignIn(first), Rows(1)), r => Assert.Equal(RowStatus.Sent, r.Status));

            // A scheduled run (no prompt) from the saved sign-in; during its hour's wait the user's sessions are revoked.
            var (unattended, _) = DeviceCodeUser(cache, prompt: false);
            var results = new List<SendResult>();
            var options = new SendOptions { Campaign = "c2", Random = new Random(1) };
            SignInException stop;
            using (var transport = new MailKitTransport(Clear(_server.Port, null), SignIn(unattended)))
            {
                var session = new SendSession(Account, policy, Personal, _ledger, _ledger, _ledger, transport, _clock, options);
                stop = Assert.Throws<SignInException>(() =>
                {
                    foreach (var row in rows)
                    {
                        if (row.Number == 21)
                        {
                            results.AddRange(session.Flush(default));   // the first 20 answered (one may still be on its way when a row is added)
                            _endpoint.RevokeAll();
                        }
                        results.AddRange(session.Add(row, default));
                    }
                });
                results.AddRange(session.TakeFinished());   // the rows finished before the failure
            }

            Assert.Equal("OAuthSignInExpired", stop.ErrorId);
            Assert.Contains("AADSTS50173", stop.Message);
            Assert.Equal(20, results.Count(r => r.Status == RowStatus.Sent));
            var (again, prompts) = DeviceCodeUser(cache);
            var rerun = Run(SignIn(again), rows, policy, campaign: "c2");
            Assert.Single(prompts);
            Assert.Equal(20, rerun.Count(r => r.Status == RowStatus.Skipped));
            Assert.Equal(30, rerun.Count(r => r.Status == RowStatus.Sent));
            var received = _server.Received.SelectMany(m => m.To).ToList();
            Assert.Equal(51, received.Count);                         // row 1 of the first sign-in, then 50 once each
            Assert.Equal(50, received.Skip(1).Distinct().Count());
        }

        /// <summary>A service account JSON key as Google issues it, whose token_uri is the loopback endpoint.</summary>
        string GoogleKey(RSA key, string type = "service_account")
        {
            var path = Path.Combine(_file.Folder, "sa-" + Guid.NewGuid().ToString("N") + ".json");
            File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["type"] = type,
                ["project_id"] = "mailquotaps-test",
                ["private_key_id"] = "0123456789abcdef",
                ["private_key"] = key.ExportPkcs8PrivateKeyPem(),
                ["client_email"] = "sender@mailquotaps-test.iam.gserviceaccount.com",
                ["client_id"] = "109876543210987654321",
                ["token_uri"] = new Uri(_endpoint.Address, "google/token").ToString(),
            }));
            _endpoint.GoogleClientEmail = "sender@mailquotaps-test.iam.gserviceaccount.com";
            _endpoint.GoogleUser = Account;
            return path;
        }

        [Fact]
        public void A_Google_service_account_acting_as_the_sender_sends_a_long_run_on_renewed_tokens()
        {
            using var rsa = RSA.Create(2048);
            _endpoint.GoogleKey = rsa;
            var source = TokenSources.Create(new SignInSettings { Method = SignInMethod.GoogleServiceAccount, ServiceAccountKeyPath = GoogleKey(rsa) }, Account, null, null, _clock, _ => { });

            var results = Run(SignIn(source), Rows(30), new QuotaPolicy { MessagesPerHour = 20 });

            Assert.All(results, r => Assert.Equal(RowStatus.Sent, r.Status));
            Assert.Equal(new[] { $"google jwt-bearer {Account}", $"google jwt-bearer {Account}" }, _endpoint.Requests);
            Assert.Equal(new[] { 20, 10 }, _server.Received.GroupBy(m => m.Token).Select(g => g.Count()).ToArray());
            Assert.Contains("sender@mailquotaps-test.iam.gserviceaccount.com acting as " + Account, source.Description);
        }

        [Fact]
        public void Google_refusing_the_service_account_stops_with_an_error_id_that_says_what_to_fix()
        {
            using var rsa = RSA.Create(2048);
            using var other = RSA.Create(2048);
            var key = GoogleKey(rsa);
            ITokenSource Source(string path) => GoogleServiceAccountSignIn.FromKeyFile(path, Account);

            _endpoint.GoogleKey = rsa;
            _endpoint.GoogleUser = "someone.else@contoso.test";   // delegation not granted for this user/scope
            var delegation = Assert.Throws<SignInException>(() => Source(key).GetToken(false, default));
            _endpoint.GoogleUser = Account;
            _endpoint.GoogleKey = other;                           // the key was deleted in the console
            var revoked = Assert.Throws<SignInException>(() => Source(key).GetToken(false, default));
            var notAKey = Assert.Throws<SignInException>(() => Source(GoogleKey(rsa, "authorized_user")));

            Assert.Equal("GoogleDelegationMissing", delegation.ErrorId);
            Assert.Contains("https://mail.google.com/", delegation.Fix);
            Assert.Equal("GoogleKeyRevoked", revoked.ErrorId);
            Assert.Equal("GoogleKeyUnreadable", notAKey.ErrorId);
            Assert.Empty(_endpoint.Tokens);
        }

        [Fact]
        public void On_Linux_tokens_are_kept_in_the_Secret_Service_keyring_where_a_second_process_finds_them_and_no_file_holds_them_in_clear()
        {
            if (!OperatingSystem.IsLinux()) return;   // DPAPI and the Keychain are not on this test machine
            Assert.True(File.Exists("/usr/bin/dbus-run-session") && File.Exists("/usr/bin/gnome-keyring-daemon"),
                "this test needs a Secret Service: apt-get install gnome-keyring libsecret-1-0 dbus (as .ci/run does)");
            var home = Path.Combine(_file.Folder, "home");
            Directory.CreateDirectory(home);

            var first = KeyringWorker(home, "first@example.test");
            var second = KeyringWorker(home, "second@example.test");

            Assert.Equal("sent 250 2.0.0 OK queued", first);
            Assert.Equal("sent 250 2.0.0 OK queued", second);
            Assert.Equal("entra client_credentials secret", Assert.Single(_endpoint.Requests));
            Assert.Single(_server.Received.Select(m => m.Token).Distinct());
            // The keyring holds them, encrypted with the login password; nothing under the home folder has the secret or a token.
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(home, ".local", "share", "keyrings")));
            var secrets = new[] { Secret }.Concat(_endpoint.Tokens).ToList();
            foreach (var file in Directory.GetFiles(home, "*", SearchOption.AllDirectories))
            {
                // Empty files hold nothing; skipping them also skips the sockets a keyring daemon may leave
                // under .cache (length 0, and reading one fails with ENXIO).
                if (new FileInfo(file).Length == 0) continue;
                var text = File.ReadAllText(file, Encoding.Latin1);
                foreach (var secret in secrets) Assert.DoesNotContain(secret, text);
            }
        }

        /// <summary>SignInWorker in a D-Bus session of its own with GNOME Keyring unlocked, as a desktop login gives, over <paramref name="home"/>.</summary>
        string KeyringWorker(string home, string to)
        {
            var info = new System.Diagnostics.ProcessStartInfo("dbus-run-session");
            info.Environment["HOME"] = home;
            info.Environment.Remove("XDG_DATA_HOME");
            info.Environment["KEYRING_PASSWORD"] = "login-password";
            foreach (var a in new[] { "--", "sh", "-c", "printf %s \"$KEYRING_PASSWORD\" | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec dotnet \"$@\"", "sh" })
                info.ArgumentList.Add(a);
            return RunWorker(info, "-", to, "app");
        }

        /// <summary>
        /// A Google user who opens the address shown in a "browser": the request goes to the loopback
        /// endpoint (in place of accounts.google.com), whose consent page sends the browser back to the
        /// app's loopback address with a code. The browser runs while the app waits for it.
        /// </summary>
        (GoogleUserSignIn Source, List<string> Prompts, List<System.Threading.Tasks.Task<string>> Browser) GoogleUser(string? cache, bool prompt = true, string secret = Secret)
        {
            var prompts = new List<string>();
            var browser = new List<System.Threading.Tasks.Task<string>>();
            var store = new GoogleTokenStore(cache == null ? null : TokenCacheFile.Open("google-user-" + _endpoint.GoogleClientId, cache, out _));
            var source = new GoogleUserSignIn(_endpoint.GoogleClientId, Secure(secret), Account, store, !prompt ? null : text =>
            {
                prompts.Add(text);
                var address = new Uri(System.Text.RegularExpressions.Regex.Match(text, @"open this address in a browser and allow the app to send mail: (\S+) \(").Groups[1].Value);
                browser.Add(System.Threading.Tasks.Task.Run(async () =>
                {
                    using var http = new System.Net.Http.HttpClient();
                    return await http.GetStringAsync(new Uri(_endpoint.Address, address.PathAndQuery));
                }));
            }, TestSignInEndpoint.GoogleHttp(_endpoint.Address));
            return (source, prompts, browser);
        }

        [Fact]
        public async System.Threading.Tasks.Task A_Google_user_authorises_once_in_the_browser_a_fifty_row_run_renews_from_the_refresh_token_and_a_second_process_reuses_the_saved_sign_in()
        {
            var cache = Path.Combine(_file.Folder, "google-tokens.bin");
            var (source, prompts, browser) = GoogleUser(cache);
            var signIn = SignIn(source);

            var results = Run(signIn, Rows(50), new QuotaPolicy { MessagesPerHour = 20 });
            var second = Worker(cache, "later@example.test", "google-user");

            Assert.All(results, r => Assert.Equal(RowStatus.Sent, r.Status));
            var prompt = Assert.Single(prompts);
            Assert.StartsWith($"To sign in as {Account}, open this address in a browser and allow the app to send mail: https://accounts.google.com/o/oauth2/v2/auth?", prompt);
            Assert.Matches(@"returns to http://127\.0\.0\.1:\d+/authorize/ on this computer", prompt);
            Assert.Contains("code_challenge_method=S256", prompt);
            Assert.Contains("Signed in", await Assert.Single(browser));   // the page the browser shows at the end
            // One browser sign-in, then the refresh token for each hour's new token; the second process took the saved one.
            Assert.Equal(new[] { $"google authorize {Account}", $"google authorization_code {Account}", $"google refresh_token {Account}", $"google refresh_token {Account}" }, _endpoint.Requests);
            Assert.Equal("sent 250 2.0.0 OK queued", second);
            var received = _server.Received;
            Assert.Equal(51, received.Count);
            Assert.Equal(new[] { 20, 20, 11 }, received.GroupBy(m => m.Token).Select(g => g.Count()).ToArray());
            Assert.Equal(51, received.SelectMany(m => m.To).Distinct().Count());
            Assert.All(_server.Log, line => Assert.Equal($"auth {Account} ok", line));
            Assert.Contains($"OAuth client {_endpoint.GoogleClientId}, signed in as the user {Account}", source.Description);
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cache));
            // The cache file named by the user holds the refresh token (that is its job, readable by the user only), never the client secret.
            Assert.Contains(Assert.Single(_endpoint.RefreshTokens), File.ReadAllText(cache));
            Assert.DoesNotContain(Secret, File.ReadAllText(cache));
        }

        [Fact]
        public void A_Google_user_token_the_server_refuses_is_renewed_once_from_the_refresh_token_and_the_run_goes_on()
        {
            var (source, _, _) = GoogleUser(null);
            string? first = null;
            // The first access token is refused (e.g. revoked on Google's side before it ran out); later ones are good.
            _server.Validate = (user, token) => (first ??= token) == token ? "535 5.7.8 Username and Password not accepted." : TokenCheck(user, token);

            var results = Run(SignIn(source), Rows(3));

            Assert.All(results, r => Assert.Equal(RowStatus.Sent, r.Status));
            Assert.Equal(new[] { $"auth {Account} 535 5.7.8 Username and Password not accepted.", $"auth {Account} ok" }, _server.Log);
            Assert.Equal(new[] { $"google authorize {Account}", $"google authorization_code {Account}", $"google refresh_token {Account}" }, _endpoint.Requests);
            Assert.All(_server.Received, m => Assert.NotEqual(first, m.Token));
        }

        [Fact]
        public void A_Google_sign_in_revoked_mid_run_stops_with_OAuthSignInExpired_and_after_a_new_browser_sign_in_only_the_rest_is_sent()
        {
            var cache = Path.Combine(_file.Folder, "google-tokens.bin");
            var policy = new QuotaPolicy { MessagesPerHour = 20 };
            var rows = Rows(50).ToList();
            var (first, _, _) = GoogleUser(cache);
            Assert.All(Run(SignIn(first), Rows(1)), r => Assert.Equal(RowStatus.Sent, r.Status));

            // A scheduled run (no prompt) from the saved sign-in; during its hour's wait the user removes the app's access.
            var (unattended, _, _) = GoogleUser(cache, prompt: false);
            var results = new List<SendResult>();
            var options = new SendOptions { Campaign = "c2", Random = new Random(1) };
            SignInException stop;
            using (var transport = new MailKitTransport(Clear(_server.Port, null), SignIn(unattended)))
            {
                var session = new SendSession(Account, policy, Personal, _ledger, _ledger, _ledger, transport, _clock, options);
                stop = Assert.Throws<SignInException>(() =>
                {
                    foreach (var row in rows)
                    {
                        if (row.Number == 21)
                        {
                            results.AddRange(session.Flush(default));   // the first 20 answered (one may still be on its way when a row is added)
                            _endpoint.RevokeAll();
                        }
                        results.AddRange(session.Add(row, default));
                    }
                });
                results.AddRange(session.TakeFinished());   // the rows finished before the failure
            }

            Assert.Equal("OAuthSignInExpired", stop.ErrorId);
            Assert.Contains("invalid_grant: Token has been expired or revoked.", stop.Message);
            Assert.Contains("-BrowserSignIn", stop.Fix);
            Assert.Equal(20, results.Count(r => r.Status == RowStatus.Sent));
            // Another unattended run now asks for a sign-in instead of trying the revoked token again.
            var (again, _, _) = GoogleUser(cache, prompt: false);
            Assert.Equal("OAuthSignInRequired", Assert.Throws<SignInException>(() => again.GetToken(false, default)).ErrorId);

            var (signedIn, prompts, _) = GoogleUser(cache);
            var rerun = Run(SignIn(signedIn), rows, policy, campaign: "c2");

            Assert.Single(prompts);
            Assert.Equal(20, rerun.Count(r => r.Status == RowStatus.Skipped));
            Assert.Equal(30, rerun.Count(r => r.Status == RowStatus.Sent));
            var received = _server.Received.SelectMany(m => m.To).ToList();
            Assert.Equal(51, received.Count);                         // row 1 of the first sign-in, then 50 once each
            Assert.Equal(50, received.Skip(1).Distinct().Count());
        }

        [Fact]
        public void Google_refusing_the_client_or_the_user_declining_stops_with_an_error_id_that_says_what_to_fix()
        {
            var (unattended, _, _) = GoogleUser(null, prompt: false);
            var required = Assert.Throws<SignInException>(() => unattended.GetToken(false, default));
            var (wrongSecret, _, _) = GoogleUser(null, secret: "not-the-secret");
            var rejected = Assert.Throws<SignInException>(() => wrongSecret.GetToken(false, default));
            _endpoint.GoogleConsentDenied = true;
            var (declined, _, _) = GoogleUser(null);
            var denied = Assert.Throws<SignInException>(() => declined.GetToken(false, default));
            var missing = Assert.Throws<SignInException>(() => TokenSources.Create(new SignInSettings { Method = SignInMethod.GoogleUser, ClientId = _endpoint.GoogleClientId }, Account, null, null, _clock, _ => { }));

            Assert.Equal("OAuthSignInRequired", required.ErrorId);
            Assert.Contains("-BrowserSignIn", required.Fix);
            Assert.Equal("GoogleClientRejected", rejected.ErrorId);
            Assert.Contains("Desktop app", rejected.Fix);
            Assert.DoesNotContain("not-the-secret", rejected.Message + rejected.Fix);
            Assert.Equal("OAuthConsentMissing", denied.ErrorId);
            Assert.Contains("https://mail.google.com/", denied.Fix);
            Assert.Equal("OAuthCredentialMissing", missing.ErrorId);
            Assert.Equal(new[] { $"google authorize {Account}", "refused 401 invalid_client 0" }, _endpoint.Requests);
            Assert.Empty(_endpoint.Tokens);
        }

        [Theory]
        [InlineData("http://192.0.2.10:8080/")]
        [InlineData("https://login.example.test/")]
        public void The_test_sign_in_endpoint_takes_only_a_loopback_address(string value)
        {
            var before = Environment.GetEnvironmentVariable(TestSignInEndpoint.Variable);
            try
            {
                Environment.SetEnvironmentVariable(TestSignInEndpoint.Variable, value);
                var e = Assert.Throws<SignInException>(() => TestSignInEndpoint.FromEnvironment());
                Assert.Equal("SignInTestEndpointRefused", e.ErrorId);
                Environment.SetEnvironmentVariable(TestSignInEndpoint.Variable, "http://127.0.0.1:5999/some/path");
                Assert.Equal(new Uri("http://127.0.0.1:5999/"), TestSignInEndpoint.FromEnvironment());
                Environment.SetEnvironmentVariable(TestSignInEndpoint.Variable, null);
                Assert.Null(TestSignInEndpoint.FromEnvironment());
            }
            finally { Environment.SetEnvironmentVariable(TestSignInEndpoint.Variable, before); }
        }

        /// <summary>Runs SignInWorker (a separate process) to send one message; returns its last line.</summary>
        string Worker(string cache, string to, string mode = "app") => RunWorker(new System.Diagnostics.ProcessStartInfo("dotnet"), cache, to, mode);

        /// <summary>Starts the worker as <paramref name="info"/> says, with the client secret on its standard input.</summary>
        string RunWorker(System.Diagnostics.ProcessStartInfo info, string cache, string to, string mode)
        {
            info.RedirectStandardInput = true;
            info.RedirectStandardOutput = true;
            info.UseShellExecute = false;
            var clientId = mode == "google-user" ? _endpoint.GoogleClientId : _endpoint.ClientId;
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "SignInWorker.dll"), _endpoint.Address.ToString(), _endpoint.Tenant, clientId, cache, _server.Port.ToString(), Account, to, mode })
                info.ArgumentList.Add(a);
            using var process = System.Diagnostics.Process.Start(info)!;
            process.StandardInput.WriteLine(Secret);
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEnd();
            Assert.True(process.WaitForExit(60_000));
            return output.Trim().Split('\n').Last().Trim();
        }

        /// <summary>Neither the client secret nor any token issued shows in the ledger folder's files.</summary>
        void AssertNothingSecretIn(string folder)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            var secrets = new[] { Secret }.Concat(_endpoint.Tokens).ToList();
            Assert.True(secrets.Count > 1);
            foreach (var file in Directory.GetFiles(folder))
            {
                string text;
                using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
                using (var reader = new StreamReader(stream, Encoding.Latin1)) text = reader.ReadToEnd();
                foreach (var secret in secrets) Assert.DoesNotContain(secret, text);
            }
        }
    }
}
