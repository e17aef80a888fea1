using System.Text.Json.Serialization;

namespace MailQuota.Core.Quota
{
    /// <summary>
    /// Whom a provider counts its quota against: the sender address of each message, or the login
    /// the connection signed in with (the mailbox, whatever address a message goes out from).
    /// </summary>
    [JsonConverter(typeof(JsonStringEnumConverter))]
    public enum CountedPer
    {
        /// <summary>The sender address (-From): each address its own quota.</summary>
        Sender,

        /// <summary>The signed-in user: every address sent from under one login shares its quota.</summary>
        Login,
    }
}
