using System;
using System.Collections.Generic;
using MailQuota.Core.Quota;
using static MailQuota.Core.Storage.Postgres.PostgresDatabase;

namespace MailQuota.Core.Storage.Postgres
{
    /// <summary>The accounts the ledger knows, with the quota policy each last sent under.</summary>
    internal sealed class PostgresAccounts : IAccountRows
    {
        readonly PostgresDatabase _db;

        public PostgresAccounts(PostgresDatabase db) => _db = db;

        public QuotaPolicy? GetPolicy(string account) =>
            _db.Scalar("SELECT policy FROM accounts WHERE account=@a", P("a", account)) is string json ? QuotaPolicy.FromJson(json) : null;

        public void SavePolicy(string account, QuotaPolicy policy, DateTimeOffset at) =>
            _db.Execute(@"INSERT INTO accounts(account, policy, updated_at) VALUES(@a, @p, @t)
ON CONFLICT(account) DO UPDATE SET policy=excluded.policy, updated_at=excluded.updated_at",
                P("a", account), P("p", policy.ToJson()), P("t", at.ToUnixTimeMilliseconds()));

        /// <summary>Every account with a policy or a send, in order.</summary>
        public IReadOnlyList<string> All() =>
            _db.Query("SELECT account FROM (SELECT account FROM accounts UNION SELECT account FROM sends) known ORDER BY account COLLATE \"C\"", r => r.GetString(0));
    }
}
