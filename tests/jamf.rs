//! Jamf Pro deploy-package: the JSON on the wire, validation, and the MDM
//! command it becomes.

#![cfg(feature = "jamf")]

use apple_device_management::jamf::{
    DeployPackageBuilder, DeployPackageRequest, DeployPackageResponse, HashType, JamfId, PackageManifest,
    ValidationError,
};
use apple_device_management::other::ManifestUrl;

/// The manifest of Jamf's documentation.
fn documented() -> PackageManifest {
    let mut m = PackageManifest::new(
        "https://bucket.example.com/MyGreatInstaller.pkg",
        "75c9ed772b6c31e705597014983a276b",
        HashType::Md5,
        "com.company.MyGreatInstaller",
        "2.0.1",
        "MyGreatInstaller",
        20582383,
    );
    m.display_image_url = Some("https://example.com/img/display.jpg".into());
    m.full_size_image_url = Some("https://example.com/img/full.jpg".into());
    m.subtitle = Some("Subtitle".into());
    m
}

const MANIFEST_JSON: &str = r#"{"url":"https://bucket.example.com/MyGreatInstaller.pkg","hash":"75c9ed772b6c31e705597014983a276b","hashType":"MD5","displayImageUrl":"https://example.com/img/display.jpg","fullSizeImageUrl":"https://example.com/img/full.jpg","bundleId":"com.company.MyGreatInstaller","bundleVersion":"2.0.1","subtitle":"Subtitle","title":"MyGreatInstaller","sizeInBytes":20582383}"#;

#[test]
fn request_for_devices_serialises_exactly() {
    let r =
        DeployPackageRequest::builder(documented()).install_as_managed(false).devices([102, 103, 104]).build().unwrap();
    assert_eq!(
        serde_json::to_string(&r).unwrap(),
        format!(r#"{{"manifest":{MANIFEST_JSON},"installAsManaged":false,"devices":[102,103,104]}}"#)
    );
}

#[test]
fn request_for_a_group_serialises_exactly() {
    let r = DeployPackageRequest::builder(documented()).group("37").build().unwrap();
    assert_eq!(serde_json::to_string(&r).unwrap(), format!(r#"{{"manifest":{MANIFEST_JSON},"groupId":"37"}}"#));
    // Optional fields are left out, never null.
    let minimal = PackageManifest::new("https://a.example/x.pkg", "a".repeat(64), HashType::Sha256, "x", "1", "Xy", 1);
    let r = DeployPackageRequest::builder(minimal).group("1").build().unwrap();
    let json = serde_json::to_string(&r).unwrap();
    assert!(
        !json.contains("null") && !json.contains("displayImageUrl") && !json.contains("installAsManaged"),
        "{json}"
    );
    assert!(json.contains(r#""hashType":"SHA256""#));
    // And it reads back.
    assert_eq!(serde_json::from_str::<DeployPackageRequest>(&json).unwrap(), r);
}

#[test]
fn hash_type_spelling() {
    for (given, wanted) in [("md5", "MD5"), ("sha256", "SHA256"), ("SHA_256", "SHA256"), ("Sha-256", "SHA256")] {
        let err = given.parse::<HashType>().unwrap_err();
        assert_eq!(err.wanted, wanted, "{given}");
        assert_eq!(err.to_string(), format!("hashType `{given}` is not accepted by deploy-package; use `{wanted}`"));
        let json = MANIFEST_JSON.replace(r#""hashType":"MD5""#, &format!(r#""hashType":"{given}""#));
        let e = serde_json::from_str::<PackageManifest>(&json).unwrap_err().to_string();
        assert!(e.contains(&format!("use `{wanted}`")), "{e}");
    }
    assert_eq!("MD5".parse::<HashType>().unwrap(), HashType::Md5);
    assert_eq!("SHA256".parse::<HashType>().unwrap(), HashType::Sha256);
}

#[test]
fn documented_response_and_one_with_errors() {
    let ok: DeployPackageResponse = serde_json::from_str(
        r#"{"queuedCommands":[{"device":67,"commandUuid":"c30d945d-23ff-4d6d-be25-295af24d9a92"}],"errors":[]}"#,
    )
    .unwrap();
    assert_eq!(ok.queued_commands.len(), 1);
    assert_eq!(ok.queued_commands[0].device, 67);
    assert_eq!(ok.queued_commands[0].command_uuid, "c30d945d-23ff-4d6d-be25-295af24d9a92");
    assert!(ok.errors.is_empty());

    let json = r#"{"queuedCommands":[{"device":1,"commandUuid":"a1"}],"errors":[{"device":2,"group":3,"reason":"Device is not managed"},{"group":"37","reason":"Group not found","code":"NOT_FOUND"}],"requestId":"r-9"}"#;
    let r: DeployPackageResponse = serde_json::from_str(json).unwrap();
    assert_eq!(r.errors.len(), 2);
    assert_eq!(r.errors[0].device, Some(JamfId::Number(2)));
    assert_eq!(r.errors[0].group, Some(JamfId::Number(3)));
    assert_eq!(r.errors[0].reason.as_deref(), Some("Device is not managed"));
    assert_eq!(r.errors[1].device, None);
    assert_eq!(r.errors[1].group, Some(JamfId::Text("37".into())));
    assert_eq!(r.errors[1].extra.get("code").and_then(|v| v.as_str()), Some("NOT_FOUND"));
    assert_eq!(r.extra.get("requestId").and_then(|v| v.as_str()), Some("r-9"));
    // Unknown fields survive a round trip.
    let back: serde_json::Value = serde_json::to_value(&r).unwrap();
    assert_eq!(back, serde_json::from_str::<serde_json::Value>(json).unwrap());
}

fn invalid(edit: impl FnOnce(&mut PackageManifest)) -> ValidationError {
    let mut m = documented();
    edit(&mut m);
    DeployPackageRequest::builder(m).devices([1]).build().unwrap_err()
}

#[test]
fn url_not_https() {
    let e = invalid(|m| m.url = "http://bucket.example.com/x.pkg".into());
    assert_eq!(e, ValidationError::NotHttps { field: "url", scheme: "http".into() });
}

#[test]
fn url_with_credentials() {
    let e = invalid(|m| m.url = "https://user:pass@bucket.example.com/x.pkg".into());
    assert_eq!(e, ValidationError::UrlCredentials { field: "url" });
    let e = invalid(|m| m.url = "https://user@bucket.example.com/x.pkg".into());
    assert_eq!(e, ValidationError::UrlCredentials { field: "url" });
}

#[test]
fn url_that_does_not_parse() {
    for bad in ["not a url", "https://", "https:///x.pkg", "https://host/a b.pkg", "://host/x"] {
        assert!(matches!(invalid(|m| m.url = bad.into()), ValidationError::BadUrl { field: "url", .. }), "{bad}");
    }
    // Ports, queries and IPv6 hosts are fine; a bare `@` in the path is not a credential.
    for good in ["https://cdn.example.com:8443/x.pkg?sig=a@b", "https://[::1]/x.pkg", "HTTPS://cdn.example.com/x.pkg"] {
        let mut m = documented();
        m.url = good.into();
        assert!(DeployPackageRequest::builder(m).devices([1]).build().is_ok(), "{good}");
    }
}

#[test]
fn hash_not_hex() {
    let e = invalid(|m| m.hash = "75c9ed772b6c31e705597014983a276z".into());
    assert_eq!(e, ValidationError::HashNotHex("75c9ed772b6c31e705597014983a276z".into()));
}

#[test]
fn hash_of_the_wrong_length() {
    let e = invalid(|m| m.hash_type = HashType::Sha256);
    assert_eq!(e, ValidationError::HashLength { hash_type: HashType::Sha256, expected: 64, found: 32 });
    assert_eq!(e.to_string(), "a SHA256 hash has 64 hex digits, this one has 32");
}

#[test]
fn empty_bundle_id_and_version() {
    assert_eq!(invalid(|m| m.bundle_id = " ".into()), ValidationError::EmptyBundleId);
    assert_eq!(invalid(|m| m.bundle_version = String::new()), ValidationError::EmptyBundleVersion);
}

#[test]
fn zero_size() {
    assert_eq!(invalid(|m| m.size_in_bytes = 0), ValidationError::ZeroSize);
}

#[test]
fn image_urls_not_https() {
    let e = invalid(|m| m.display_image_url = Some("http://example.com/i.png".into()));
    assert_eq!(e, ValidationError::NotHttps { field: "displayImageUrl", scheme: "http".into() });
    let e = invalid(|m| m.full_size_image_url = Some("ftp://example.com/i.png".into()));
    assert_eq!(e, ValidationError::NotHttps { field: "fullSizeImageUrl", scheme: "ftp".into() });
}

#[test]
fn no_targets() {
    assert_eq!(DeployPackageRequest::builder(documented()).build().unwrap_err(), ValidationError::NoTargets);
}

#[test]
fn targets_that_name_nothing() {
    let request = |edit: fn(DeployPackageBuilder) -> DeployPackageBuilder| {
        edit(DeployPackageRequest::builder(documented())).build().unwrap_err()
    };
    assert_eq!(request(|b| b.group("")), ValidationError::BadGroupId(String::new()));
    assert_eq!(request(|b| b.group(" 37")), ValidationError::BadGroupId(" 37".into()));
    assert_eq!(request(|b| b.group("0")), ValidationError::BadGroupId("0".into()));
    assert_eq!(request(|b| b.group("all")), ValidationError::BadGroupId("all".into()));
    assert_eq!(request(|b| b.devices([0])), ValidationError::BadDeviceId(0));
    assert_eq!(request(|b| b.devices([5, -3])), ValidationError::BadDeviceId(-3));
    assert_eq!(
        request(|b| b.group("")).to_string(),
        "groupId `` is not a Jamf group id (a positive integer, e.g. \"37\")"
    );
    assert!(DeployPackageRequest::builder(documented()).group("9").devices([1]).build().is_ok());
}

#[test]
fn titles_apple_would_refuse() {
    assert_eq!(invalid(|m| m.title = String::new()), ValidationError::TitleTooShort(String::new()));
    assert_eq!(invalid(|m| m.title = " x ".into()), ValidationError::TitleTooShort(" x ".into()));
    assert_eq!(invalid(|m| m.subtitle = Some(" ".into())), ValidationError::EmptySubtitle);
    assert_eq!(
        invalid(|m| m.title = "A".into()).to_string(),
        "title `A` is too short: Apple requires more than one character"
    );
}

#[test]
fn responses_with_null_lists_and_string_device_ids() {
    let r: DeployPackageResponse =
        serde_json::from_str(r#"{"queuedCommands":[{"device":"67","commandUuid":"u1"}],"errors":null}"#).unwrap();
    assert_eq!(r.queued_commands[0].device, JamfId::Text("67".into()));
    assert_eq!(r.queued_commands[0].device.as_i64(), Some(67));
    assert_eq!(r.queued_commands[0].device, 67);
    assert!(r.errors.is_empty());
    let r: DeployPackageResponse = serde_json::from_str(r#"{"queuedCommands":null}"#).unwrap();
    assert!(r.queued_commands.is_empty() && r.errors.is_empty());
    // A null list is read as empty and written as empty.
    assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"queuedCommands":[],"errors":[]}"#);
}

#[test]
fn duplicate_devices() {
    let e = DeployPackageRequest::builder(documented()).devices([102, 103]).devices([103]).build().unwrap_err();
    assert_eq!(e, ValidationError::DuplicateDevice(103));
}

#[test]
fn maps_onto_install_enterprise_application() {
    let r = DeployPackageRequest::builder(documented()).install_as_managed(true).group("37").build().unwrap();
    let cmd = r.to_mdm_command("4D2A5E8F-6B4A-4C59-B2E3-E8C5B1D7A10F");
    assert_eq!(cmd.command.install_as_managed, Some(true));
    // The Manifest is a ManifestURL document: decode it with the generated type.
    let manifest_dict = cmd.command.manifest.clone().unwrap();
    let m: ManifestUrl = plist::from_value(&plist::Value::Dictionary(manifest_dict)).unwrap();
    let item = &m.items[0];
    let pkg = &item.assets[0];
    assert_eq!(pkg.kind.as_str(), "software-package");
    assert_eq!(pkg.url, "https://bucket.example.com/MyGreatInstaller.pkg");
    assert_eq!(pkg.md5s.as_deref(), Some(&["75c9ed772b6c31e705597014983a276b".to_owned()][..]));
    assert_eq!(pkg.md5_size, Some(20582383));
    assert_eq!(pkg.sha256s, None);
    assert_eq!(item.assets[1].kind.as_str(), "display-image");
    assert_eq!(item.assets[2].kind.as_str(), "full-size-image");
    assert_eq!(item.metadata.bundle_identifier, "com.company.MyGreatInstaller");
    assert_eq!(item.metadata.bundle_version.as_deref(), Some("2.0.1"));
    assert_eq!(item.metadata.kind.as_str(), "software");
    assert_eq!(item.metadata.title, "MyGreatInstaller");
    assert_eq!(item.metadata.subtitle.as_deref(), Some("Subtitle"));
    assert_eq!(item.metadata.size_in_bytes, Some(20582383));
    // The command is valid for a Mac and encodes as the device expects.
    let target =
        apple_device_management::Target::new(apple_device_management::Platform::MacOS, "14.0".parse().unwrap());
    assert!(cmd.validate(&target).issues.is_empty(), "{}", cmd.validate(&target));
    let xml = apple_device_management::to_plist_xml(&cmd).unwrap();
    assert!(xml.contains("<string>InstallEnterpriseApplication</string>"));
    assert!(xml.contains("<key>md5-size</key>"));
}
