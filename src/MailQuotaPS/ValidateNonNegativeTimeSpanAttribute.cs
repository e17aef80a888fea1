using System;
using System.Management.Automation;

namespace MailQuotaPS
{
    /// <summary>Refuses a negative time span (a wait, an interval or a window cannot be negative).</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidateNonNegativeTimeSpanAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            if (arguments is TimeSpan span && span < TimeSpan.Zero)
                throw new ValidationMetadataException($"The time span {span} is negative; give zero or more.");
        }
    }
}
