using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ScriptedSmtpServer
{
    /// <summary>Where in the SMTP transaction a rule answers.</summary>
    public enum ScriptStage { Mail, Rcpt, Data }

    /// <summary>
    /// One scripted reply, written as "STAGE SELECTOR [close] => CODE TEXT":
    /// <list type="bullet">
    /// <item>"data after-every 20 => 454 …": after every 20 accepted messages, the next one is refused;</item>
    /// <item>"data from 11 => 554 5.2.0 …": the 11th message and every later one;</item>
    /// <item>"data nth 5 close => 421 4.7.0 …": only the 5th message, and the server then hangs up;</item>
    /// <item>"data nth 5 lose => 250 …": the 5th message is taken, then the server hangs up before its
    /// reply (a reply lost after the message was taken; the code is not sent);</item>
    /// <item>"data nth 5 drop => 421 …": the server hangs up as the 5th DATA command arrives, before any
    /// data (nothing was handed over; the code is not sent);</item>
    /// <item>"data nth 1 hold => 250 …": the 1st message is taken, and its reply waits until
    /// <see cref="ScriptedServer.Release"/> (a message on the wire while a test looks at the sender);</item>
    /// <item>"data all => …": every message;</item>
    /// <item>"rcpt to gone@example.test => 550 5.1.1 user unknown": that recipient ("rcpt all": every one);</item>
    /// <item>"mail after-every 20 => 450 4.7.1 Error: too much mail from 127.0.0.1": the MAIL command,
    /// counted as data rules count messages (Postfix's anvil refuses here).</item>
    /// </list>
    /// Messages are counted over the server's life, across connections: every DATA the server
    /// reaches counts, accepted or refused; MAIL commands are counted the same way, on their own.
    /// The server advertises PIPELINING and, as real servers do, answers the RCPT and DATA that a
    /// pipelining client sent behind a refused MAIL with 503.
    /// </summary>
    public sealed class ScriptRule
    {
        static readonly Regex Syntax = new Regex(
            @"^\s*(?<stage>mail|rcpt|data)\s+(?<selector>after-every|from|nth|to|all)(\s+(?<arg>[^\s=]+))?(\s+(?<after>close|lose|drop|hold))?\s*=>\s*(?<code>[2-5]\d\d)\s+(?<text>.+?)\s*$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        ScriptRule(ScriptStage stage, string selector, string? argument, string? after, int code, string text)
        {
            Stage = stage; Selector = selector; Argument = argument; Code = code; Text = text;
            Close = after == "close"; Lose = after == "lose"; Drop = after == "drop"; Hold = after == "hold";
        }

        public ScriptStage Stage { get; }
        public string Selector { get; }
        public string? Argument { get; }

        /// <summary>Disconnect after the reply (as a server that answers 421 does).</summary>
        public bool Close { get; }

        /// <summary>Take the message, then hang up without the reply (data rules).</summary>
        public bool Lose { get; }

        /// <summary>Hang up as the DATA command arrives, before any data (data rules).</summary>
        public bool Drop { get; }

        /// <summary>Take the message, then keep its reply until the server is told to release it (data rules, 2xx).</summary>
        public bool Hold { get; }
        public int Code { get; }
        public string Text { get; }

        public static ScriptRule Parse(string rule)
        {
            var m = Syntax.Match(rule);
            if (!m.Success) throw new FormatException($"'{rule}' is not a rule: STAGE SELECTOR [close] => CODE TEXT (see ScriptRule)");
            var stage = m.Groups["stage"].Value.ToLowerInvariant() switch { "mail" => ScriptStage.Mail, "rcpt" => ScriptStage.Rcpt, _ => ScriptStage.Data };
            var selector = m.Groups["selector"].Value.ToLowerInvariant();
            var argument = m.Groups["arg"].Success ? m.Groups["arg"].Value : null;
            if ((selector == "to" && stage != ScriptStage.Rcpt) || (stage == ScriptStage.Rcpt && selector != "to" && selector != "all") || (selector != "all" && argument == null))
                throw new FormatException($"'{rule}': 'to ADDRESS' and 'all' are for rcpt rules, 'after-every N', 'from N', 'nth N' and 'all' for mail and data rules");
            var after = m.Groups["after"].Success ? m.Groups["after"].Value.ToLowerInvariant() : null;
            if (after != null && after != "close" && stage != ScriptStage.Data)
                throw new FormatException($"'{rule}': 'lose', 'drop' and 'hold' are for data rules");
            if (after == "hold" && m.Groups["code"].Value[0] != '2')
                throw new FormatException($"'{rule}': 'hold' delays an acceptance: its code is 2xx");
            return new ScriptRule(stage, selector, argument, after,
                int.Parse(m.Groups["code"].Value, CultureInfo.InvariantCulture), m.Groups["text"].Value);
        }

        /// <summary>Does the rule answer the recipient?</summary>
        public bool MatchesRecipient(string address) =>
            Stage == ScriptStage.Rcpt && (Selector == "all" || string.Equals(address, Argument, StringComparison.OrdinalIgnoreCase));

        /// <summary>
        /// Does the rule answer the <paramref name="nth"/> command of its stage (MAIL or DATA),
        /// <paramref name="acceptedInARow"/> accepted since the last refusal?
        /// </summary>
        public bool MatchesCommand(ScriptStage stage, int nth, int acceptedInARow)
        {
            if (Stage != stage || stage == ScriptStage.Rcpt) return false;
            var n = Argument == null ? 0 : int.Parse(Argument, CultureInfo.InvariantCulture);
            return Selector switch
            {
                "after-every" => acceptedInARow >= n,
                "from" => nth >= n,
                "nth" => nth == n,
                _ => true,
            };
        }

        public override string ToString() =>
            $"{Stage.ToString().ToLowerInvariant()} {Selector}{(Argument == null ? "" : " " + Argument)}{(Close ? " close" : Lose ? " lose" : Drop ? " drop" : Hold ? " hold" : "")} => {Code} {Text}";
    }
}
