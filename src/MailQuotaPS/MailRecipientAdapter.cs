using System.Collections.ObjectModel;
using System.Management.Automation;

namespace MailQuotaPS
{
    /// <summary>
    /// Shows a <see cref="MailRecipient"/> to PowerShell as Email, Name and one property per column
    /// (registered for the type in MailQuotaPS.Types.ps1xml). Values are strings, as Import-Csv gives them.
    /// </summary>
    public sealed class MailRecipientAdapter : PSPropertyAdapter
    {
        public override Collection<PSAdaptedProperty> GetProperties(object baseObject)
        {
            var recipient = (MailRecipient)baseObject;
            var names = recipient.Layout.Names;
            var properties = new Collection<PSAdaptedProperty>
            {
                new PSAdaptedProperty(nameof(MailRecipient.Email), RecipientLayout.EmailIndex),
                new PSAdaptedProperty(nameof(MailRecipient.Name), RecipientLayout.NameIndex),
            };
            for (var i = 0; i < names.Length; i++) properties.Add(new PSAdaptedProperty(names[i], i));
            return properties;
        }

        public override PSAdaptedProperty? GetProperty(object baseObject, string propertyName)
        {
            var recipient = (MailRecipient)baseObject;
            var index = recipient.Layout.IndexOf(propertyName);
            if (index == int.MinValue) return null;
            var name = index == RecipientLayout.EmailIndex ? nameof(MailRecipient.Email)
                : index == RecipientLayout.NameIndex ? nameof(MailRecipient.Name)
                : recipient.Layout.Names[index];
            return new PSAdaptedProperty(name, index);
        }

        public override bool IsGettable(PSAdaptedProperty adaptedProperty) => true;

        public override bool IsSettable(PSAdaptedProperty adaptedProperty) => true;

        public override object? GetPropertyValue(PSAdaptedProperty adaptedProperty)
        {
            var recipient = (MailRecipient)adaptedProperty.BaseObject;
            var index = (int)adaptedProperty.Tag;
            return index == RecipientLayout.EmailIndex ? recipient.Email
                : index == RecipientLayout.NameIndex ? recipient.Name
                : recipient.Field(index);
        }

        public override void SetPropertyValue(PSAdaptedProperty adaptedProperty, object? value)
        {
            var recipient = (MailRecipient)adaptedProperty.BaseObject;
            var text = value == null ? null : LanguagePrimitives.ConvertTo<string>(value);
            var index = (int)adaptedProperty.Tag;
            if (index == RecipientLayout.EmailIndex) recipient.Email = text ?? "";
            else if (index == RecipientLayout.NameIndex) recipient.Name = text;
            else recipient.SetField(index, text);
        }

        public override string GetPropertyTypeName(PSAdaptedProperty adaptedProperty) => typeof(string).FullName!;
    }
}
