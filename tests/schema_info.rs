//! The crate says which schema it was generated from.

use apple_device_management::{SCHEMA_COMMIT, SCHEMA_DIGEST, SCHEMA_FILE_COUNT, SCHEMA_RELEASE};

#[test]
fn provenance_matches_the_pinned_release() {
    // CI builds from ../shared/apple-device-management, whose UPSTREAM.md
    // names the same commit as the submodule gitlink.
    assert_eq!(SCHEMA_COMMIT, "b6202ca2fbd31286a52eb160b67a4db7b4fe1f1f");
    assert_eq!(SCHEMA_RELEASE, "Release_iOS-18-1_macOS-15-1");
    assert_eq!(SCHEMA_FILE_COUNT, 302);
    assert_eq!(SCHEMA_DIGEST.len(), 16);
    assert!(SCHEMA_DIGEST.chars().all(|c| c.is_ascii_hexdigit()));
    let gitmodules = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.gitmodules")).unwrap();
    assert!(gitmodules.contains("path = schema/device-management"));
    assert!(gitmodules.contains("url = https://github.com/apple/device-management.git"));
}
