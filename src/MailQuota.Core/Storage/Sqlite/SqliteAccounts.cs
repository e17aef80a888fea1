using System;
using System.Collections.Generic;
using MailQuota.Core.Quota;

namespace MailQuota.Core.Storage.Sqlite
{
    /// <summary>The accounts the ledger knows, with the quota policy each last sent under.</summary>
    internal sealed class SqliteAccounts : IAccountRows
    {
        readonly SqliteDatabase _db;

        public SqliteAccounts(SqliteDatabase db) => _db = db;

        public QuotaPolicy? GetPolicy(string account)
        {
            using var cmd = _db.Command("SELECT policy FROM accounts WHERE account=$a");
            cmd.Parameters.AddWithValue("$a", account);
            return cmd.ExecuteScalar() is string json ? QuotaPolicy.FromJson(json) : null;
        }

        public void SavePolicy(string account, QuotaPolicy policy, DateTimeOffset at)
        {
            using var cmd = _db.Command(@"INSERT INTO accounts(account, policy, updated_at) VALUES($a, $p, $t)
ON CONFLICT(account) DO UPDATE SET policy=excluded.policy, updated_at=excluded.updated_at");
            cmd.Parameters.AddWithValue("$a", account);
            cmd.Parameters.AddWithValue("$p", policy.ToJson());
            cmd.Parameters.AddWithValue("$t", at.ToUnixTimeMilliseconds());
            cmd.ExecuteNonQuery();
        }

        /// <summary>Every account with a policy or a send, in order.</summary>
        public IReadOnlyList<string> All()
        {
            using var cmd = _db.Command("SELECT account FROM accounts UNION SELECT DISTINCT account FROM sends ORDER BY 1");
            using var reader = cmd.ExecuteReader();
            var list = new List<string>();
            while (reader.Read()) list.Add(reader.GetString(0));
            return list;
        }
    }
}
