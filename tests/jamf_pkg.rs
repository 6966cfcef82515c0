//! Manifests from real flat packages. The test writes the xar archives
//! itself: header, zlib table of contents, heap.

#![cfg(feature = "jamf")]

use std::path::{Path, PathBuf};
use std::process::Command;

use apple_device_management::jamf::HashType;
use apple_device_management::jamf::pkg::{PkgError, inspect, manifest_from_pkg};

#[path = "support/xar.rs"]
mod xar;
use xar::zlib;

/// A xar archive holding `files` (name, contents) at its top level, each
/// zlib-encoded, with an RSA signature element when `signed`, and `padding`
/// bytes of payload so the file has some size.
fn write_xar(path: &Path, files: &[(&str, &[u8])], signed: bool, padding: usize) {
    let mut heap = vec![0u8; 20]; // the table-of-contents checksum slot
    let mut entries = String::new();
    for (i, (name, contents)) in files.iter().enumerate() {
        let encoded = zlib(contents);
        entries.push_str(&format!(
            "<file id=\"{}\"><data><length>{}</length><offset>{}</offset><size>{}</size>\
             <encoding style=\"application/x-gzip\"/></data><name>{name}</name><type>file</type></file>",
            i + 1,
            encoded.len(),
            heap.len(),
            contents.len()
        ));
        heap.extend_from_slice(&encoded);
    }
    // A directory with a nested file, as product archives have.
    entries.push_str(
        "<file id=\"90\"><name>Resources</name><type>directory</type>\
         <file id=\"91\"><name>Distribution</name><type>file</type></file></file>",
    );
    let signature = if signed {
        let at = heap.len();
        heap.extend_from_slice(&[0x5a; 256]);
        format!(
            "<signature style=\"RSA\"><offset>{at}</offset><size>256</size><KeyInfo \
             xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><X509Data><X509Certificate>MIIB</X509Certificate>\
             </X509Data></KeyInfo></signature>"
        )
    } else {
        String::new()
    };
    heap.extend(std::iter::repeat_n(0xa5, padding));
    let toc = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xar>\n <toc>\n  <checksum style=\"sha1\"><offset>0</offset>\
         <size>20</size></checksum>\n  {signature}\n  {entries}\n </toc>\n</xar>\n"
    );
    std::fs::write(path, xar::archive(&toc, &heap)).unwrap();
}

const DISTRIBUTION: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<installer-gui-script minSpecVersion="2">
    <title>Munki Tools</title>
    <pkg-ref id="com.googlecode.munki.core" version="6.6.5.4711" onConclusion="none">#core.pkg</pkg-ref>
    <product id="com.googlecode.munki.tools" version="6.6.5"/>
    <choices-outline><line choice="default"/></choices-outline>
</installer-gui-script>
"#;

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("adm-pkg-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Digests computed by coreutils, not by this crate.
fn coreutils(tool: &str, path: &Path) -> String {
    let out = Command::new(tool).arg(path).output().unwrap();
    String::from_utf8(out.stdout).unwrap().split_whitespace().next().unwrap().to_owned()
}

#[test]
fn distribution_package() {
    let path = dir().join("munkitools.pkg");
    write_xar(&path, &[("Distribution", DISTRIBUTION.as_bytes()), ("Bom", b"BOMStore")], true, 300_000);
    let info = inspect(&path).unwrap();
    assert_eq!(info.identifier, "com.googlecode.munki.tools");
    assert_eq!(info.version, "6.6.5");
    assert_eq!(info.title.as_deref(), Some("Munki Tools"));
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
    let m = manifest_from_pkg(&path, url, HashType::Md5, false).unwrap();
    assert_eq!(m.hash, info.md5);
    assert!(m.validate().is_ok());
}

#[test]
fn without_a_product_the_first_pkg_ref_names_it() {
    let path = dir().join("noproduct.pkg");
    let dist = DISTRIBUTION.replace("<product id=\"com.googlecode.munki.tools\" version=\"6.6.5\"/>", "");
    write_xar(&path, &[("Distribution", dist.as_bytes())], true, 10);
    let info = inspect(&path).unwrap();
    assert_eq!((info.identifier.as_str(), info.version.as_str()), ("com.googlecode.munki.core", "6.6.5.4711"));
}

#[test]
fn unsigned_package_is_refused_unless_allowed() {
    let path = dir().join("unsigned.pkg");
    write_xar(&path, &[("Distribution", DISTRIBUTION.as_bytes())], false, 10);
    assert!(!inspect(&path).unwrap().signed);
    let err = manifest_from_pkg(&path, "https://x.example/u.pkg", HashType::Sha256, false).unwrap_err();
    assert!(matches!(err, PkgError::Unsigned { .. }), "{err}");
    assert!(err.to_string().contains("productsign"), "{err}");
    assert!(manifest_from_pkg(&path, "https://x.example/u.pkg", HashType::Sha256, true).is_ok());
}

#[test]
fn component_package_is_refused_with_advice() {
    let path = dir().join("component.pkg");
    let info = br#"<pkg-info identifier="com.example.tool" version="1.0" format-version="2"/>"#;
    write_xar(&path, &[("PackageInfo", info), ("Bom", b"BOMStore"), ("Payload", b"payload")], true, 10);
    let err = inspect(&path).unwrap_err();
    assert!(matches!(err, PkgError::ComponentPackage { .. }), "{err}");
    assert!(err.to_string().contains("rebuild it with `productbuild --package"), "{err}");
}

#[test]
fn not_a_xar_and_truncated() {
    let path = dir().join("app.dmg");
    std::fs::write(&path, b"koly this is a disk image").unwrap();
    assert!(matches!(inspect(&path).unwrap_err(), PkgError::NotXar { .. }));
    let path = dir().join("tiny.pkg");
    std::fs::write(&path, b"xar").unwrap();
    assert!(matches!(inspect(&path).unwrap_err(), PkgError::NotXar { .. }));
    // A valid header whose table of contents is cut off.
    let good = dir().join("cut-source.pkg");
    write_xar(&good, &[("Distribution", DISTRIBUTION.as_bytes())], true, 0);
    let bytes = std::fs::read(&good).unwrap();
    let cut = dir().join("cut.pkg");
    std::fs::write(&cut, &bytes[..40]).unwrap();
    assert!(matches!(inspect(&cut).unwrap_err(), PkgError::Corrupt { .. }));
    assert!(matches!(inspect(dir().join("missing.pkg")).unwrap_err(), PkgError::Io { .. }));
}
