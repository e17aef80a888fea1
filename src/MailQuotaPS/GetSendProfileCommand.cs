using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using MailQuota.Core.Profiles;

namespace MailQuotaPS
{
    /// <summary>
    /// Lists the provider profiles: the built-in ones (with their source and the date they were
    /// checked) and your own from your profile file.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "SendProfile")]
    [OutputType(typeof(SendProfile))]
    public sealed class GetSendProfileCommand : PSCmdlet
    {
        /// <summary>Profiles to show; all when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(SendProfileCompleter))]
        public string[]? Name { get; set; }

        /// <summary>The user's profile file; $env:MAILQUOTAPS_PROFILES or the user's configuration folder when omitted.</summary>
        [Parameter]
        public string? ProfilePath { get; set; }

        protected override void ProcessRecord()
        {
            var catalog = new ProfileCatalog(ProfileLocation.Resolve(ProfilePath));
            IReadOnlyList<SendProfile> profiles;
            try { profiles = catalog.All(); }
            catch (ProfileException e)
            {
                WriteError(ProfileErrors.Record(e, catalog.Path));
                profiles = BuiltInProfiles.All();
            }
            foreach (var pattern in Name ?? new[] { "*" })
            {
                var wildcard = WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase);
                var matched = profiles.Where(p => wildcard.IsMatch(p.Name)).ToList();
                foreach (var profile in matched) WriteObject(profile);
                if (matched.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(pattern))
                    WriteError(ProfileErrors.Record(new ProfileException("ProfileNotFound", pattern,
                        $"There is no profile '{pattern}' (built-in, or in '{catalog.Path}')."), pattern));
            }
        }
    }
}
