using System.Management.Automation;
using MailQuota.Core.Profiles;

namespace MailQuotaPS
{
    /// <summary>Removes your own profiles from your profile file. Built-in profiles cannot be removed.</summary>
    [Cmdlet(VerbsCommon.Remove, "SendProfile", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(void))]
    public sealed class RemoveSendProfileCommand : PSCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(SendProfileCompleter))]
        public string[] Name { get; set; } = new string[0];

        /// <summary>The user's profile file; $env:MAILQUOTAPS_PROFILES or the user's configuration folder when omitted.</summary>
        [Parameter]
        public string? ProfilePath { get; set; }

        protected override void ProcessRecord()
        {
            var catalog = new ProfileCatalog(ProfileLocation.Resolve(ProfilePath));
            foreach (var name in Name)
            {
                try
                {
                    if (ShouldProcess($"profile '{name}' in {catalog.Path}", "Remove")) catalog.Remove(name);
                }
                catch (ProfileException e)
                {
                    WriteError(ProfileErrors.Record(e, name));
                }
            }
        }
    }
}
