using System.Management.Automation;
using MailQuota.Core.Profiles;

namespace MailQuotaPS
{
    /// <summary>Changes the values given on one of your own profiles; everything else stays. Built-in profiles are read-only.</summary>
    [Cmdlet(VerbsCommon.Set, "SendProfile", SupportsShouldProcess = true)]
    [OutputType(typeof(SendProfile))]
    public sealed class SetSendProfileCommand : ProfileParametersCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(SendProfileCompleter))]
        public string Name { get; set; } = "";

        /// <summary>Output the changed profile.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                var catalog = Catalog();
                if (!ShouldProcess($"profile '{Name}' in {catalog.Path}", "Change")) return;
                var changed = catalog.Change(Name, ApplyTo);
                if (PassThru) WriteObject(changed);
            }
            catch (ProfileException e)
            {
                WriteError(ProfileErrors.Record(e, Name, e.ErrorId == "BuiltInProfileReadOnly" ? "Copy it with New-SendProfile -BasedOn and change the copy." : null));
            }
        }
    }
}
