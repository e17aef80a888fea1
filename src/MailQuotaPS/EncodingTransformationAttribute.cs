using System;
using System.Management.Automation;
using System.Text;
using MailQuota.Core.Import;

namespace MailQuotaPS
{
    /// <summary>
    /// Lets -Encoding take what PowerShell users type: a name (utf8, unicode, gb18030, gbk,
    /// windows-1252…), a code page number (936) or an Encoding object.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class EncodingTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            var value = inputData is PSObject ps ? ps.BaseObject : inputData;
            switch (value)
            {
                case null: return null;
                case Encoding encoding: return encoding;
                case int codePage: return Resolve(codePage.ToString(System.Globalization.CultureInfo.InvariantCulture));
                case string name: return Resolve(name);
                default: throw new ArgumentTransformationMetadataException($"Give -Encoding as a name or a code page number, not a {value.GetType().Name}.");
            }
        }

        static Encoding Resolve(string name)
        {
            try { return TextEncodings.Resolve(name); }
            catch (ArgumentException e) { throw new ArgumentTransformationMetadataException(e.Message, e); }
        }
    }
}
