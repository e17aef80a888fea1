using MailQuota.Core.Time;
using System;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailQuota.Core.Smtp;

namespace MailQuota.Core.Auth
{
    /// <summary>The certificate an app signs in with: from the certificate store by thumbprint, or a PFX file.</summary>
    public static class SigningCertificate
    {
        /// <summary>From CurrentUser\My, else LocalMachine\My. Throws <see cref="SignInException"/> when absent, without its private key, or out of date.</summary>
        public static X509Certificate2 FromStore(string thumbprint, IClock clock)
        {
            var wanted = thumbprint.Replace(" ", "").Trim();
            foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
            {
                using var store = new X509Store(StoreName.My, location);
                try { store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly); }
                catch (CryptographicException) { continue; }
                var found = store.Certificates.Find(X509FindType.FindByThumbprint, wanted, false);
                if (found.Count > 0) return Checked(found[0], $"the certificate {wanted} in {location}\\My", clock);
            }
            throw new SignInException("OAuthCertificateNotFound", $"There is no certificate with thumbprint {wanted} in CurrentUser\\My or LocalMachine\\My.",
                "Import the certificate with its private key into your personal store (Import-PfxCertificate -CertStoreLocation Cert:\\CurrentUser\\My on Windows), or give -CertificatePath with -CertificatePassword.");
        }

        /// <summary>A PFX (PKCS #12) file with its password.</summary>
        public static X509Certificate2 FromFile(string path, SecureString? password, IClock clock)
        {
            X509Certificate2 certificate;
            try { certificate = password == null ? new X509Certificate2(path) : new X509Certificate2(path, password); }
            catch (CryptographicException e)
            {
                throw new SignInException("OAuthCertificateUnreadable", $"Cannot read the certificate file '{path}': {e.Message}",
                    "Give the PFX file that holds the private key, with its password as -CertificatePassword (a SecureString).", e);
            }
            return Checked(certificate, $"the certificate file '{path}'", clock);
        }

        static X509Certificate2 Checked(X509Certificate2 certificate, string what, IClock clock)
        {
            if (!certificate.HasPrivateKey)
                throw new SignInException("OAuthCertificateNoPrivateKey", $"{Capital(what)} ({certificate.Thumbprint}) has no private key.",
                    "Import the certificate with its private key (a PFX); the app registration holds only its public key.");
            var now = clock.UtcNow.UtcDateTime;
            if (now > certificate.NotAfter.ToUniversalTime() || now < certificate.NotBefore.ToUniversalTime())
                throw new SignInException("OAuthCertificateExpired", $"{Capital(what)} ({certificate.Thumbprint}) is valid only from {certificate.NotBefore:u} to {certificate.NotAfter:u}.",
                    "Create a new certificate, upload its public key to the app registration (Certificates & secrets) and give its thumbprint.");
            return certificate;
        }

        static string Capital(string text) => char.ToUpperInvariant(text[0]) + text.Substring(1);
    }
}
