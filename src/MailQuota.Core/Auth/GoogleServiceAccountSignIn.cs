using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using Google.Apis.Json;
using MailQuota.Core.Smtp;

namespace MailQuota.Core.Auth
{
    /// <summary>
    /// Google Workspace: a service account with domain-wide delegation signs in as the sending user
    /// (its JSON key signs a request for the scope https://mail.google.com/, which SMTP needs).
    /// </summary>
    public sealed class GoogleServiceAccountSignIn : ITokenSource
    {
        public const string Scope = "https://mail.google.com/";
        const string DefaultTokenUri = "https://oauth2.googleapis.com/token";
        readonly ServiceAccountCredential _credential;
        readonly string _user;

        GoogleServiceAccountSignIn(ServiceAccountCredential credential, string user)
        {
            _credential = credential;
            _user = user;
        }

        /// <summary>Reads the key file (its token_uri says where to ask). Throws <see cref="SignInException"/> when it is not a service account key.</summary>
        /// <param name="user">The Workspace user to act as: the sending mailbox.</param>
        public static GoogleServiceAccountSignIn FromKeyFile(string path, string user)
        {
            JsonCredentialParameters? key;
            try { key = NewtonsoftJsonSerializer.Instance.Deserialize<JsonCredentialParameters>(File.ReadAllText(path)); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is Newtonsoft.Json.JsonException)
            {
                throw new SignInException("GoogleKeyUnreadable", $"Cannot read the service account key '{path}': {e.Message}",
                    "Give the JSON key file downloaded from Google Cloud console > IAM & Admin > Service accounts > Keys.", e);
            }
            if (key?.Type != JsonCredentialParameters.ServiceAccountCredentialType || string.IsNullOrEmpty(key.ClientEmail) || string.IsNullOrEmpty(key.PrivateKey))
                throw new SignInException("GoogleKeyUnreadable", $"'{path}' is not a service account key (its type is '{key?.Type}').",
                    "Give the JSON key of a service account (type service_account), not an OAuth client or a user credential.");
            var initializer = new ServiceAccountCredential.Initializer(key.ClientEmail, string.IsNullOrEmpty(key.TokenUri) ? DefaultTokenUri : key.TokenUri)
            {
                User = user,
                Scopes = new[] { Scope },
                KeyId = key.PrivateKeyId,
            }.FromPrivateKey(key.PrivateKey);
            return new GoogleServiceAccountSignIn(new ServiceAccountCredential(initializer), user);
        }

        public string Description => $"Google service account {_credential.Id} acting as {_user}";

        public AccessToken GetToken(bool renew, CancellationToken cancellationToken)
        {
            try
            {
                var value = Task.Run(async () =>
                {
                    if (renew) await _credential.RequestAccessTokenAsync(cancellationToken).ConfigureAwait(false);
                    return await _credential.GetAccessTokenForRequestAsync(null, cancellationToken).ConfigureAwait(false);
                }).GetAwaiter().GetResult();
                var token = _credential.Token;
                var expires = token.IssuedUtc.AddSeconds(token.ExpiresInSeconds ?? 3600);
                return new AccessToken(value, expires - DateTime.UtcNow);
            }
            catch (TokenResponseException e)
            {
                throw Refused(e);
            }
            catch (HttpRequestException e)
            {
                throw new SignInException("OAuthTokenEndpointUnreachable", $"Cannot reach Google's token endpoint to sign in as {_user}: {e.Message}",
                    "Check the network, the proxy and the firewall; the run sent nothing more.", e);
            }
        }

        SignInException Refused(TokenResponseException e)
        {
            var error = e.Error?.Error ?? "";
            var description = e.Error?.ErrorDescription ?? e.Message;
            var message = $"Google refused to let the service account {_credential.Id} act as {_user}: {error}: {description}";
            if (error == "unauthorized_client")
                return new SignInException("GoogleDelegationMissing", message,
                    "In the Google Admin console (Security > Access and data control > API controls > Manage domain-wide delegation) add the service account's client id with the scope https://mail.google.com/.", e);
            if (description.IndexOf("Invalid email or User ID", StringComparison.OrdinalIgnoreCase) >= 0)
                return new SignInException("GoogleUserNotFound", message,
                    "The From address must be a user (not a group or an alias) of the Workspace domain that delegated to the service account.", e);
            if (description.IndexOf("JWT Signature", StringComparison.OrdinalIgnoreCase) >= 0 || description.IndexOf("account not found", StringComparison.OrdinalIgnoreCase) >= 0)
                return new SignInException("GoogleKeyRevoked", message,
                    "The key was deleted or the service account disabled: create a new JSON key (Google Cloud console > Service accounts > Keys) and point the profile at it (Set-SendProfile -ServiceAccountKeyPath).", e);
            return new SignInException("GoogleSignInFailed", message, "Check the service account, its key and the domain-wide delegation (see the README).", e);
        }
    }
}
