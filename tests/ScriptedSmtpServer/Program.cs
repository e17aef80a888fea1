using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using ScriptedSmtpServer;

// Usage: ScriptedSmtpServer --port N --log FILE [--rule "STAGE SELECTOR [close|lose|drop] => CODE TEXT"]...
//                           [--seed N --faults "drop=P,lose=P,throttle=P,close=P"]
//        ScriptedSmtpServer --port N --log FILE --oauth-refusal "535 5.7.3 ..."
//        ScriptedSmtpServer --port N --log FILE --oauth-user notices@contoso.test
// Accepts mail on 127.0.0.1:N, answers as the rules say (see ScriptRule) and, with --faults, injects
// seeded random faults where no rule answers (see RandomFaults); appends one JSON line per message
// it took to FILE ({"from","to":[…],"replyLost","raw"}), prints "listening N" and runs until killed
// or until its standard input closes; with --faults it then prints "faults drop=N lose=N …". A "hold"
// rule prints "held N" when it has taken message N; an input line "release" lets its reply go. With --oauth-refusal it is instead the OAuth server
// (OAuth/OAuthSmtpServer: AUTH XOAUTH2) refusing every token with that reply. With --oauth-user
// it is the OAuth server with a loopback token endpoint (OAuth/LoopbackTokenEndpoint) that takes
// the client secret from the first line of standard input, prints "token-endpoint URL",
// "entra TENANT CLIENTID" and "google CLIENTID", and accepts that user's tokens; each later input
// line "state" prints one JSON line: the endpoint's requests, every access and refresh token it
// issued, and the messages received with the token of each.
var port = 0;
string? log = null;
string? oauthRefusal = null;
string? oauthUser = null;
string? faultSpec = null;
var seed = 0;
var rules = new List<ScriptRule>();
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--port": port = int.Parse(args[i + 1]); break;
        case "--log": log = args[i + 1]; break;
        case "--rule": rules.Add(ScriptRule.Parse(args[i + 1])); break;
        case "--oauth-refusal": oauthRefusal = args[i + 1]; break;
        case "--faults": faultSpec = args[i + 1]; break;
        case "--seed": seed = int.Parse(args[i + 1]); break;
        case "--oauth-user": oauthUser = args[i + 1]; break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}
if (port <= 0 || log == null) { Console.Error.WriteLine("give --port and --log"); return 2; }
if (oauthRefusal != null)
{
    using var oauth = new ScriptedSmtpServer.OAuth.OAuthSmtpServer((_, _) => oauthRefusal, port: port);
    Console.WriteLine($"listening {port}");
    while (Console.ReadLine() != null) { }
    return 0;
}
if (oauthUser != null)
{
    var secret = Console.ReadLine();
    using var endpoint = new ScriptedSmtpServer.OAuth.LoopbackTokenEndpoint(() => DateTimeOffset.UtcNow) { ClientSecret = secret, GoogleClientSecret = secret, GoogleUser = oauthUser };
    using var oauth = new ScriptedSmtpServer.OAuth.OAuthSmtpServer((user, token) => user == oauthUser && endpoint.Check(token) == null ? null : "535 5.7.3 Authentication unsuccessful [oauth.test]", port: port);
    Console.WriteLine($"token-endpoint {endpoint.Address}");
    Console.WriteLine($"entra {endpoint.Tenant} {endpoint.ClientId}");
    Console.WriteLine($"google {endpoint.GoogleClientId}");
    Console.WriteLine($"listening {port}");
    while (Console.ReadLine() is string command)
    {
        if (command != "state") continue;
        Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
        {
            requests = endpoint.Requests,
            tokens = endpoint.Tokens,
            refreshTokens = endpoint.RefreshTokens,
            received = oauth.Received.Select(m => new { user = m.User, token = m.Token, from = m.From, to = m.To }),
        }));
    }
    return 0;
}
var faults = faultSpec == null ? null : new RandomFaults(seed, faultSpec);
using (var server = new ScriptedServer(port, rules, log, faults))
{
    foreach (var rule in rules) Console.WriteLine("rule " + rule);
    if (faults != null) Console.WriteLine($"random faults {faultSpec}, seed {seed}");
    server.Holding += message => Console.WriteLine($"held {message}");
    Console.WriteLine($"listening {port}");
    while (Console.ReadLine() is string command)
        if (command == "release") server.Release();
}
if (faults != null) Console.WriteLine("faults " + faults);
return 0;
