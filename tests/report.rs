//! The supported-keys reports: committed outputs in docs/supported-keys/
//! must match what the program prints. After a schema update, regenerate
//! with `UPDATE_GOLDEN=1 cargo test --test report` and review the diff.

use std::path::Path;

use apple_device_management::report::{changes_markdown, supported_markdown};
use apple_device_management::{OsVersion, Platform};

fn check(file: &str, generated: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/supported-keys").join(file);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == generated, "{} is stale; rerun with UPDATE_GOLDEN=1 and review the diff", path.display());
}

fn v(s: &str) -> OsVersion {
    s.parse().unwrap()
}

#[test]
fn macos_15_1_supported_keys() {
    let md = supported_markdown(Platform::MacOS, v("15.1"));
    // Spot checks against the schema, independent of the committed file.
    assert!(md.contains("| **InstallEnterpriseApplication** | | 10.13.6 | device channel only |"));
    assert!(md.contains("| InstallApplication | `ManagementFlags` | 11.0 |"));
    assert!(!md.contains("`Attributes"), "Attributes are n/a on macOS");
    assert!(md.contains("| ManagedApplicationList | `→ ManagedApplicationList.*.Status` |"));
    assert!(!md.contains("`→ ManagedApplicationList.*.IsValidated`"));
    check("macOS-15.1.md", &md);
}

#[test]
fn macos_14_0_to_15_1_changes() {
    let md = changes_markdown(Platform::MacOS, v("14.0"), v("15.1"));
    assert!(md.contains("| ProfileList | `→ ProfileList.Source` | 15.0 |"));
    assert!(md.contains("| DeviceInformation | `→ QueryResponses.OSUpdateSettings.PreviousScanResult` | 15.0 |"));
    check("macOS-14.0-to-15.1.md", &md);
}

#[test]
fn ios_changes_include_hideable() {
    let md = changes_markdown(Platform::IOS, v("18.0"), v("18.1"));
    assert!(md.contains("| InstallApplication | `Attributes.Hideable` | 18.1 |"), "{md}");
    assert!(md.contains("| InstallApplication | `Attributes.Lockable` | 18.1 |"));
}

/// A version past the schema's newest is answered with a note saying so.
#[test]
fn a_version_newer_than_the_schema_is_flagged() {
    let newest = apple_device_management::availability::newest_version(Platform::MacOS).unwrap();
    assert_eq!(newest, v("15.1"), "release 18.1 names macOS 15.1 at the most");
    let md = supported_markdown(Platform::MacOS, v("99.0"));
    assert!(md.contains(
        "> **Note:** macOS 99.0 is newer than any macOS version this schema release names (the newest is 15.1)"
    ));
    assert!(!supported_markdown(Platform::MacOS, v("15.1")).contains("**Note:**"));
    assert!(changes_markdown(Platform::MacOS, v("15.0"), v("16.0")).contains("**Note:** macOS 16.0 is newer"));
}

/// The response side has the same question as the request side.
#[test]
fn usable_response_keys() {
    use apple_device_management::availability::{Target, command_schema};
    let file = command_schema("ManagedApplicationList").unwrap();
    let macos = file.usable_response_keys(&Target::new(Platform::MacOS, v("14.0")));
    let ios = file.usable_response_keys(&Target::new(Platform::IOS, v("17.0")));
    assert!(ios.iter().any(|k| k == "ManagedApplicationList.*.IsValidated"), "{ios:?}");
    assert!(!macos.iter().any(|k| k == "ManagedApplicationList.*.IsValidated"), "n/a on macOS: {macos:?}");
    assert!(macos.iter().any(|k| k == "ManagedApplicationList.*.Status"), "{macos:?}");
}
