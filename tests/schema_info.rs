//! The crate says which schema it was generated from.

use apple_device_management::{SCHEMA_COMMIT, SCHEMA_DIGEST, SCHEMA_FILE_COUNT, SCHEMA_RELEASE};

#[test]
fn provenance_matches_the_pinned_release() {
    // Built from the submodule (its git commit), from the vendored copy or
    // ../shared/apple-device-management (their UPSTREAM.md): the commit is
    // the one the gitlink pins. The release name is the UPSTREAM.md's, or
    // what `git describe` says of a submodule checkout.
    assert_eq!(SCHEMA_COMMIT, "b6202ca2fbd31286a52eb160b67a4db7b4fe1f1f");
    assert!(!SCHEMA_RELEASE.is_empty() && SCHEMA_RELEASE != "unknown", "{SCHEMA_RELEASE}");
    if std::path::Path::new(concat!(env!("APPLE_DM_SCHEMA_DIR"), "/UPSTREAM.md")).is_file() {
        assert_eq!(SCHEMA_RELEASE, "Release_iOS-18-1_macOS-15-1");
    }
    assert_eq!(SCHEMA_FILE_COUNT, 302);
    assert_eq!(SCHEMA_DIGEST.len(), 16);
    assert!(SCHEMA_DIGEST.chars().all(|c| c.is_ascii_hexdigit()));
    let gitmodules = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.gitmodules")).unwrap();
    assert!(gitmodules.contains("path = schema/device-management"));
    assert!(gitmodules.contains("url = https://github.com/apple/device-management.git"));
}
