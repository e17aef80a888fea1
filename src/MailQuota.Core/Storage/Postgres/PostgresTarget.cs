using System;
using System.Collections.Generic;
using System.Net;
using System.Text.RegularExpressions;
using Npgsql;

namespace MailQuota.Core.Storage.Postgres
{
    /// <summary>
    /// A PostgreSQL ledger as the user names it: a connection string (Host=…;Database=…) or a
    /// postgresql:// URI, with the password from a credential, PGPASSWORD or .pgpass (Npgsql's own
    /// look-up), never from the text itself. SSL modes and every other Npgsql keyword are honoured.
    /// </summary>
    public sealed class PostgresTarget
    {
        PostgresTarget(NpgsqlConnectionStringBuilder builder)
        {
            Description = $"'{builder.Database ?? builder.Username}' on {builder.Host}:{builder.Port}";
            ConnectionString = builder.ConnectionString;
        }

        /// <summary>The server and database, for messages: no password.</summary>
        public string Description { get; }

        internal string ConnectionString { get; }

        static readonly Regex KeyValueForm = new Regex(@"(^|;)\s*(host|server)\s*=", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>True for text that names a PostgreSQL server rather than a ledger file.</summary>
        public static bool IsPostgres(string? text) =>
            text != null && (text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
                || text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || KeyValueForm.IsMatch(text));

        /// <summary>
        /// Reads the connection text; throws <see cref="ArgumentException"/> (naming the problem, never
        /// echoing the text) for one that cannot be read or that carries a password.
        /// </summary>
        public static PostgresTarget Parse(string text, NetworkCredential? credential = null)
        {
            NpgsqlConnectionStringBuilder builder;
            try { builder = text.IndexOf("://", StringComparison.Ordinal) > 0 ? FromUri(text) : new NpgsqlConnectionStringBuilder(text); }
            catch (Exception e) when (e is ArgumentException || e is FormatException || e is UriFormatException || e is KeyNotFoundException)
            {
                throw new ArgumentException("The PostgreSQL ledger connection cannot be read: " + Redacted(e.Message), e);
            }
            if (!string.IsNullOrEmpty(builder.Password))
                throw new ArgumentException("The PostgreSQL ledger connection carries a password: give it with -LedgerCredential, PGPASSWORD or a .pgpass file instead, so it is never written in a command line or a script.");
            if (string.IsNullOrEmpty(builder.Host))
                throw new ArgumentException("The PostgreSQL ledger connection names no server (Host=, or the host of a postgresql:// URI).");
            if (credential != null)
            {
                if (!string.IsNullOrEmpty(credential.UserName)) builder.Username = credential.UserName;
                builder.Password = credential.Password;
            }
            builder.ApplicationName ??= "MailQuotaPS";
            builder.MaxAutoPrepare = 32;   // the per-message statements are parsed once per connection
            builder.Pooling = false;                  // one connection per ledger, held for its life
            return new PostgresTarget(builder);
        }

        /// <summary>postgresql://[user@]host[:port][/database][?sslmode=…&amp;other=…]; query keys are libpq's or Npgsql's.</summary>
        static NpgsqlConnectionStringBuilder FromUri(string text)
        {
            var uri = new Uri(text);
            var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host };
            if (!uri.IsDefaultPort && uri.Port > 0) builder.Port = uri.Port;
            var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
            if (database.Length > 0) builder.Database = database;
            if (uri.UserInfo.Length > 0)
            {
                var parts = uri.UserInfo.Split(new[] { ':' }, 2);
                builder.Username = Uri.UnescapeDataString(parts[0]);
                if (parts.Length == 2) builder.Password = Uri.UnescapeDataString(parts[1]);
            }
            foreach (var pair in uri.Query.TrimStart('?').Split(new[] { '&' }, StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = pair.Split(new[] { '=' }, 2);
                var key = Uri.UnescapeDataString(kv[0]);
                var value = kv.Length == 2 ? Uri.UnescapeDataString(kv[1].Replace('+', ' ')) : "";
                builder[LibpqKey(key)] = value;
            }
            return builder;
        }

        /// <summary>libpq's URI keys under Npgsql's names (Npgsql reads sslmode's values itself).</summary>
        static string LibpqKey(string key) => key.ToLowerInvariant() switch
        {
            "sslmode" => "SSL Mode",
            "sslrootcert" => "Root Certificate",
            "sslcert" => "SSL Certificate",
            "sslkey" => "SSL Key",
            "connect_timeout" => "Timeout",
            "application_name" => "Application Name",
            "user" => "Username",
            "dbname" => "Database",
            "options" => "Options",
            "target_session_attrs" => "Target Session Attributes",
            _ => key,
        };

        /// <summary>Npgsql's messages about a connection string may quote it: keep only the first sentence, without quotes.</summary>
        static string Redacted(string message)
        {
            var first = message.Split('\n')[0];
            return Regex.Replace(first, "'[^']*'", "(a value)");
        }
    }
}
