using System.Management.Automation;
using MailQuota.Core.Profiles;

namespace MailQuotaPS
{
    /// <summary>Turns a profile failure into an ErrorRecord with the core's stable error id.</summary>
    static class ProfileErrors
    {
        /// <summary>The named profile for a -Profile parameter; a terminating error when it cannot be had.</summary>
        public static SendProfile Find(PSCmdlet cmdlet, string name, string? profilePath)
        {
            try { return new ProfileCatalog(ProfileLocation.Resolve(profilePath)).Find(name); }
            catch (ProfileException e) { cmdlet.ThrowTerminatingError(Record(e, name)); throw; }
        }

        /// <summary>The error as a record; <paramref name="action"/>, when given, is what to do instead (in the cmdlets' terms), shown with the message.</summary>
        public static ErrorRecord Record(ProfileException e, object? target, string? action = null) =>
            new ErrorRecord(e, e.ErrorId, Category(e.ErrorId), target ?? e.ProfileName)
            {
                ErrorDetails = action == null ? null : new ErrorDetails($"{e.Message} {action}") { RecommendedAction = action },
            };

        static ErrorCategory Category(string errorId) => errorId switch
        {
            "ProfileNotFound" => ErrorCategory.ObjectNotFound,
            "ProfileExists" => ErrorCategory.ResourceExists,
            "BuiltInProfileReadOnly" => ErrorCategory.PermissionDenied,
            "ProfileFileInvalid" => ErrorCategory.ReadError,
            _ => ErrorCategory.InvalidArgument,
        };
    }
}
