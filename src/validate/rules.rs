//! Rules Apple states only in the prose of the schema (`content:` text),
//! checked by hand. Each rule says where it comes from.
//!
//! Across a profile's payloads (`mdm/profiles`):
//!
//! | rule | source |
//! |---|---|
//! | `PayloadIdentifier` unique within the profile (error) | CommonPayloadKeys, `PayloadIdentifier`: "This string must be unique within the profile." |
//! | `PayloadUUID` unique (error) | CommonPayloadKeys, `PayloadUUID`: "The actual content is unimportant, but must be globally unique." |
//! | at most one payload of a type whose `multiple` is false on the target (error) | docs/schema.md, `multiple`: "Indicates whether multiple copies of the payload can be installed" |
//!
//! Within a payload or declaration:
//!
//! | payload | rule | source |
//! |---|---|---|
//! | com.apple.TCC.configuration-profile-policy | each `Services` entry has `Authorization` or `Allowed`, not both | `Allowed`: "Every payload needs to include either 'Authorization' or 'Allowed', but not both." |
//! | every declaration | `Identifier` and `ServerToken` at most 64 octets (warning) | DeclarationBase: "The size of this string should not exceed 64 octets." |
//!
//! Within a command:
//!
//! | command | rule |
//! |---|---|
//! | InstallApplication, InstallEnterpriseApplication | `ManagementFlags` bit 1 and `ChangeManagementState` = `Managed` need `InstallAsManaged` = true (macOS); `ManifestURL` must be `https:`; `PinningRevocationCheckRequired` applies only with `ManifestURLPinningCerts` |
//! | InstallEnterpriseApplication | `Manifest` or `ManifestURL` |
//! | EnableLostMode | `Message` or `PhoneNumber` |
//! | RotateFileVaultKey | `Password`, or both `PrivateKeyExport` and `PrivateKeyExportPassword`; `KeyType` = `institutional` needs `NewCertificate` |
//! | DeleteUser | `UserName` unless `DeleteAllUsers` |
//! | ScheduleOSUpdate | `ProductVersion` when there is no `ProductKey`; `MaxUserDeferrals` only with `InstallAction` = `InstallLater` |
//! | DeviceInformation | `DeviceAttestationNonce` at most 32 bytes, and only with the `DevicePropertiesAttestation` query |
//! | RestartDevice | `KextPaths` only with `RebuildKernelCache` |
//! | AccountConfiguration | `SkipPrimarySetupAccountCreation` / `SetPrimarySetupAccountAsRegularUser` need `AutoSetupAdminAccounts`; `LockPrimaryAccountInfo` needs `DontAutoPopulatePrimaryAccountInfo` false |
//! | EraseDevice | `ReturnToService`: `MDMProfileData` on unsupervised devices; `WiFiProfileData` without ethernet (a warning: the server cannot know) |
//! | DeviceLock, EraseDevice | `PIN` is six digits |
//! | SetFirmwarePassword | `NewPassword` only printable low ASCII (0x20–0x7E) |
//!
//! A rule that is a key's list of values or range (Settings'
//! `UserSessionTimeout`: 0, or at least 30) is not here: it is a fix of the
//! schema in `codegen/src/overrides.rs` (`RANGES`), which the tables carry
//! and the walk checks with every other range.

use std::collections::HashMap;

use super::walk::{Step, key_path};
use super::{Problem, Report, Seen, Severity};
use crate::availability::{KeyTable, Platform, Target};
use crate::node::Node;
use crate::value::{KeyPath, PathSegment};

fn truthy<'t>(d: impl Node<'t>, key: &str) -> bool {
    d.get(key).and_then(|v| v.as_bool()) == Some(true)
}

fn has<'t>(d: impl Node<'t>, key: &str) -> bool {
    d.get(key).is_some()
}

fn str_of<'t>(d: impl Node<'t>, key: &str) -> Option<&'t str> {
    d.get(key).and_then(|v| v.as_str())
}

/// The elements of the array under `key` (none when it is absent or not an array).
fn items_of<'t, N: Node<'t>>(d: N, key: &str) -> impl Iterator<Item = N> + use<'t, N> {
    d.get(key).into_iter().flat_map(|a| a.items())
}

struct Ctx<'a, 'p> {
    report: &'a mut Report,
    table: &'a KeyTable,
    target: &'a Target,
    /// Where the checked dictionary is in the document.
    at: &'a [Step<'p>],
}

impl Ctx<'_, '_> {
    fn error(&mut self, path: &str, rule: &str) {
        self.push(path, Severity::Error, rule);
    }
    fn warn(&mut self, path: &str, rule: &str) {
        self.push(path, Severity::Warning, rule);
    }
    /// A rule speaks only of keys the target supports: where a key on the
    /// path does not exist there, the walker has said so and the rule is
    /// moot (a macOS EraseDevice has no ReturnToService to complete).
    fn push(&mut self, path: &str, severity: Severity, rule: &str) {
        let path = KeyPath::parse(path);
        let segments = path.segments();
        for end in 1..=segments.len() {
            if !matches!(segments[end - 1], PathSegment::Key(_)) {
                continue;
            }
            let prefix = segments[..end].iter().cloned().collect::<KeyPath>();
            if let Some(e) = self.table.find(&prefix)
                && !e.support(self.target).is_supported()
            {
                return;
            }
        }
        let mut full = key_path(self.at);
        full.0.extend(path.0);
        self.report.push(full, severity, Problem::Rule(rule.to_owned()));
    }
}

/// Runs the prose rules of one command, payload or declaration payload
/// (`name`: its schema name; `table`: its request keys; `at`: where `d` is).
pub(crate) fn check<'t>(
    name: &str,
    table: &KeyTable,
    d: impl Node<'t>,
    at: &[Step<'_>],
    target: &Target,
    report: &mut Report,
) {
    let mut c = Ctx { report, table, target, at };
    match name {
        "com.apple.TCC.configuration-profile-policy" => {
            let services = d.get("Services").into_iter().flat_map(|s| s.entries());
            for (service, list) in services {
                for (i, entry) in list.items().enumerate() {
                    let Some(entry) = entry.as_dict() else { continue };
                    let (allowed, authorization) = (has(entry, "Allowed"), has(entry, "Authorization"));
                    if allowed == authorization {
                        let which = if allowed { "not both" } else { "one is required" };
                        c.error(
                            &format!("Services.{service}[{i}]"),
                            &format!("Authorization or Allowed, {which} (Apple: \"either 'Authorization' or 'Allowed', but not both\")"),
                        );
                    }
                }
            }
        }
        "InstallApplication" => install(d, target, &mut c),
        "InstallEnterpriseApplication" => {
            install(d, target, &mut c);
            if !has(d, "Manifest") && !has(d, "ManifestURL") {
                c.error("(root)", "Manifest or ManifestURL is required");
            }
        }
        "EnableLostMode" if !has(d, "Message") && !has(d, "PhoneNumber") => {
            c.error("(root)", "Message or PhoneNumber is required");
        }
        "RotateFileVaultKey" => {
            let unlock = d.get("FileVaultUnlock").and_then(|v| v.as_dict());
            if let Some(u) = unlock {
                let export = has(u, "PrivateKeyExport");
                let export_pw = has(u, "PrivateKeyExportPassword");
                if !(has(u, "Password") || export && export_pw) {
                    c.error(
                        "FileVaultUnlock",
                        "Password, or both PrivateKeyExport and PrivateKeyExportPassword, is required",
                    );
                } else if export != export_pw {
                    c.error("FileVaultUnlock", "PrivateKeyExport and PrivateKeyExportPassword go together");
                }
            }
            if str_of(d, "KeyType") == Some("institutional") && !has(d, "NewCertificate") {
                c.error("NewCertificate", "KeyType institutional requires NewCertificate");
            }
        }
        "DeleteUser" if !has(d, "UserName") && !truthy(d, "DeleteAllUsers") => {
            c.error("UserName", "UserName is required unless DeleteAllUsers is true");
        }
        "ScheduleOSUpdate" => {
            for (i, u) in items_of(d, "Updates").enumerate() {
                let Some(u) = u.as_dict() else { continue };
                if !has(u, "ProductKey") && !has(u, "ProductVersion") {
                    c.error(
                        &format!("Updates[{i}].ProductVersion"),
                        "ProductVersion is required when there is no ProductKey",
                    );
                }
                if has(u, "MaxUserDeferrals") && str_of(u, "InstallAction") != Some("InstallLater") {
                    c.warn(
                        &format!("Updates[{i}].MaxUserDeferrals"),
                        "MaxUserDeferrals only applies when InstallAction is InstallLater",
                    );
                }
            }
        }
        "DeviceInformation" => {
            if let Some(nonce) = d.get("DeviceAttestationNonce").and_then(|v| v.data_len()) {
                if nonce > 32 {
                    c.error("DeviceAttestationNonce", "DeviceAttestationNonce is at most 32 bytes");
                }
                if !items_of(d, "Queries").any(|q| q.as_str() == Some("DevicePropertiesAttestation")) {
                    c.error(
                        "DeviceAttestationNonce",
                        "DeviceAttestationNonce requires the DevicePropertiesAttestation query",
                    );
                }
            }
        }
        "RestartDevice" if has(d, "KextPaths") && !truthy(d, "RebuildKernelCache") => {
            c.warn("KextPaths", "KextPaths only applies when RebuildKernelCache is true");
        }
        "AccountConfiguration" => {
            let admins = items_of(d, "AutoSetupAdminAccounts").next().is_some();
            for key in ["SkipPrimarySetupAccountCreation", "SetPrimarySetupAccountAsRegularUser"] {
                if truthy(d, key) && !admins {
                    c.error(key, &format!("{key} requires AutoSetupAdminAccounts"));
                }
            }
            if truthy(d, "LockPrimaryAccountInfo") && truthy(d, "DontAutoPopulatePrimaryAccountInfo") {
                c.error(
                    "LockPrimaryAccountInfo",
                    "LockPrimaryAccountInfo requires DontAutoPopulatePrimaryAccountInfo to be false",
                );
            }
        }
        "EraseDevice" => {
            if let Some(rts) = d.get("ReturnToService").and_then(|v| v.as_dict())
                && truthy(rts, "Enabled")
            {
                if !target.supervised && !has(rts, "MDMProfileData") {
                    c.error("ReturnToService.MDMProfileData", "MDMProfileData is required on unsupervised devices");
                }
                if !has(rts, "WiFiProfileData") {
                    c.warn(
                        "ReturnToService.WiFiProfileData",
                        "WiFiProfileData is required when the device has no ethernet",
                    );
                }
            }
            six_digit_pin(d, target, &mut c);
        }
        "DeviceLock" => six_digit_pin(d, target, &mut c),
        "SetFirmwarePassword" => {
            if let Some(pw) = str_of(d, "NewPassword")
                && !pw.bytes().all(|b| (0x20..=0x7e).contains(&b))
            {
                c.error("NewPassword", "NewPassword must be printable low-ASCII (0x20 to 0x7E)");
            }
        }
        _ => {}
    }
}

fn install<'t>(d: impl Node<'t>, target: &Target, c: &mut Ctx<'_, '_>) {
    if let Some(url) = str_of(d, "ManifestURL")
        && !url.starts_with("https:")
    {
        c.error("ManifestURL", "ManifestURL must begin with https:");
    }
    if has(d, "PinningRevocationCheckRequired") && !has(d, "ManifestURLPinningCerts") {
        c.warn(
            "PinningRevocationCheckRequired",
            "PinningRevocationCheckRequired only applies with ManifestURLPinningCerts",
        );
    }
    // InstallAsManaged exists on macOS only; there these need it.
    if target.platform == Platform::MacOS && !truthy(d, "InstallAsManaged") {
        let flags = d.get("ManagementFlags").and_then(|v| v.as_int()).unwrap_or(0);
        if flags & 1 != 0 {
            c.error("ManagementFlags", "ManagementFlags bit 1 only takes effect with InstallAsManaged true");
        }
        if str_of(d, "ChangeManagementState") == Some("Managed") {
            c.error("ChangeManagementState", "ChangeManagementState Managed requires InstallAsManaged true");
        }
    }
}

fn six_digit_pin<'t>(d: impl Node<'t>, target: &Target, c: &mut Ctx<'_, '_>) {
    // The PIN is the Find My PIN of Macs: six characters.
    if target.platform == Platform::MacOS
        && let Some(pin) = str_of(d, "PIN")
        && (pin.len() != 6 || !pin.bytes().all(|b| b.is_ascii_digit()))
    {
        c.error("PIN", "PIN is six digits");
    }
}

/// The rules across a profile's payloads.
pub(crate) fn profile<'t, N: Node<'t>>(d: N, payloads: &[Seen<N>], target: &Target, report: &mut Report) {
    let at = |i: usize, key: &'static str| key_path(&[Step::Known("PayloadContent"), Step::Index(i), Step::Known(key)]);
    for (key, scope) in [("PayloadIdentifier", "within the profile"), ("PayloadUUID", "globally")] {
        let own = str_of(d, key);
        // The first payload of each value (a scan of the earlier payloads
        // for each one was quadratic: most of validating a 200-payload
        // profile).
        let mut first: HashMap<&str, usize> = HashMap::with_capacity(payloads.len());
        for p in payloads {
            let Some(value) = str_of(p.payload, key) else { continue };
            let earlier = *first.entry(value).or_insert(p.index);
            let clash = match earlier {
                q if q != p.index => Some(format!("PayloadContent[{q}]")),
                // A payload UUID equal to the profile's own.
                _ if key == "PayloadUUID" && own == Some(value) => Some("the profile".to_owned()),
                _ => None,
            };
            if let Some(other) = clash {
                report.push(
                    at(p.index, key),
                    Severity::Error,
                    Problem::Rule(format!("{key} `{value}` is also used by {other}; it must be unique {scope}")),
                );
            }
        }
    }
    // Payload types of which one copy can be installed. Only their
    // payloads are counted: whether a type is one depends on its file
    // alone, and a payload type's file is always its first file of that
    // name (hashing every payload's type was a third of this function's
    // hashing, counted by callgrind).
    let platform = target.platform;
    let mut first: HashMap<&str, usize> = HashMap::new();
    for p in payloads {
        let Some(file) = p.file else { continue };
        if file.on(platform).multiple != Some(false) || file.os[platform.index()] == 0 {
            continue;
        }
        let q = *first.entry(file.name).or_insert(p.index);
        if q != p.index {
            report.push(
                key_path(&[Step::Known("PayloadContent"), Step::Index(p.index)]),
                Severity::Error,
                Problem::Rule(format!(
                    "a second {} payload (the first is PayloadContent[{q}]); only one can be installed on {platform}",
                    file.name
                )),
            );
        }
    }
}

/// The rules of every declaration.
pub(crate) fn declaration<'t>(d: impl Node<'t>, _target: &Target, report: &mut Report) {
    for key in ["Identifier", "ServerToken"] {
        if let Some(v) = str_of(d, key)
            && v.len() > 64
        {
            report.push(
                key_path(&[Step::Known(key)]),
                Severity::Warning,
                Problem::Rule(format!("{key} is {} octets; Apple: it should not exceed 64 octets", v.len())),
            );
        }
    }
}
