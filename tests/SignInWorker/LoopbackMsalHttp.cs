using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Identity.Client;

namespace SignInWorker
{
    /// <summary>
    /// MSAL's HTTP client pointed at a loopback token endpoint: MSAL insists on an https authority,
    /// so requests keep their path and go to the endpoint's address instead of login.microsoftonline.com.
    /// </summary>
    public sealed class LoopbackMsalHttp : IMsalHttpClientFactory
    {
        readonly HttpClient _client;

        public LoopbackMsalHttp(Uri endpoint) => _client = new HttpClient(new Redirect(endpoint));

        public HttpClient GetHttpClient() => _client;

        sealed class Redirect : DelegatingHandler
        {
            readonly Uri _endpoint;

            public Redirect(Uri endpoint) : base(new HttpClientHandler()) => _endpoint = endpoint;

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                request.RequestUri = new Uri(_endpoint, request.RequestUri!.PathAndQuery);
                return base.SendAsync(request, cancellationToken);
            }
        }
    }
}
