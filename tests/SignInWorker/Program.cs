using MailQuota.Core.Time;
using System;
using System.Net;
using System.Security;
using MailQuota.Core;
using MailQuota.Core.Auth;
using MailQuota.Core.Smtp;
using MimeKit;

// Usage: SignInWorker <token endpoint url> <tenant> <client id> <token cache file, or - for the protected store> <smtp port> <from> <to> [app|user|google-user]
// Reads the client secret from standard input (never from the command line), signs in app-only
// through MSAL with the token cache (or, with "user", as the From user from the cache, never
// prompting; with "google-user", as the From user of a Google OAuth client from its saved
// sign-in), sends one message and prints "sent <reply>", or "error <ErrorId>" (exit code 3)
// when the sign-in fails.
var secret = new SecureString();
foreach (var c in Console.ReadLine() ?? "") secret.AppendChar(c);
var entra = new EntraApp(args[1], args[2]) { InstanceDiscovery = false, HttpClientFactory = TestSignInEndpoint.MsalHttp(new Uri(args[0])) };
var mode = args.Length > 7 ? args[7] : "app";
var asUser = mode == "user";
var cache = TokenCacheFile.Open((mode == "google-user" ? "google-user-" : asUser ? "entra-user-" : "entra-app-") + args[2], args[3] == "-" ? null : args[3], out var unavailable);
if (cache == null) { Console.WriteLine("error " + unavailable); return 2; }
ITokenSource source;
if (mode == "google-user")
    source = new GoogleUserSignIn(args[2], secret, args[5], new GoogleTokenStore(cache), null, TestSignInEndpoint.GoogleHttp(new Uri(args[0])));
else if (asUser)
{
    var user = new EntraUserSignIn(entra, args[5], null);
    cache.Attach(user.Cache);
    source = user;
}
else
{
    var app = EntraAppSignIn.WithSecret(entra, secret);
    cache.Attach(app.Cache);
    source = app;
}
var from = new MailboxAddress("", args[5]);
var to = new MailboxAddress("", args[6]);
var message = new MimeMessage(new[] { from }, new[] { to }, "second process", new TextPart("plain") { Text = "hello" });
try
{
    using var transport = new MailKitTransport(new SmtpSettings("127.0.0.1", int.Parse(args[4]), SmtpSecurity.None, null) { AllowUnencryptedAuthentication = true }, new OAuthSignIn(from.Address, source, SystemClock.Instance));
    var reply = transport.Send(message, from, new[] { to }, default);
    Console.WriteLine("sent " + reply);
    return 0;
}
catch (SignInException e)
{
    Console.WriteLine("error " + e.ErrorId);
    return 3;
}
