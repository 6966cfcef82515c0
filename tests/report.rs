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

/// The committed reports cover every family: checked when all are built.
const ALL_FAMILIES: bool =
    cfg!(all(feature = "commands", feature = "checkin", feature = "profiles", feature = "declarative"));

#[test]
fn macos_15_1_supported_keys() {
    if !ALL_FAMILIES {
        return;
    }
    let md = supported_markdown(Platform::MacOS, v("15.1"));
    // Spot checks against the schema, independent of the committed file.
    assert!(md.contains("| **InstallEnterpriseApplication** | | 10.13.6 | device channel only |"));
    assert!(md.contains("| InstallApplication | `ManagementFlags` | 11.0 |"));
    assert!(!md.contains("`Attributes"), "Attributes are n/a on macOS");
    assert!(md.contains("| ManagedApplicationList | `→ ManagedApplicationList.*.Status` |"));
    assert!(!md.contains("`→ ManagedApplicationList.*.IsValidated`"));
    // Profiles, declarations, status items, check-ins.
    assert!(md.contains("| **com.apple.applicationaccess** | | 10.7 |"), "restrictions");
    assert!(md.contains("| com.apple.applicationaccess | `allowCamera` | 10.11 |"));
    assert!(!md.contains("| com.apple.applicationaccess | `allowAirPrint`"), "n/a on macOS");
    assert!(md.contains(
        "| **com.apple.configuration.passcode.settings** | | 13.0 | enrollments: supervised/local, scopes: system/user |"
    ));
    assert!(
        md.contains("| **device.identifier.udid** | | 13.0 | enrollments: supervised/local, scopes: system/user |")
    );
    assert!(md.contains("| **TokenUpdate** |"));
    assert!(!md.contains("| **TopLevel** |"), "the profile's own keys are not a payload");
    check("macOS-15.1.md", &md);
}

#[test]
fn ios_18_1_supported_keys() {
    if !ALL_FAMILIES {
        return;
    }
    let md = supported_markdown(Platform::IOS, v("18.1"));
    assert!(md.contains("| com.apple.applicationaccess | `allowAirPrint` |"));
    assert!(md.contains("| InstallApplication | `Attributes.Hideable` | 18.1 |"));
    assert!(md.contains(
        "| **app.managed.list** | | 17.2 | enrollments: supervised/device/user, scopes: system, shared iPad scopes: system |"
    ));
    assert!(md.contains("| **com.apple.configuration.passcode.settings** | | 15.0 | enrollments: supervised/device/user/local, scopes: system, not on shared iPad |"));
    check("iOS-18.1.md", &md);
}

#[test]
fn macos_14_0_to_15_1_changes() {
    if !ALL_FAMILIES {
        return;
    }
    let md = changes_markdown(Platform::MacOS, v("14.0"), v("15.1"));
    assert!(md.contains("| Commands | ProfileList | `→ ProfileList.Source` | 15.0 |"));
    assert!(
        md.contains("| Commands | DeviceInformation | `→ QueryResponses.OSUpdateSettings.PreviousScanResult` | 15.0 |")
    );
    check("macOS-14.0-to-15.1.md", &md);
}

#[test]
fn ios_changes_include_hideable() {
    let md = changes_markdown(Platform::IOS, v("18.0"), v("18.1"));
    assert!(md.contains("| Commands | InstallApplication | `Attributes.Hideable` | 18.1 |"), "{md}");
    assert!(md.contains("| Commands | InstallApplication | `Attributes.Lockable` | 18.1 |"));
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
