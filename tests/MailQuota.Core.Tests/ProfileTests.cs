using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using MailQuota.Core.Profiles;
using MailQuota.Core.Quota;
using MailQuota.Core.Smtp;
using MailQuota.Core.Storage.Sqlite;

namespace MailQuota.Core.Tests
{
    public sealed class ProfileTests : IDisposable
    {
        readonly TempLedger _folder = new TempLedger();
        readonly string _file;

        public ProfileTests() => _file = Path.Combine(_folder.Folder, "config", "profiles.json");

        public void Dispose() => _folder.Dispose();

        ProfileCatalog Catalog() => new ProfileCatalog(_file);

        static SendProfile Relay(string name = "OfficeRelay") => new SendProfile
        {
            Name = name,
            SmtpServer = "relay.contoso.test",
            Port = 2525,
            SecureSocketOptions = SmtpSecurity.None,
            Policy = new QuotaPolicy { MessagesPerMinute = 40, RecipientsPerDay = 5000 },
            Description = "the office relay",
        };

        [Theory]
        [InlineData("AliyunQiye", "smtp.qiye.aliyun.com", 465, SmtpSecurity.SslOnConnect)]
        [InlineData("AliyunDirectMail", "smtpdm.aliyun.com", 465, SmtpSecurity.SslOnConnect)]
        [InlineData("ExchangeOnline", "smtp.office365.com", 587, SmtpSecurity.StartTls)]
        [InlineData("GoogleWorkspace", "smtp.gmail.com", 587, SmtpSecurity.StartTls)]
        [InlineData("AmazonSesSandbox", "email-smtp.us-east-1.amazonaws.com", 587, SmtpSecurity.StartTls)]
        public void The_required_built_in_profiles_name_their_endpoint_limits_source_and_date(string name, string host, int port, SmtpSecurity security)
        {
            var p = Catalog().Find(name.ToLowerInvariant());
            Assert.Equal(name, p.Name);
            Assert.Equal(host, p.SmtpServer);
            Assert.Equal(port, p.Port);
            Assert.Equal(security, p.SecureSocketOptions);
            Assert.True(p.BuiltIn);
            Assert.NotEmpty(p.Policy.Limits());
            Assert.NotNull(p.Policy.MaxRecipientsPerMessage);
            Assert.False(string.IsNullOrWhiteSpace(p.Source));
            Assert.Equal(new DateTime(2026, 11, 27), p.CheckedOn);
            p.Validate();
        }

        [Fact]
        public void Every_built_in_profile_is_valid_and_the_guessed_ones_say_so()
        {
            var all = BuiltInProfiles.All();
            Assert.Equal(all.Count, all.Select(p => p.Name.ToLowerInvariant()).Distinct().Count());
            foreach (var p in all)
            {
                p.Validate();
                Assert.Equal(p.Conservative, p.Description!.Contains("conservative"));
            }
            Assert.True(all.Single(p => p.Name == "AliyunQiye").Conservative);
            Assert.False(all.Single(p => p.Name == "ExchangeOnline").Conservative);
        }

        [Fact]
        public void Exchange_online_carries_every_published_number()
        {
            var p = Catalog().Find("ExchangeOnline").Policy;
            Assert.Equal(30, p.MessagesPerMinute);
            Assert.Equal(10000, p.RecipientsPerDay);
            Assert.Equal(500, p.MaxRecipientsPerMessage);
            Assert.Null(p.WindowKind); // rolling 24 hours
        }

        [Fact]
        public void Direct_mail_counts_calendar_days_and_months_in_beijing_time()
        {
            var p = Catalog().Find("AliyunDirectMail");
            Assert.Equal(QuotaWindowKind.Calendar, p.WindowKind);
            Assert.Equal(TimeSpan.FromHours(8), ResetTimeZone.Find(p.ResetTimeZone!).BaseUtcOffset);
            Assert.Equal(2000, p.Policy.RecipientsPerDay);
            Assert.Equal(60000, p.Policy.RecipientsPerMonth);
            Assert.All(p.Policy.Limits().Where(l => l.Window == "Day" || l.Window == "Month"), l => Assert.NotNull(l.Calendar));
            // 5000 per 180 s kept as a per-minute limit that can never exceed it: any 180 s holds at most three minutes' worth.
            Assert.True(3 * p.Policy.RecipientsPerMinute <= 5000);
            Assert.Contains("days from midnight Asia/Shanghai", p.Limits);
        }

        [Fact]
        public void Built_in_profiles_are_fresh_copies()
        {
            Catalog().Find("ExchangeOnline").Policy.MessagesPerMinute = 1;
            Assert.Equal(30, Catalog().Find("ExchangeOnline").Policy.MessagesPerMinute);
        }

        [Fact]
        public void A_saved_profile_is_read_back_by_another_catalog_and_the_file_is_plain_json()
        {
            Catalog().Add(Relay());
            var again = new ProfileCatalog(_file).Find("officerelay");
            Assert.Equal("OfficeRelay", again.Name);
            Assert.False(again.BuiltIn);
            Assert.Equal("relay.contoso.test", again.SmtpServer);
            Assert.Equal(2525, again.Port);
            Assert.Equal(SmtpSecurity.None, again.SecureSocketOptions);
            Assert.Equal(new QuotaPolicy { MessagesPerMinute = 40, RecipientsPerDay = 5000 }, again.Policy);
            var text = File.ReadAllText(_file);
            Assert.Contains("\"SecureSocketOptions\": \"None\"", text);
            Assert.Equal(BuiltInProfiles.All().Count + 1, Catalog().All().Count);
        }

        [Fact]
        public void Profiles_say_whom_the_provider_counts_against_and_a_saved_profile_keeps_it()
        {
            var perLogin = BuiltInProfiles.All().Where(p => p.CountsPer == CountedPer.Login).Select(p => p.Name);
            Assert.Equal(new[] { "ExchangeOnline", "GoogleWorkspace", "GoogleWorkspaceTrial", "AmazonSesSandbox" }, perLogin);
            Assert.Equal(CountedPer.Sender, Relay().CountsPer);   // a profile of one's own counts per sender unless it says otherwise

            var mine = Catalog().Find("ExchangeOnline").CopyAs("MyExchange");
            Catalog().Add(mine);
            Assert.Contains("\"CountsPer\": \"Login\"", File.ReadAllText(_file));
            Assert.Equal(CountedPer.Login, new ProfileCatalog(_file).Find("MyExchange").CountsPer);
            Catalog().Change("MyExchange", p => p.CountsPer = CountedPer.Sender);
            Assert.Equal(CountedPer.Sender, Catalog().Find("MyExchange").CountsPer);
        }

        [Fact]
        public void A_hand_edited_file_with_comments_and_other_casing_loads()
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
            File.WriteAllText(_file, "{ // mine\n \"profiles\": [ { \"name\": \"Hand\", \"smtpServer\": \"h.test\", \"secureSocketOptions\": \"StartTls\", \"policy\": { \"MessagesPerHour\": 9 } }, ] }");
            var p = Catalog().Find("Hand");
            Assert.Equal(SmtpSecurity.StartTls, p.SecureSocketOptions);
            Assert.Equal(9, p.Policy.MessagesPerHour);
        }

        [Fact]
        public void A_broken_file_is_named_in_the_error_and_built_in_profiles_still_work()
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
            File.WriteAllText(_file, "{ \"Profiles\": [ { \"Name\": ");
            var e = Assert.Throws<ProfileException>(() => Catalog().All());
            Assert.Equal("ProfileFileInvalid", e.ErrorId);
            Assert.Contains(_file, e.Message);
            Assert.Equal("ExchangeOnline", Catalog().Find("ExchangeOnline").Name);
        }

        [Fact]
        public void Built_in_names_are_read_only_and_names_are_unique()
        {
            var catalog = Catalog();
            Assert.Equal("BuiltInProfileReadOnly", Assert.Throws<ProfileException>(() => catalog.Add(Relay("exchangeonline"))).ErrorId);
            Assert.Equal("BuiltInProfileReadOnly", Assert.Throws<ProfileException>(() => catalog.Change("AliyunQiye", p => p.Port = 25)).ErrorId);
            Assert.Equal("BuiltInProfileReadOnly", Assert.Throws<ProfileException>(() => catalog.Remove("AliyunQiye")).ErrorId);
            catalog.Add(Relay());
            Assert.Equal("ProfileExists", Assert.Throws<ProfileException>(() => catalog.Add(Relay("OFFICERELAY"))).ErrorId);
        }

        [Fact]
        public void Change_keeps_what_is_not_changed_and_refuses_an_invalid_result_without_saving()
        {
            var catalog = Catalog();
            catalog.Add(Relay());
            var changed = catalog.Change("OfficeRelay", p => p.Policy.MessagesPerMinute = 10);
            Assert.Equal(10, changed.Policy.MessagesPerMinute);
            Assert.Equal(5000, Catalog().Find("OfficeRelay").Policy.RecipientsPerDay);
            var e = Assert.Throws<ProfileException>(() => catalog.Change("OfficeRelay", p => p.Policy.WindowKind = QuotaWindowKind.Calendar));
            Assert.Equal("InvalidProfile", e.ErrorId);
            Assert.Contains("reset time zone", e.Message);
            Assert.Null(Catalog().Find("OfficeRelay").Policy.WindowKind);
        }

        [Fact]
        public void Remove_deletes_only_that_profile_and_an_unknown_name_lists_the_known_ones()
        {
            var catalog = Catalog();
            catalog.Add(Relay("One"));
            catalog.Add(Relay("Two"));
            catalog.Remove("one");
            var e = Assert.Throws<ProfileException>(() => catalog.Find("One"));
            Assert.Equal("ProfileNotFound", e.ErrorId);
            Assert.Contains("Two", e.Message);
            Assert.Contains("ExchangeOnline", e.Message);
            Assert.Equal("ProfileNotFound", Assert.Throws<ProfileException>(() => catalog.Remove("One")).ErrorId);
        }

        [Theory]
        [InlineData("bad name", "letters, digits")]
        [InlineData("ok", "not a host name")]
        public void Invalid_profiles_are_refused_with_the_reason(string name, string reason)
        {
            var p = Relay(name);
            if (name == "ok") p.SmtpServer = "two words";
            var e = Assert.Throws<ProfileException>(() => Catalog().Add(p));
            Assert.Equal("InvalidProfile", e.ErrorId);
            Assert.Contains(reason, e.Message);
            Assert.False(File.Exists(_file));
        }

        [Fact]
        public void A_calendar_profile_needs_a_known_zone_and_a_zone_needs_a_calendar()
        {
            var p = Relay();
            p.Policy.WindowKind = QuotaWindowKind.Calendar;
            p.Policy.ResetTimeZone = "Nowhere/Special";
            Assert.Contains("'Nowhere/Special'", Assert.Throws<ProfileException>(() => p.Validate()).Message);
            p.Policy.ResetTimeZone = "China Standard Time";
            p.Validate();
            p.Policy.WindowKind = null;
            Assert.Contains("calendar windows only", Assert.Throws<ProfileException>(() => p.Validate()).Message);
        }

        [Fact]
        public async Task Concurrent_changes_from_several_writers_are_all_kept()
        {
            await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => new ProfileCatalog(_file).Add(Relay($"Relay{i}")))));
            var names = Catalog().All().Where(p => !p.BuiltIn).Select(p => p.Name).OrderBy(n => n).ToList();
            Assert.Equal(Enumerable.Range(0, 8).Select(i => $"Relay{i}"), names);
        }

        [Fact]
        public void Explicit_values_override_the_profile_and_the_port_follows_the_security_mode()
        {
            var profile = Catalog().Find("AliyunQiye");
            var plain = SendSettings.Resolve(profile, null, null, null);
            Assert.Equal(("smtp.qiye.aliyun.com", 465, SmtpSecurity.SslOnConnect), (plain.Host, plain.Port, plain.Security));
            Assert.Same(profile, plain.Profile);

            var local = SendSettings.Resolve(profile, "127.0.0.1", 2525, SmtpSecurity.None);
            Assert.Equal(("127.0.0.1", 2525, SmtpSecurity.None), (local.Host, local.Port, local.Security));

            var otherMode = SendSettings.Resolve(profile, null, null, SmtpSecurity.None);
            Assert.Equal(0, otherMode.Port); // not 465 with a plain connection: the usual port of the mode
            Assert.Equal(25, new SmtpSettings(otherMode.Host!, otherMode.Port, otherMode.Security, null).Port);

            var none = SendSettings.Resolve(null, null, null, null);
            Assert.Null(none.Host);
            Assert.Null(none.Profile);
        }

        [Fact]
        public void A_profile_replaces_the_remembered_policy_explicit_limits_override_it_and_the_result_is_remembered()
        {
            using var ledger = new SqliteLedger(Path.Combine(_folder.Folder, "ledger.db"));
            var now = DateTimeOffset.UtcNow;
            AccountPolicy.Resolve(ledger, "acct", new QuotaPolicy { MessagesPerMinute = 7, MinInterval = TimeSpan.FromSeconds(9) }, now, out _);
            var exchange = Catalog().Find("ExchangeOnline").Policy;
            var used = AccountPolicy.Resolve(ledger, "acct", new QuotaPolicy { MessagesPerDay = 900 }, now, out var source, exchange);
            Assert.Equal(PolicySource.Profile, source);
            Assert.Equal(30, used.MessagesPerMinute);
            Assert.Equal(10000, used.RecipientsPerDay);
            Assert.Equal(900, used.MessagesPerDay);
            Assert.Null(used.MinInterval); // nothing of the old remembered policy leaks in
            Assert.Equal(used, AccountPolicy.Resolve(ledger, "acct", new QuotaPolicy(), now, out var later));
            Assert.Equal(PolicySource.Remembered, later);
        }
    }

    [Collection("environment")]
    public sealed class ProfileLocationTests
    {
        [Fact]
        public void Parameter_beats_environment_variable_which_beats_the_config_folder()
        {
            var saved = (Environment.GetEnvironmentVariable(ProfileLocation.EnvironmentVariable), Environment.GetEnvironmentVariable("XDG_CONFIG_HOME"));
            try
            {
                Environment.SetEnvironmentVariable(ProfileLocation.EnvironmentVariable, null);
                var xdg = Path.Combine(Path.GetTempPath(), "xdg-config");
                Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", xdg);
                if (!OperatingSystem.IsWindows())
                    Assert.Equal(Path.Combine(xdg, "MailQuotaPS", "profiles.json"), ProfileLocation.Resolve(null));
                Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", null);
                Assert.EndsWith(Path.Combine(OperatingSystem.IsWindows() ? "Roaming" : ".config", "MailQuotaPS", "profiles.json"), ProfileLocation.Resolve(null));
                var fromEnv = Path.Combine(Path.GetTempPath(), "env-profiles.json");
                Environment.SetEnvironmentVariable(ProfileLocation.EnvironmentVariable, fromEnv);
                Assert.Equal(fromEnv, ProfileLocation.Resolve(null));
                var given = Path.Combine(Path.GetTempPath(), "given.json");
                Assert.Equal(given, ProfileLocation.Resolve(given));
            }
            finally
            {
                Environment.SetEnvironmentVariable(ProfileLocation.EnvironmentVariable, saved.Item1);
                Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", saved.Item2);
            }
        }
    }
}
