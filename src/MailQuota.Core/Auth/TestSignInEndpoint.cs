using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using MailQuota.Core.Smtp;
using Microsoft.Identity.Client;

namespace MailQuota.Core.Auth
{
    /// <summary>
    /// TEST ONLY: the environment variable MAILQUOTAPS_TEST_SIGNIN_ENDPOINT points every sign-in at a
    /// token endpoint on this computer (http://127.0.0.1:port/), so the built module's tests sign in
    /// end to end without the internet. Only a loopback address is taken, so it cannot send a secret
    /// or a token off the computer; anything else stops the run. Not for users (README: tests).
    /// </summary>
    public static class TestSignInEndpoint
    {
        public const string Variable = "MAILQUOTAPS_TEST_SIGNIN_ENDPOINT";

        /// <summary>The loopback endpoint the variable names, or null when it is not set.</summary>
        public static Uri? FromEnvironment()
        {
            var value = Environment.GetEnvironmentVariable(Variable);
            if (string.IsNullOrWhiteSpace(value)) return null;
            if (!Uri.TryCreate(value!.Trim(), UriKind.Absolute, out var uri) || !(uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                || !IPAddress.TryParse(uri.Host, out var address) || !IPAddress.IsLoopback(address))
                throw new SignInException("SignInTestEndpointRefused", $"{Variable} is set to '{value}', which is not a loopback address.",
                    $"{Variable} is for the module's tests only: remove it from the environment.");
            return new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
        }

        /// <summary>Sends MSAL's requests (which must name an https authority) to the endpoint, path and query unchanged.</summary>
        public static IMsalHttpClientFactory MsalHttp(Uri endpoint) => new LoopbackMsalHttp(endpoint);

        /// <summary>Sends the requests of Google's sign-in library (to https://oauth2.googleapis.com/token) to the endpoint, path and query unchanged.</summary>
        public static Google.Apis.Http.IHttpClientFactory GoogleHttp(Uri endpoint) => new LoopbackGoogleHttp(endpoint);

        sealed class LoopbackMsalHttp : IMsalHttpClientFactory
        {
            readonly HttpClient _client;

            public LoopbackMsalHttp(Uri endpoint) => _client = new HttpClient(new Redirect(endpoint, new HttpClientHandler()));

            public HttpClient GetHttpClient() => _client;
        }

        sealed class LoopbackGoogleHttp : Google.Apis.Http.HttpClientFactory
        {
            readonly Uri _endpoint;

            public LoopbackGoogleHttp(Uri endpoint) => _endpoint = endpoint;

            protected override HttpMessageHandler CreateHandler(Google.Apis.Http.CreateHttpClientArgs args) => new Redirect(_endpoint, base.CreateHandler(args));
        }

        sealed class Redirect : DelegatingHandler
        {
            readonly Uri _endpoint;

            public Redirect(Uri endpoint, HttpMessageHandler inner) : base(inner) => _endpoint = endpoint;

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                request.RequestUri = new Uri(_endpoint, request.RequestUri!.PathAndQuery);
                return base.SendAsync(request, cancellationToken);
            }
        }
    }
}
