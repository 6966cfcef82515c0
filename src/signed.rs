//! CMS / PKCS#7-signed profiles and payloads (`.mobileconfig` signed by a
//! server, OTA enrollment payloads signed by a device).
//!
//! [`unwrap`] parses the `SignedData` (DER, or BER with indefinite lengths
//! as iOS writes it), returns the content (the plist inside) and describes
//! each signer. It also reports, honestly, how far the signature was
//! checked:
//! - [`Verification::Verified`]: the signature over the signed attributes
//!   and the content digest both check out against the certificate
//!   embedded in the message. The certificate itself is **not** validated
//!   (no trust roots, no expiry or revocation check): that is the
//!   caller's policy;
//! - [`Verification::Failed`]: they do not (a tampered or corrupt message);
//! - [`Verification::NotChecked`]: there is nothing to check with (no
//!   signer, no embedded certificate, or detached content).
//!
//! ```no_run
//! let bytes = std::fs::read("signed.mobileconfig")?;
//! let signed = apple_device_management::signed::unwrap(&bytes)?;
//! for s in &signed.signers {
//!     println!("signed by {} ({:?})", s.subject, s.verification);
//! }
//! let profile: apple_device_management::profiles::Profile =
//!     apple_device_management::from_plist(&signed.content)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use cryptographic_message_syntax::SignedData;

/// Why a message could not be unwrapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignedError {
    /// Not CMS `SignedData` (DER or BER).
    #[error("not a CMS/PKCS#7 SignedData message: {0}")]
    NotSignedData(String),
    /// `SignedData` whose content is detached (not inside the message).
    #[error("the signed content is not inside the message (detached signature)")]
    Detached,
}

/// How far a signer's signature was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verification {
    /// Signature and content digest check out against the embedded
    /// certificate (the certificate's trust is not checked).
    Verified,
    /// The signature or the digest does not check out.
    Failed(String),
    /// Not checked, and why.
    NotChecked(String),
}

/// One signer of the message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Signer {
    /// The signer certificate's subject (`CN=..., O=...`), when the
    /// certificate is in the message; otherwise the issuer and serial the
    /// signer names.
    pub subject: String,
    /// The subject's common name, if any.
    pub common_name: Option<String>,
    /// The certificate issuer.
    pub issuer: String,
    /// The signature check.
    pub verification: Verification,
}

/// An unwrapped signed message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Signed {
    /// The content (for profiles: the plist).
    pub content: Vec<u8>,
    /// The signers, in message order.
    pub signers: Vec<Signer>,
    /// How many certificates the message carries.
    pub certificate_count: usize,
}

impl Signed {
    /// True when there is at least one signer and every signer verified.
    pub fn is_verified(&self) -> bool {
        !self.signers.is_empty() && self.signers.iter().all(|s| s.verification == Verification::Verified)
    }
}

fn name_text(name: &x509_certificate::rfc3280::Name) -> String {
    name.user_friendly_str().unwrap_or_else(|_| "(unreadable name)".to_owned())
}

/// The size of an RSA certificate key, in bits.
fn rsa_key_bits(cert: &x509_certificate::CapturedX509Certificate) -> Option<usize> {
    let key = cert.rsa_public_key_data().ok()?;
    let modulus = key.modulus.as_slice();
    let significant = modulus.iter().position(|b| *b != 0).map_or(0, |i| modulus.len() - i);
    Some(significant * 8)
}

/// Parses a CMS `SignedData` message and checks its signers.
pub fn unwrap(bytes: &[u8]) -> Result<Signed, SignedError> {
    let data = SignedData::parse_ber(bytes).map_err(|e| SignedError::NotSignedData(e.to_string()))?;
    let content = data.signed_content().ok_or(SignedError::Detached)?.to_vec();
    let signers = data
        .signers()
        .map(|s| {
            let (issuer_name, serial) = match s.certificate_issuer_and_serial() {
                Some((i, n)) => (Some(i), Some(n)),
                None => (None, None),
            };
            let cert = data
                .certificates()
                .find(|c| Some(c.issuer_name()) == issuer_name && Some(c.serial_number_asn1()) == serial);
            let issuer = issuer_name.map(name_text).unwrap_or_else(|| "(none)".to_owned());
            let verification = match cert {
                None => Verification::NotChecked("the signer's certificate is not in the message".into()),
                Some(c) => match s.verify_signature_with_signed_data(&data) {
                    // Without signed attributes the signature covers the
                    // content itself; with them, the content digest they
                    // carry must match too.
                    Ok(()) if s.signed_attributes().is_none() => Verification::Verified,
                    Ok(()) => match s.verify_message_digest_with_signed_data(&data) {
                        Ok(()) => Verification::Verified,
                        Err(e) => Verification::Failed(format!("content digest: {e}")),
                    },
                    Err(e) => match rsa_key_bits(c) {
                        // The verifier (ring) refuses RSA keys under 2048
                        // bits; iPhone device identities use 1024-bit keys.
                        Some(bits) if bits < 2048 => Verification::NotChecked(format!(
                            "the signer's RSA key has {bits} bits; keys under 2048 bits cannot be verified here"
                        )),
                        _ => Verification::Failed(format!("signature: {e}")),
                    },
                },
            };
            Signer {
                subject: cert.map(|c| name_text(c.subject_name())).unwrap_or_else(|| format!("(issuer {issuer})")),
                common_name: cert.and_then(|c| c.subject_common_name()),
                issuer,
                verification,
            }
        })
        .collect();
    Ok(Signed { content, signers, certificate_count: data.certificates().count() })
}
