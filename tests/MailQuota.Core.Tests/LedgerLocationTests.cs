using System;
using System.IO;
using MailQuota.Core.Storage.Sqlite;

namespace MailQuota.Core.Tests
{
    [Collection("environment")]
    public sealed class LedgerLocationTests
    {
        [Fact]
        public void Parameter_beats_environment_variable_which_beats_the_per_user_default()
        {
            var old = Environment.GetEnvironmentVariable(LedgerLocation.EnvironmentVariable);
            try
            {
                Environment.SetEnvironmentVariable(LedgerLocation.EnvironmentVariable, null);
                Assert.EndsWith(Path.Combine("MailQuotaPS", "ledger.db"), LedgerLocation.Resolve(null));
                var fromEnv = Path.Combine(Path.GetTempPath(), "env-ledger.db");
                Environment.SetEnvironmentVariable(LedgerLocation.EnvironmentVariable, fromEnv);
                Assert.Equal(fromEnv, LedgerLocation.Resolve(null));
                var given = Path.Combine(Path.GetTempPath(), "given.db");
                Assert.Equal(given, LedgerLocation.Resolve(given));
            }
            finally { Environment.SetEnvironmentVariable(LedgerLocation.EnvironmentVariable, old); }
        }

        [Theory]
        [InlineData(@"\\fileserver\share\ledger.db")]
        [InlineData("//fileserver/share/ledger.db")]
        public void Network_paths_are_refused_with_a_clear_reason(string path)
        {
            var e = Assert.Throws<LedgerPathException>(() => LedgerLocation.Resolve(path));
            Assert.Contains("network", e.Message);
            Assert.Contains("local disk", e.Message);
        }
    }
}
