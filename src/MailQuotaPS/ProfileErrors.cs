using System.Management.Automation;
using MailQuota.Core.Profiles;

namespace MailQuotaPS
{
    /// <summary>Turns a profile failure into an ErrorRecord with the core's stable error id.</summary>
    static class ProfileErrors
    {
        public static ErrorRecord Record(ProfileException e, object? target) =>
            new ErrorRecord(e, e.ErrorId, Category(e.ErrorId), target ?? e.ProfileName);

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
