using System;
using System.Management.Automation;
using MailQuota.Core.Profiles;

namespace MailQuotaPS
{
    /// <summary>
    /// Saves a profile of your own (a relay, or a provider account with its real limits) in your
    /// profile file, from scratch or as a copy of another profile (-BasedOn) with some values changed.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "SendProfile", SupportsShouldProcess = true)]
    [OutputType(typeof(SendProfile))]
    public sealed class NewSendProfileCommand : ProfileParametersCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        public string Name { get; set; } = "";

        /// <summary>A built-in or user profile to copy; the values given here change the copy.</summary>
        [Parameter]
        [Alias("Provider")]
        [ArgumentCompleter(typeof(SendProfileCompleter))]
        public string? BasedOn { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                var catalog = Catalog();
                var profile = BasedOn != null ? catalog.Find(BasedOn).CopyAs(Name) : new SendProfile { Name = Name, CheckedOn = DateTime.Today };
                ApplyTo(profile);
                profile.Validate();
                if (!ShouldProcess($"profile '{Name}' in {catalog.Path}", "Create")) return;
                WriteObject(catalog.Add(profile));
            }
            catch (ProfileException e)
            {
                WriteError(ProfileErrors.Record(e, Name, e.ErrorId == "ProfileExists" ? "Change it with Set-SendProfile." : null));
            }
        }
    }
}
