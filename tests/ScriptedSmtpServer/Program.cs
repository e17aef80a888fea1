using System;
using System.Collections.Generic;
using System.Threading;
using ScriptedSmtpServer;

// Usage: ScriptedSmtpServer --port N --log FILE [--rule "STAGE SELECTOR [close|lose|drop] => CODE TEXT"]...
//                           [--seed N --faults "drop=P,lose=P,throttle=P,close=P"]
//        ScriptedSmtpServer --port N --log FILE --oauth-refusal "535 5.7.3 ..."
// Accepts mail on 127.0.0.1:N, answers as the rules say (see ScriptRule) and, with --faults, injects
// seeded random faults where no rule answers (see RandomFaults); appends one JSON line per message
// it took to FILE ({"from","to":[…],"replyLost","raw"}), prints "listening N" and runs until killed
// or until its standard input closes; with --faults it then prints "faults drop=N lose=N …". With --oauth-refusal it is instead the OAuth server
// (OAuth/OAuthSmtpServer: AUTH XOAUTH2) refusing every token with that reply.
var port = 0;
string? log = null;
string? oauthRefusal = null;
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
var faults = faultSpec == null ? null : new RandomFaults(seed, faultSpec);
using (var server = new ScriptedServer(port, rules, log, faults))
{
    foreach (var rule in rules) Console.WriteLine("rule " + rule);
    if (faults != null) Console.WriteLine($"random faults {faultSpec}, seed {seed}");
    Console.WriteLine($"listening {port}");
    while (Console.ReadLine() != null) { }
}
if (faults != null) Console.WriteLine("faults " + faults);
return 0;
