//! Checking a flat package's xar signature and the signer's certificates.
//!
//! xar signs the table of contents' checksum: the `<signature style="RSA">`
//! bytes in the heap are an RSA PKCS#1 v1.5 signature whose DigestInfo
//! holds that checksum (SHA-1 for packages `productsign` writes). The
//! certificates are in the table of contents, leaf first.
//!
//! RSA is done with the `rsa` crate (verification only: its timing
//! advisory, RUSTSEC-2023-0071, concerns private-key operations) and the
//! certificates are read with `x509-cert` (same `der` stack as `rsa`).

use rsa::Pkcs1v15Sign;
use rsa::pkcs8::DecodePublicKey as _;
use sha2::Digest as _;
use x509_cert::Certificate as X509Certificate;
use x509_cert::der::{Decode as _, Encode as _};
use x509_cert::name::Name;

use super::pkg::{CertificateInfo, Signature, SignatureCheck, Trust};

/// Apple's extension marking a Developer ID Installer certificate.
const DEVELOPER_ID_INSTALLER_OID: &str = "1.2.840.113635.100.6.1.14";

/// The DER DigestInfo prefix of a digest algorithm (RFC 8017, 9.2 note 1).
fn digest_info_prefix(algorithm: &str) -> Option<&'static [u8]> {
    Some(match algorithm {
        "sha1" => &[0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14],
        "sha256" => &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04,
            0x20,
        ],
        "sha384" => &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04,
            0x30,
        ],
        "sha512" => &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04,
            0x40,
        ],
        "md5" => &[
            0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05, 0x05, 0x00, 0x04, 0x10,
        ],
        _ => return None,
    })
}

/// Verifies an RSA PKCS#1 v1.5 signature over an already computed digest.
fn verify_rsa(spki_der: &[u8], algorithm: &str, digest: &[u8], signature: &[u8]) -> Result<(), String> {
    let key = rsa::PublicKey::from_public_key_der(spki_der).map_err(|_| "the key is not an RSA key".to_owned())?;
    let prefix = digest_info_prefix(algorithm).ok_or_else(|| format!("digest {algorithm} is not supported"))?;
    let mut digest_info = prefix.to_vec();
    digest_info.extend_from_slice(digest);
    key.verify(Pkcs1v15Sign::new_unprefixed(), &digest_info, signature)
        .map_err(|_| "the signature does not match".to_owned())
}

/// The digest a certificate signature algorithm uses (RSA only).
fn rsa_signature_digest(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "1.2.840.113549.1.1.5" => "sha1",
        "1.2.840.113549.1.1.11" => "sha256",
        "1.2.840.113549.1.1.12" => "sha384",
        "1.2.840.113549.1.1.13" => "sha512",
        _ => return None,
    })
}

fn digest(algorithm: &str, data: &[u8]) -> Vec<u8> {
    match algorithm {
        "sha1" => sha1::Sha1::digest(data).to_vec(),
        "sha384" => sha2::Sha384::digest(data).to_vec(),
        "sha512" => sha2::Sha512::digest(data).to_vec(),
        _ => sha2::Sha256::digest(data).to_vec(),
    }
}

/// The subject public key info, DER.
fn spki_der(cert: &X509Certificate) -> Vec<u8> {
    cert.tbs_certificate().subject_public_key_info().to_der().unwrap_or_default()
}

/// `child` is signed by `issuer`'s key.
fn signed_by(child: &X509Certificate, issuer: &X509Certificate) -> Result<(), String> {
    if child.tbs_certificate().issuer() != issuer.tbs_certificate().subject() {
        return Err(format!("{} is not issued by {}", name_of(child), name_of(issuer)));
    }
    let oid = child.signature_algorithm().oid.to_string();
    let algorithm = rsa_signature_digest(&oid)
        .ok_or_else(|| format!("{} is signed with {oid}, which is not checked (RSA only)", name_of(child)))?;
    // DER is canonical: the re-encoded TBS is the signed bytes.
    let tbs = child.tbs_certificate().to_der().map_err(|e| format!("{}: {e}", name_of(child)))?;
    let signature = child.signature().raw_bytes();
    verify_rsa(&spki_der(issuer), algorithm, &digest(algorithm, &tbs), signature)
        .map_err(|e| format!("the signature on {} does not verify with {}'s key: {e}", name_of(child), name_of(issuer)))
}

/// The first attribute `oid` of a name, as text.
fn attribute(name: &Name, oid: &str) -> Option<String> {
    name.iter()
        .find(|atv| atv.oid.to_string() == oid)
        .map(|atv| String::from_utf8_lossy(atv.value.value()).into_owned())
}

const COMMON_NAME: &str = "2.5.4.3";
const ORGANIZATIONAL_UNIT: &str = "2.5.4.11";

fn name_of(cert: &X509Certificate) -> String {
    let subject = cert.tbs_certificate().subject();
    attribute(subject, COMMON_NAME).map(|n| format!("`{n}`")).unwrap_or_else(|| subject.to_string())
}

fn info(cert: &X509Certificate, der: &[u8]) -> CertificateInfo {
    let tbs = cert.tbs_certificate();
    let validity = tbs.validity();
    let secs = |t: x509_cert::time::Time| i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    let (not_before, not_after) = (secs(validity.not_before), secs(validity.not_after));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    CertificateInfo {
        common_name: attribute(tbs.subject(), COMMON_NAME),
        organizational_unit: attribute(tbs.subject(), ORGANIZATIONAL_UNIT),
        issuer_common_name: attribute(tbs.issuer(), COMMON_NAME),
        not_before,
        not_after,
        valid_now: not_before <= now && now <= not_after,
        sha256: sha2::Sha256::digest(der).iter().map(|b| format!("{b:02x}")).collect(),
    }
}

/// Nothing checked yet: the starting point of a result.
fn unchecked(style: &str, why: &str, cms_present: bool) -> Signature {
    Signature {
        style: style.to_owned(),
        check: SignatureCheck::NotChecked(why.to_owned()),
        chain: Vec::new(),
        chain_linked: false,
        chain_problem: None,
        trust: Trust::NoRoots,
        team_id: None,
        developer_id_installer: false,
        cms_present,
    }
}

/// The result for a package that has only a CMS `x-signature`.
pub(crate) fn cms_only() -> Signature {
    unchecked("CMS", "only a CMS x-signature, which this crate does not verify", true)
}

/// Checks the signature over `toc_checksum`, the chain, and its trust.
pub(crate) fn check(
    style: &str,
    toc_checksum: Option<&[u8]>,
    algorithm: &str,
    signature: &[u8],
    certificates: &[Vec<u8>],
    roots: &[Vec<u8>],
    cms_present: bool,
) -> Signature {
    let parsed: Vec<Option<X509Certificate>> =
        certificates.iter().map(|der| X509Certificate::from_der(der).ok()).collect();
    let mut out = unchecked(style, "", cms_present);
    if parsed.iter().any(Option::is_none) {
        out.chain_problem = Some("a certificate in the signature does not parse".into());
    }
    let chain: Vec<&X509Certificate> = parsed.iter().flatten().collect();
    out.chain = chain.iter().zip(certificates).map(|(c, der)| info(c, der)).collect();

    // The signature over the table-of-contents checksum, with the leaf's key.
    out.check = match (chain.first(), toc_checksum) {
        _ if !style.eq_ignore_ascii_case("RSA") => {
            SignatureCheck::NotChecked(format!("signature style {style} (only RSA is checked)"))
        }
        (None, _) => SignatureCheck::NotChecked("the signature carries no certificate".into()),
        (_, None) => SignatureCheck::NotChecked("the archive has no table-of-contents checksum".into()),
        (Some(leaf), Some(sum)) => match verify_rsa(&spki_der(leaf), algorithm, sum, signature) {
            Ok(()) => SignatureCheck::Verified,
            Err(e) => SignatureCheck::Failed(format!("the signature over the table of contents: {e}")),
        },
    };

    if let Some(leaf) = chain.first() {
        out.team_id = attribute(leaf.tbs_certificate().subject(), ORGANIZATIONAL_UNIT);
        let named = out.chain[0].common_name.as_deref().is_some_and(|n| n.starts_with("Developer ID Installer:"));
        let marked = leaf
            .tbs_certificate()
            .extensions()
            .is_some_and(|exts| exts.iter().any(|e| e.extn_id.to_string() == DEVELOPER_ID_INSTALLER_OID));
        out.developer_id_installer = named && marked;
    }

    // Each link of the chain.
    if out.chain_problem.is_none() && !chain.is_empty() {
        out.chain_problem = chain.windows(2).find_map(|w| signed_by(w[0], w[1]).err());
    }
    out.chain_linked = !chain.is_empty() && out.chain_problem.is_none();

    // Up to a supplied root.
    if !roots.is_empty() {
        out.trust = match chain.last() {
            None => Trust::Untrusted("the signature carries no certificate".into()),
            Some(top) => trust(top, certificates.last().map(Vec::as_slice).unwrap_or_default(), roots),
        };
    }
    out
}

/// The top of the chain is one of `roots`, or is signed by one.
fn trust(top: &X509Certificate, top_der: &[u8], roots: &[Vec<u8>]) -> Trust {
    let mut reasons = Vec::new();
    for der in roots {
        let Ok(root) = X509Certificate::from_der(der) else {
            reasons.push("a root given does not parse as a certificate".to_owned());
            continue;
        };
        if der.as_slice() == top_der {
            return Trust::Trusted(name_of(&root));
        }
        match signed_by(top, &root) {
            Ok(()) => return Trust::Trusted(name_of(&root)),
            Err(e) => reasons.push(e),
        }
    }
    Trust::Untrusted(format!("the chain does not lead to a root given ({})", reasons.join("; ")))
}
