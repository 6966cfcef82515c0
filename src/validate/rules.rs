//! Rules Apple states only in the prose of the schema (`content:` text),
//! checked by hand. Each rule quotes where it comes from.
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
//! | Settings | `UserSessionTimeout`, `TemporarySessionTimeout`: 0 or at least 30 |

use plist::{Dictionary, Value};

use super::{Problem, Report, Severity};
use crate::availability::{Platform, Target};
use crate::value::KeyPath;

fn truthy(d: &Dictionary, key: &str) -> bool {
    d.get(key).and_then(Value::as_boolean) == Some(true)
}

fn has(d: &Dictionary, key: &str) -> bool {
    d.contains_key(key)
}

fn str_of<'a>(d: &'a Dictionary, key: &str) -> Option<&'a str> {
    d.get(key).and_then(Value::as_string)
}

struct Ctx<'a> {
    report: &'a mut Report,
}

impl Ctx<'_> {
    fn error(&mut self, path: &str, rule: &str) {
        self.report.push(&KeyPath::parse(path), Severity::Error, Problem::Rule(rule.to_owned()));
    }
    fn warn(&mut self, path: &str, rule: &str) {
        self.report.push(&KeyPath::parse(path), Severity::Warning, Problem::Rule(rule.to_owned()));
    }
}

/// Runs the prose rules of one command.
pub fn check(request_type: &str, d: &Dictionary, target: &Target, report: &mut Report) {
    let mut c = Ctx { report };
    match request_type {
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
            let unlock = d.get("FileVaultUnlock").and_then(Value::as_dictionary);
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
            let updates = d.get("Updates").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
            for (i, u) in updates.iter().enumerate() {
                let Some(u) = u.as_dictionary() else { continue };
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
            if let Some(nonce) = d.get("DeviceAttestationNonce").and_then(Value::as_data) {
                if nonce.len() > 32 {
                    c.error("DeviceAttestationNonce", "DeviceAttestationNonce is at most 32 bytes");
                }
                let queries = d.get("Queries").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
                if !queries.iter().any(|q| q.as_string() == Some("DevicePropertiesAttestation")) {
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
            let admins = d.get("AutoSetupAdminAccounts").and_then(Value::as_array).is_some_and(|a| !a.is_empty());
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
            if let Some(rts) = d.get("ReturnToService").and_then(Value::as_dictionary)
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
        "Settings" => {
            let items = d.get("Settings").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
            for (i, item) in items.iter().enumerate() {
                let Some(item) = item.as_dictionary() else { continue };
                for key in ["UserSessionTimeout", "TemporarySessionTimeout"] {
                    if let Some(v) = item.get(key).and_then(Value::as_signed_integer)
                        && v != 0
                        && v < 30
                    {
                        c.error(
                            &format!("Settings[{i}].{key}"),
                            &format!("{key} is 0 (no timeout) or at least 30 seconds"),
                        );
                    }
                }
            }
        }
        _ => {}
    }
}

fn install(d: &Dictionary, target: &Target, c: &mut Ctx<'_>) {
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
        let flags = d.get("ManagementFlags").and_then(Value::as_signed_integer).unwrap_or(0);
        if flags & 1 != 0 {
            c.error("ManagementFlags", "ManagementFlags bit 1 only takes effect with InstallAsManaged true");
        }
        if str_of(d, "ChangeManagementState") == Some("Managed") {
            c.error("ChangeManagementState", "ChangeManagementState Managed requires InstallAsManaged true");
        }
    }
}

fn six_digit_pin(d: &Dictionary, target: &Target, c: &mut Ctx<'_>) {
    // The PIN is the Find My PIN of Macs: six characters.
    if target.platform == Platform::MacOS
        && let Some(pin) = str_of(d, "PIN")
        && (pin.len() != 6 || !pin.bytes().all(|b| b.is_ascii_digit()))
    {
        c.error("PIN", "PIN is six digits");
    }
}
