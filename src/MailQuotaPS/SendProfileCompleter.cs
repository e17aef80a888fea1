using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using MailQuota.Core.Profiles;

namespace MailQuotaPS
{
    /// <summary>Completes -Profile with the built-in profiles and the user's own (from -ProfilePath when given).</summary>
    public sealed class SendProfileCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var typed = (wordToComplete ?? "").Trim('\'', '"');
            return Profiles(fakeBoundParameters?["ProfilePath"] as string)
                .Where(p => p.Name.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
                .Select(p => new CompletionResult(p.Name, p.Name, CompletionResultType.ParameterValue,
                    $"{(p.BuiltIn ? "built-in" : "user")}: {p.SmtpServer}{(p.Port > 0 ? ":" + p.Port : "")} {p.Limits}"))
                .ToList();
        }

        static IEnumerable<SendProfile> Profiles(string? path)
        {
            try { return new ProfileCatalog(ProfileLocation.Resolve(path)).All(); }
            catch (Exception e) when (e is ProfileException || e is IOException || e is UnauthorizedAccessException || e is ArgumentException)
            {
                return BuiltInProfiles.All(); // a broken or unreadable user file still completes the built-in names
            }
        }
    }
}
