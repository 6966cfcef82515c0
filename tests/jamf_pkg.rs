//! Flat packages: ids, integrity, signature, manifests. The tests write the
//! xar archives themselves (tests/support/xar.rs) and sign them with a
//! test-only "Developer ID Installer" chain made by
//! tests/data/pkg-signing/make.sh.

#![cfg(feature = "jamf")]

use std::path::{Path, PathBuf};
use std::process::Command;

use apple_device_management::jamf::pkg::{
    BundleId, Damage, InspectOptions, ManifestOptions, PkgError, SignatureCheck, Trust, inspect, inspect_with,
    manifest_from_pkg, manifest_from_pkg_with,
};
use apple_device_management::jamf::{DeployPackageRequest, HashType};
use base64::Engine as _;
use rsa::pkcs8::DecodePrivateKey as _;

#[path = "support/xar.rs"]
mod xar;

const DISTRIBUTION: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<installer-gui-script minSpecVersion="2">
    <title>Munki Tools</title>
    <pkg-ref id="com.googlecode.munki.core" version="6.6.5.4711" onConclusion="none">#core.pkg</pkg-ref>
    <pkg-ref id="com.googlecode.munki.admin" version="6.6.5.4711">#admin%20tools.pkg</pkg-ref>
    <product id="com.googlecode.munki.tools" version="6.6.5"/>
    <choices-outline><line choice="default"/></choices-outline>
    <choice id="default"><pkg-ref id="com.googlecode.munki.core"/><pkg-ref id="com.googlecode.munki.admin"/></choice>
</installer-gui-script>
"#;

const CORE_INFO: &[u8] = br#"<pkg-info format-version="2" identifier="com.googlecode.munki.core" version="6.6.5.4711" install-location="/"/>"#;

fn data(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pkg-signing").join(name)).unwrap()
}

fn der(pem_name: &str) -> Vec<u8> {
    let pem = String::from_utf8(data(pem_name)).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(body).unwrap()
}

/// Signs a SHA-1 checksum with the test leaf key (PKCS#1 v1.5, DigestInfo).
fn sign(checksum: &[u8]) -> Vec<u8> {
    let key = rsa::PrivateKey::from_pkcs8_der(&data("leaf.pk8.der")).unwrap();
    let mut digest_info =
        vec![0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14];
    digest_info.extend_from_slice(checksum);
    key.sign(rsa::Pkcs1v15Sign::new_unprefixed(), &digest_info).unwrap()
}

fn chain() -> Vec<Vec<u8>> {
    vec![der("leaf.pem"), der("intermediate.pem"), der("root.pem")]
}

fn signed_package(padding: usize) -> xar::Built {
    let signer = xar::Signer { sign: &sign, certificates: chain(), len: 256 };
    xar::build(
        &[
            ("Distribution", DISTRIBUTION.as_bytes()),
            ("core.pkg/PackageInfo", CORE_INFO),
            ("core.pkg/Bom", b"BOMStore"),
        ],
        Some(&signer),
        padding,
    )
}

/// A file in a directory of its own, both removed when it is dropped
/// (when the test ends, passed or failed).
struct Written {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl std::ops::Deref for Written {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for Written {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

/// `bytes` written as a file named `name`.
fn write(name: &str, bytes: &[u8]) -> Written {
    let dir = tempfile::Builder::new().prefix("adm-pkg-").tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    Written { _dir: dir, path }
}

/// Digests computed by coreutils, not by this crate.
fn coreutils(tool: &str, path: &Path) -> String {
    let out = Command::new(tool).arg(path).output().unwrap();
    String::from_utf8(out.stdout).unwrap().split_whitespace().next().unwrap().to_owned()
}

#[test]
fn distribution_package_ids_and_digests() {
    let path = write("munkitools.pkg", &signed_package(300_000).bytes);
    let info = inspect(&path).unwrap();
    assert_eq!(info.identifier, "com.googlecode.munki.tools");
    assert_eq!(info.version, "6.6.5");
    assert_eq!(info.title.as_deref(), Some("Munki Tools"));
    let product = info.product.as_ref().unwrap();
    assert_eq!((product.identifier.as_str(), product.version.as_str()), ("com.googlecode.munki.tools", "6.6.5"));
    // Every pkg-ref once, with the version and file its elements give.
    let refs: Vec<_> =
        info.pkg_refs.iter().map(|r| (r.identifier.as_str(), r.version.as_str(), r.package.as_deref())).collect();
    assert_eq!(
        refs,
        [
            ("com.googlecode.munki.core", "6.6.5.4711", Some("core.pkg")),
            ("com.googlecode.munki.admin", "6.6.5.4711", Some("admin tools.pkg"))
        ]
    );
    // The component's own PackageInfo.
    assert_eq!(info.components.len(), 1);
    let c = &info.components[0];
    assert_eq!(
        (c.path.as_str(), c.identifier.as_str(), c.version.as_str()),
        ("core.pkg", "com.googlecode.munki.core", "6.6.5.4711")
    );
    assert_eq!(info.checksum_algorithm, "sha1");
    assert!(info.signed);
    assert_eq!(info.size, std::fs::metadata(&path).unwrap().len());
    assert_eq!(info.md5, coreutils("md5sum", &path));
    assert_eq!(info.sha256, coreutils("sha256sum", &path));

    let url = "https://cdn.example.com/munkitools.pkg";
    let m = manifest_from_pkg(&path, url, HashType::Sha256, false).unwrap();
    assert_eq!((m.url.as_str(), m.hash_type, m.hash.as_str()), (url, HashType::Sha256, info.sha256.as_str()));
    assert_eq!(
        (m.bundle_id.as_str(), m.bundle_version.as_str(), m.title.as_str()),
        ("com.googlecode.munki.tools", "6.6.5", "Munki Tools")
    );
    assert_eq!(m.size_in_bytes, info.size);
    assert!(m.validate().is_ok());
    let m = manifest_from_pkg(&path, url, HashType::Md5, false).unwrap();
    assert_eq!(m.hash, info.md5);
}

#[test]
fn the_user_chooses_which_id_is_the_bundle_id() {
    let path = write("choose.pkg", &signed_package(10).bytes);
    let url = "https://cdn.example.com/munkitools.pkg";
    let mut options = ManifestOptions::new(HashType::Sha256);
    options.bundle_id = BundleId::PkgRef("com.googlecode.munki.core".into());
    let (m, _) = manifest_from_pkg_with(&path, url, &options).unwrap();
    assert_eq!((m.bundle_id.as_str(), m.bundle_version.as_str()), ("com.googlecode.munki.core", "6.6.5.4711"));
    options.bundle_id = BundleId::PkgRef("com.example.nothere".into());
    let err = manifest_from_pkg_with(&path, url, &options).unwrap_err();
    assert!(matches!(err, PkgError::NoSuchPkgRef { .. }), "{err}");
    assert!(err.to_string().contains("it has: com.googlecode.munki.core, com.googlecode.munki.admin"), "{err}");
}

#[test]
fn without_a_product_the_first_pkg_ref_with_a_version_names_it() {
    let dist = DISTRIBUTION.replace("<product id=\"com.googlecode.munki.tools\" version=\"6.6.5\"/>", "");
    let built = xar::build(&[("Distribution", dist.as_bytes())], None, 10);
    let info = inspect(write("noproduct.pkg", &built.bytes)).unwrap();
    assert_eq!((info.identifier.as_str(), info.version.as_str()), ("com.googlecode.munki.core", "6.6.5.4711"));
    assert_eq!(info.product, None);
}

#[test]
fn signature_verified_and_chain_reported() {
    let path = write("signed.pkg", &signed_package(10).bytes);
    let info = inspect(&path).unwrap();
    let s = info.signature.as_ref().unwrap();
    assert_eq!(s.style, "RSA");
    assert_eq!(s.check, SignatureCheck::Verified);
    assert!(s.chain_linked, "{:?}", s.chain_problem);
    assert_eq!(s.team_id.as_deref(), Some("ABCDE12345"));
    assert!(s.developer_id_installer);
    let names: Vec<_> = s.chain.iter().map(|c| c.common_name.as_deref().unwrap_or("?")).collect();
    assert_eq!(
        names,
        [
            "Developer ID Installer: Example Corp (ABCDE12345)",
            "Test Developer ID Certification Authority",
            "Test Root CA"
        ]
    );
    assert_eq!(s.chain[0].issuer_common_name.as_deref(), Some("Test Developer ID Certification Authority"));
    assert!(s.chain.iter().all(|c| c.valid_now && c.not_before < c.not_after));
    assert_eq!(s.chain[0].sha256, coreutils_sha256_of(&der("leaf.pem")));
    // Without roots, trust is not judged; with the chain's root it is
    // trusted; with another root of the same name it is not.
    assert_eq!(s.trust, Trust::NoRoots);
    assert!(s.is_valid());
    let with = |root: &str| {
        let info = inspect_with(&path, &InspectOptions::default().root(&data(root))).unwrap();
        info.signature.unwrap().trust
    };
    assert_eq!(with("root.pem"), Trust::Trusted("`Test Root CA`".into()));
    assert!(matches!(with("other-root.pem"), Trust::Untrusted(_)), "{:?}", with("other-root.pem"));
    // A chain that stops at the intermediate still reaches the root.
    let signer = xar::Signer { sign: &sign, certificates: chain()[..2].to_vec(), len: 256 };
    let short = xar::build(&[("Distribution", DISTRIBUTION.as_bytes())], Some(&signer), 0);
    let info =
        inspect_with(write("short.pkg", &short.bytes), &InspectOptions::default().root(&data("root.pem"))).unwrap();
    assert_eq!(info.signature.unwrap().trust, Trust::Trusted("`Test Root CA`".into()));
    // manifest_from_pkg refuses a package whose chain misses the roots given.
    let mut options = ManifestOptions::new(HashType::Sha256);
    options.roots = vec![der("other-root.pem")];
    let err = manifest_from_pkg_with(&path, "https://x.example/p.pkg", &options).unwrap_err();
    assert!(matches!(err, PkgError::BadSignature { .. }), "{err}");
}

fn coreutils_sha256_of(bytes: &[u8]) -> String {
    coreutils("sha256sum", &write("cert.der", bytes))
}

#[test]
fn a_flipped_signature_byte_fails() {
    let mut built = signed_package(10);
    let (at, _) = built.signature.unwrap();
    built.bytes[at + 100] ^= 0x01;
    let path = write("flipped.pkg", &built.bytes);
    let info = inspect(&path).unwrap();
    let s = info.signature.unwrap();
    assert!(matches!(s.check, SignatureCheck::Failed(_)), "{:?}", s.check);
    assert!(!s.is_valid());
    let err = manifest_from_pkg(&path, "https://x.example/p.pkg", HashType::Sha256, false).unwrap_err();
    assert!(matches!(err, PkgError::BadSignature { .. }), "{err}");
    assert!(err.to_string().contains("signature is invalid"), "{err}");
    // Signed by a key that is not the leaf's: fails too.
    let wrong = |sum: &[u8]| {
        let mut s = sign(sum);
        s.reverse();
        s
    };
    let signer = xar::Signer { sign: &wrong, certificates: chain(), len: 256 };
    let built = xar::build(&[("Distribution", DISTRIBUTION.as_bytes())], Some(&signer), 0);
    let info = inspect(write("wrong.pkg", &built.bytes)).unwrap();
    assert!(matches!(info.signature.unwrap().check, SignatureCheck::Failed(_)));
}

#[test]
fn a_chain_that_does_not_link_is_reported() {
    // The leaf followed by an unrelated root: the link fails.
    let certificates = vec![der("leaf.pem"), der("other-root.pem")];
    let signer = xar::Signer { sign: &sign, certificates, len: 256 };
    let built = xar::build(&[("Distribution", DISTRIBUTION.as_bytes())], Some(&signer), 0);
    let path = write("unlinked.pkg", &built.bytes);
    let s = inspect(&path).unwrap().signature.unwrap();
    assert_eq!(s.check, SignatureCheck::Verified);
    assert!(!s.chain_linked);
    assert!(s.chain_problem.as_deref().unwrap().contains("is not issued by"), "{:?}", s.chain_problem);
    assert!(manifest_from_pkg(&path, "https://x.example/p.pkg", HashType::Sha256, false).is_err());
}

/// Every cut of a valid signed package is refused, never read as whole.
#[test]
fn every_truncation_is_refused() {
    let built = signed_package(2_000);
    let full = built.bytes.len();
    let path = write("cut.pkg", b"");
    let mut kinds = std::collections::BTreeMap::new();
    for len in 0..full {
        std::fs::write(&path, &built.bytes[..len]).unwrap();
        let err = match inspect(&path) {
            Ok(info) => panic!("a package cut to {len} of {full} bytes was accepted: {info:?}"),
            Err(e) => e,
        };
        let kind = match &err {
            PkgError::NotXar { .. } => "not xar",
            PkgError::Corrupt { .. } => "corrupt",
            PkgError::Damaged { damage: Damage::Truncated { .. }, .. } => "truncated",
            other => panic!("cut to {len}: unexpected {other}"),
        };
        *kinds.entry(kind).or_insert(0) += 1;
        if len == full - 1 {
            assert_eq!(
                err.to_string(),
                format!(
                    "{}: damaged package: Payload ends at byte {full} but the file has {} bytes (the package was cut short)",
                    path.display(),
                    full - 1
                )
            );
        }
    }
    // Cuts inside the heap are the most: each names the entry cut.
    assert!(kinds["truncated"] > 2_000, "{kinds:?}");
    assert!(inspect(write("whole.pkg", &built.bytes)).is_ok());
}

#[test]
fn checksum_damage_is_named() {
    let built = signed_package(100);
    // The stored table-of-contents checksum.
    let mut bytes = built.bytes.clone();
    bytes[built.heap + 3] ^= 0xff;
    let err = inspect(write("toc-sum.pkg", &bytes)).unwrap_err();
    assert!(matches!(err, PkgError::Damaged { damage: Damage::TocChecksum { .. }, .. }), "{err}");
    assert!(err.to_string().contains("does not match its sha1 checksum"), "{err}");
    // A file's bytes: its archived checksum names it.
    for (name, start, len) in &built.files {
        let mut bytes = built.bytes.clone();
        bytes[start + len / 2] ^= 0x10;
        let err = inspect(write("file-sum.pkg", &bytes)).unwrap_err();
        match &err {
            PkgError::Damaged { damage: Damage::FileChecksum { name: n, algorithm, .. }, .. } => {
                assert_eq!((n.as_str(), algorithm.as_str()), (name.as_str(), "sha1"));
            }
            // A damaged Distribution or PackageInfo may fail to inflate first.
            PkgError::Corrupt { reason, .. } if reason.contains("does not inflate") => {}
            other => panic!("{name}: {other}"),
        }
    }
    // The compressed table of contents itself.
    let mut bytes = built.bytes.clone();
    bytes[40] ^= 0x01;
    let err = inspect(write("toc.pkg", &bytes)).unwrap_err();
    assert!(matches!(err, PkgError::Corrupt { .. } | PkgError::Damaged { .. }), "{err}");
}

#[test]
fn chunk_digests_in_the_same_pass() {
    let path = write("chunks.pkg", &signed_package(25_000).bytes);
    let bytes = std::fs::read(&path).unwrap();
    let info = inspect_with(&path, &InspectOptions::default().chunks(HashType::Md5, 10_000)).unwrap();
    let chunks = info.chunks.unwrap();
    assert_eq!((chunks.hash_type, chunks.chunk_size), (HashType::Md5, 10_000));
    assert_eq!(chunks.hashes.len(), bytes.len().div_ceil(10_000));
    for (i, piece) in bytes.chunks(10_000).enumerate() {
        assert_eq!(chunks.hashes[i], coreutils("md5sum", &write("piece", piece)), "chunk {i}");
    }
    // Into Apple's manifest: md5-size is the chunk size, md5s the chunks.
    let (m, _) =
        manifest_from_pkg_with(&path, "https://x.example/c.pkg", &ManifestOptions::new(HashType::Md5)).unwrap();
    let request = DeployPackageRequest::builder(m).devices([1]).build().unwrap();
    let asset = &request.manifest_url_chunked(&chunks).items[0].assets[0];
    assert_eq!(asset.md5_size, Some(10_000));
    assert_eq!(asset.md5s.as_deref(), Some(&chunks.hashes[..]));
    let whole = &request.manifest_url().items[0].assets[0];
    assert_eq!(whole.md5_size, Some(bytes.len() as i64));
    let info = inspect_with(&path, &InspectOptions::default().chunks(HashType::Sha256, 1 << 20)).unwrap();
    assert_eq!(info.chunks.unwrap().hashes, std::slice::from_ref(&info.sha256));
}

#[test]
fn unsigned_package_is_refused_unless_allowed() {
    let built = xar::build(&[("Distribution", DISTRIBUTION.as_bytes())], None, 10);
    let path = write("unsigned.pkg", &built.bytes);
    let info = inspect(&path).unwrap();
    assert!(!info.signed && info.signature.is_none());
    let err = manifest_from_pkg(&path, "https://x.example/u.pkg", HashType::Sha256, false).unwrap_err();
    assert!(matches!(err, PkgError::Unsigned { .. }), "{err}");
    assert!(err.to_string().contains("productsign"), "{err}");
    assert!(manifest_from_pkg(&path, "https://x.example/u.pkg", HashType::Sha256, true).is_ok());
}

#[test]
fn component_package_is_refused_with_advice() {
    let info = br#"<pkg-info identifier="com.example.tool" version="1.0" format-version="2"/>"#;
    let built = xar::build(&[("PackageInfo", info), ("Bom", b"BOMStore")], None, 10);
    let err = inspect(write("component.pkg", &built.bytes)).unwrap_err();
    assert!(matches!(err, PkgError::ComponentPackage { .. }), "{err}");
    assert!(err.to_string().contains("rebuild it with `productbuild --package"), "{err}");
}

#[test]
fn not_a_xar() {
    let path = write("app.dmg", b"koly this is a disk image");
    assert!(matches!(inspect(&path).unwrap_err(), PkgError::NotXar { .. }));
    assert!(matches!(inspect(write("tiny.pkg", b"xar")).unwrap_err(), PkgError::NotXar { .. }));
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(inspect(dir.path().join("missing.pkg")).unwrap_err(), PkgError::Io { .. }));
}
