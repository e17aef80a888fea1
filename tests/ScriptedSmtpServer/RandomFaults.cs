using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;

namespace ScriptedSmtpServer
{
    /// <summary>
    /// Seeded random faults at the DATA command, for a soak run: each message the server reaches is,
    /// with its own probability, dropped at the DATA command (nothing handed over), taken and then its
    /// reply lost (the connection goes before the 250), throttled (454, the session goes on) or refused
    /// with 421 and a hang-up. The fault of the nth DATA command depends on the seed and n only, so a
    /// run is reproducible whatever its timing. Written "drop=0.02,lose=0.02,throttle=0.01,close=0.01".
    /// </summary>
    public sealed class RandomFaults
    {
        static readonly string[] Kinds = { "drop", "lose", "throttle", "close" };

        readonly int _seed;
        readonly double[] _odds;
        readonly int[] _injected = new int[Kinds.Length];

        public RandomFaults(int seed, string spec)
        {
            _seed = seed;
            _odds = new double[Kinds.Length];
            foreach (var part in spec.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries))
            {
                var pair = part.Split('=');
                var index = Array.IndexOf(Kinds, pair[0].Trim().ToLowerInvariant());
                if (pair.Length != 2 || index < 0 || !double.TryParse(pair[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var odds) || odds < 0)
                    throw new FormatException($"'{part}' is not a fault: {string.Join("|", Kinds)}=PROBABILITY");
                _odds[index] = odds;
            }
            if (_odds.Sum() > 1) throw new FormatException($"'{spec}': the probabilities add up to more than 1");
        }

        /// <summary>The rule that answers the nth DATA command, or null to accept it.</summary>
        public ScriptRule? For(int nth)
        {
            var draw = new Random(unchecked(_seed * 7919 + nth)).NextDouble();
            for (var i = 0; i < Kinds.Length; i++)
            {
                if (draw >= _odds[i]) { draw -= _odds[i]; continue; }
                Interlocked.Increment(ref _injected[i]);
                return ScriptRule.Parse(Kinds[i] switch
                {
                    "drop" => $"data nth {nth} drop => 421 dropped",
                    "lose" => $"data nth {nth} lose => 250 taken, reply lost",
                    "throttle" => $"data nth {nth} => 454 4.7.0 Throttling failure: Maximum sending rate exceeded",
                    _ => $"data nth {nth} close => 421 4.7.0 Try again later, closing connection",
                });
            }
            return null;
        }

        /// <summary>How many of each fault were injected, e.g. "drop=3 lose=2 throttle=1 close=0".</summary>
        public override string ToString() =>
            string.Join(" ", Kinds.Select((kind, i) => $"{kind}={Volatile.Read(ref _injected[i])}"));
    }
}
