using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using MailQuota.Core.Auth;
using MailQuota.Core.Quota;
using MailQuota.Core.Smtp;

namespace MailQuota.Core.Profiles
{
    /// <summary>
    /// A provider's SMTP endpoint and every sending limit known for it, so a script names the provider
    /// instead of repeating its numbers. Built-in profiles come with the module; users keep their own
    /// in a JSON file (<see cref="ProfileStore"/>). Never holds a credential.
    /// </summary>
    public sealed class SendProfile
    {
        static readonly Regex NameRule = new Regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.CultureInvariant);

        /// <summary>The most connections a run opens at once, whatever a profile or a caller asks.</summary>
        public const int MaxConnectionsAllowed = 32;

        public string Name { get; set; } = "";

        /// <summary>What the profile is for, and which of its numbers are the provider's and which are guesses.</summary>
        public string? Description { get; set; }

        public string? SmtpServer { get; set; }

        /// <summary>0 means the usual port of <see cref="SecureSocketOptions"/>.</summary>
        public int Port { get; set; }

        public SmtpSecurity SecureSocketOptions { get; set; } = SmtpSecurity.Auto;

        public QuotaPolicy Policy { get; set; } = new QuotaPolicy();

        /// <summary>
        /// SMTP connections a run may open at once, as the provider documents them (Exchange Online: 3);
        /// null for one. Send-ThrottledMail's -MaxConnections overrides it.
        /// </summary>
        public int? MaxConnections { get; set; }

        /// <summary>
        /// Whom the provider counts its quota against. Login: a run that signs in counts against the
        /// login, whatever address it sends from (Exchange Online, Gmail); Sender: against each sender address.
        /// </summary>
        public CountedPer CountsPer { get; set; } = CountedPer.Sender;

        /// <summary>How to sign in with OAuth 2.0 (identifiers only); null signs in with -Credential, if given.</summary>
        public SignInSettings? SignIn { get; set; }

        /// <summary>How the profile signs in, in short (Get-SendProfile).</summary>
        [JsonIgnore]
        public string SignsInWith => SignIn?.Method is SignInMethod m && m != SignInMethod.None ? m.ToString() : "Password";

        /// <summary>Where the numbers come from.</summary>
        public string? Source { get; set; }

        /// <summary>When the numbers were last checked against <see cref="Source"/> (a date).</summary>
        public DateTime? CheckedOn
        {
            get => _checkedOn;
            set => _checkedOn = value is DateTime d ? DateTime.SpecifyKind(d.Date, DateTimeKind.Unspecified) : (DateTime?)null;
        }

        DateTime? _checkedOn;

        /// <summary>True when the provider publishes some of the numbers nowhere and the profile guesses low.</summary>
        public bool Conservative { get; set; }

        /// <summary>Shipped with the module (read-only) rather than kept in the user's file.</summary>
        [JsonIgnore]
        public bool BuiltIn { get; internal set; }

        [JsonIgnore]
        public QuotaWindowKind WindowKind => Policy.WindowKind ?? QuotaWindowKind.Rolling;

        [JsonIgnore]
        public string? ResetTimeZone => Policy.ResetTimeZone;

        /// <summary>The limits in short, e.g. "30 msg/min, 10000 rcpt/day, 500 rcpt/msg".</summary>
        [JsonIgnore]
        public string Limits
        {
            get
            {
                var parts = Policy.Limits().Select(l => $"{l.Limit} {(l.Unit == QuotaUnit.Messages ? "msg" : "rcpt")}/{Short(l.Window)}").ToList();
                if (Policy.MaxRecipientsPerMessage is int max) parts.Add($"{max} rcpt/msg");
                if (Policy.MinInterval is TimeSpan gap) parts.Add($"{gap.TotalSeconds:0.###} s apart");
                if (WindowKind == QuotaWindowKind.Calendar) parts.Add($"days from midnight {ResetTimeZone ?? "UTC"}");
                return string.Join(", ", parts);
            }
        }

        static string Short(string window) => window == "Minute" ? "min" : window.ToLowerInvariant();

        /// <summary>A deep copy under another name (a user profile based on this one).</summary>
        public SendProfile CopyAs(string name)
        {
            var copy = (SendProfile)MemberwiseClone();
            copy.Name = name;
            copy.Policy = QuotaPolicy.FromJson(Policy.ToJson());
            copy.SignIn = SignIn?.Copy();
            copy.BuiltIn = false;
            return copy;
        }

        /// <summary>Throws <see cref="ProfileException"/> (InvalidProfile) naming the first thing wrong.</summary>
        public void Validate()
        {
            if (!NameRule.IsMatch(Name ?? ""))
                throw Invalid("a profile name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
            if (Port < 0 || Port > 65535) throw Invalid($"the port {Port} is not between 0 and 65535");
            if (SmtpServer != null && Uri.CheckHostName(SmtpServer) == UriHostNameType.Unknown)
                throw Invalid($"'{SmtpServer}' is not a host name or address");
            foreach (var (name, value) in Numbers())
                if (value is int n && n < 1) throw Invalid($"{name} must be at least 1 (leave it out for no limit)");
            if (Policy.MinInterval is TimeSpan gap && gap < TimeSpan.Zero) throw Invalid("the minimum interval cannot be negative");
            if (MaxConnections is int connections && (connections < 1 || connections > MaxConnectionsAllowed))
                throw Invalid($"MaxConnections must be from 1 to {MaxConnectionsAllowed}");
            if (SignIn?.Problem() is string signIn) throw Invalid(signIn);
            if (WindowKind == QuotaWindowKind.Calendar)
            {
                if (string.IsNullOrWhiteSpace(ResetTimeZone)) throw Invalid("a calendar window needs the provider's reset time zone");
                try { Quota.ResetTimeZone.Find(ResetTimeZone!); }
                catch (ArgumentException e) { throw Invalid(e.Message); }
            }
            else if (ResetTimeZone != null)
            {
                throw Invalid("a reset time zone applies to calendar windows only");
            }
        }

        IEnumerable<(string, int?)> Numbers()
        {
            yield return ("MessagesPerMinute", Policy.MessagesPerMinute);
            yield return ("MessagesPerHour", Policy.MessagesPerHour);
            yield return ("MessagesPerDay", Policy.MessagesPerDay);
            yield return ("MessagesPerMonth", Policy.MessagesPerMonth);
            yield return ("RecipientsPerMinute", Policy.RecipientsPerMinute);
            yield return ("RecipientsPerHour", Policy.RecipientsPerHour);
            yield return ("RecipientsPerDay", Policy.RecipientsPerDay);
            yield return ("RecipientsPerMonth", Policy.RecipientsPerMonth);
            yield return ("MaxRecipientsPerMessage", Policy.MaxRecipientsPerMessage);
        }

        ProfileException Invalid(string reason) =>
            new ProfileException("InvalidProfile", Name ?? "", $"The profile '{Name}' is not valid: {reason}.");

        public override string ToString() => Name;
    }
}
