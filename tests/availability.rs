//! Availability answers for real cases of the schema, each exact.

use apple_device_management::availability::{
    Channel, Enrollment, NotInSchema, Platform, Support, Target, Unsupported, command_schema, command_support,
    request_key_support, response_key_support,
};
use apple_device_management::commands::{InstallApplication, InstallEnterpriseApplication};
use apple_device_management::{OsVersion, Request};

fn v(s: &str) -> OsVersion {
    s.parse().unwrap()
}

fn mac(version: &str) -> Target {
    Target::new(Platform::MacOS, v(version))
}

fn ios(version: &str) -> Target {
    Target::new(Platform::IOS, v(version))
}

fn reason(s: Support) -> Unsupported {
    s.unsupported().cloned().unwrap_or_else(|| panic!("expected unsupported, got {s:?}"))
}

const SUPPORTED: Support = Support::Supported { deprecated: None, ignored: false };

#[test]
fn install_enterprise_application_is_macos_10_13_6_device_channel_only() {
    let rt = "InstallEnterpriseApplication";
    assert_eq!(command_support(rt, &mac("10.13.6")).unwrap(), SUPPORTED);
    assert_eq!(command_support(rt, &mac("15.1")).unwrap(), SUPPORTED);
    assert_eq!(reason(command_support(rt, &mac("10.13.5")).unwrap()), Unsupported::IntroducedLater(v("10.13.6")));
    assert_eq!(reason(command_support(rt, &ios("18.1")).unwrap()), Unsupported::NotAvailable(Platform::IOS));
    let user = mac("14.0").with_channel(Channel::User);
    assert_eq!(reason(command_support(rt, &user).unwrap()), Unsupported::Channel(Channel::User));
    // The typed API answers the same.
    assert_eq!(InstallEnterpriseApplication::schema().support(&mac("10.13.6")), SUPPORTED);
}

#[test]
fn install_application_attributes_are_unavailable_on_macos() {
    let rt = "InstallApplication";
    assert!(command_support(rt, &mac("14.0")).unwrap().is_supported());
    for key in [
        "Attributes",
        "Attributes.VPNUUID",
        "Attributes.Removable",
        "Attributes.Hideable",
        "Attributes.AssociatedDomains",
    ] {
        assert_eq!(
            reason(request_key_support(rt, key, &mac("14.0")).unwrap()),
            Unsupported::NotAvailable(Platform::MacOS),
            "{key}"
        );
    }
    // ...but available on iOS.
    assert!(request_key_support(rt, "Attributes.VPNUUID", &ios("17.0")).unwrap().is_supported());
    // Keys usable on macOS 14 include no Attributes key.
    let usable = InstallApplication::schema().usable_request_keys(&mac("14.0"));
    assert!(usable.iter().all(|k| !k.starts_with("Attributes")), "{usable:?}");
    assert!(usable.contains(&"InstallAsManaged".to_owned()));
    assert!(usable.contains(&"Options.PurchaseMethod".to_owned()));
}

#[test]
fn management_flags_on_macos() {
    let rt = "InstallApplication";
    let ue = mac("14.0").with_enrollment(Enrollment::User);
    assert_eq!(
        reason(request_key_support(rt, "ManagementFlags", &ue).unwrap()),
        Unsupported::ForbiddenUnderUserEnrollment
    );
    assert_eq!(
        reason(request_key_support(rt, "ManagementFlags", &mac("10.15")).unwrap()),
        Unsupported::IntroducedLater(v("11.0"))
    );
    assert_eq!(request_key_support(rt, "ManagementFlags", &mac("11.0")).unwrap(), SUPPORTED);
}

#[test]
fn managed_application_list_is_validated_is_not_sent_by_macos() {
    let rt = "ManagedApplicationList";
    // All three spellings of the path reach the same key.
    for path in [
        "ManagedApplicationList.IsValidated",
        "ManagedApplicationList.*.IsValidated",
        "ManagedApplicationList[\"ANY app identifier\"].IsValidated",
    ] {
        assert_eq!(
            reason(response_key_support(rt, path, &mac("14.0")).unwrap()),
            Unsupported::NotAvailable(Platform::MacOS),
            "{path}"
        );
        assert!(response_key_support(rt, path, &ios("17.0")).unwrap().is_supported(), "{path}");
    }
    assert!(response_key_support(rt, "ManagedApplicationList.Status", &mac("14.0")).unwrap().is_supported());
}

#[test]
fn attributes_hideable_needs_ios_18_1() {
    let rt = "InstallApplication";
    assert_eq!(
        reason(request_key_support(rt, "Attributes.Hideable", &ios("18.0")).unwrap()),
        Unsupported::IntroducedLater(v("18.1"))
    );
    assert_eq!(request_key_support(rt, "Attributes.Hideable", &ios("18.1")).unwrap(), SUPPORTED);
}

#[test]
fn supervision_ade_and_shared_ipad() {
    // AccountConfiguration: macOS, ADE only.
    let t = mac("14.0");
    assert_eq!(reason(command_support("AccountConfiguration", &t).unwrap()), Unsupported::NeedsAutomatedEnrollment);
    assert!(command_support("AccountConfiguration", &t.with_enrollment(Enrollment::Automated)).unwrap().is_supported());
    // Settings > Wallpaper needs supervision on iOS.
    let path = "Settings[Wallpaper].Image";
    assert_eq!(reason(request_key_support("Settings", path, &ios("17.0")).unwrap()), Unsupported::NeedsSupervision);
    assert!(request_key_support("Settings", path, &ios("17.0").supervised(true)).unwrap().is_supported());
}

#[test]
fn unknown_names_are_errors() {
    assert_eq!(
        command_support("NoSuchCommand", &mac("14.0")).unwrap_err(),
        NotInSchema::RequestType("NoSuchCommand".into())
    );
    assert!(matches!(
        request_key_support("InstallApplication", "NoSuchKey", &mac("14.0")).unwrap_err(),
        NotInSchema::Key { .. }
    ));
    assert!(command_schema("InstallApplication").is_some());
}

#[test]
fn device_information_queries_have_their_own_availability() {
    use apple_device_management::commands::device_information::Query;
    let rt = "DeviceInformation";
    // ProvisioningUDID is a macOS query (11.3+); UDID exists everywhere.
    assert_eq!(
        reason(request_key_support(rt, "Queries.ProvisioningUDID", &ios("17.0")).unwrap()),
        Unsupported::NotAvailable(Platform::IOS)
    );
    assert!(request_key_support(rt, "Queries.ProvisioningUDID", &mac("14.0")).unwrap().is_supported());
    assert!(request_key_support(rt, "Queries.UDID", &ios("17.0")).unwrap().is_supported());
    // The enum lists every allowed query, and keeps unknown ones.
    assert!(Query::VALUES.len() >= 85, "{}", Query::VALUES.len());
    assert_eq!(Query::from("ProvisioningUDID").as_str(), "ProvisioningUDID");
    assert!(!Query::from("FavoriteColor").is_known());
}
