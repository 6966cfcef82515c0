//! Validation of typed and untyped commands against the schema.

use apple_device_management::availability::{Enrollment, Platform, Target, Unsupported};
use apple_device_management::commands::install_application::{Attributes, Options, PurchaseMethod};
use apple_device_management::commands::{AnyRequest, InstallApplication};
use apple_device_management::validate::{self, Issue, Problem, Severity, Validate};
use apple_device_management::{Command, KeyPath, ManagementFlags, OsVersion, ValueKind};

fn v(s: &str) -> OsVersion {
    s.parse().unwrap()
}

fn paths(issues: &[Issue]) -> Vec<String> {
    issues.iter().map(|i| i.path.to_string()).collect()
}

fn cmd(xml_body: &str) -> plist::Value {
    let xml = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><plist version=\"1.0\">{xml_body}</plist>");
    plist::Value::from_reader_xml(xml.as_bytes()).unwrap()
}

#[test]
fn four_distinct_problems_are_reported_exactly() {
    // An InstallApplication for macOS 10.15 under user enrollment with:
    // 1. Attributes (n/a on macOS),
    // 2. ManagementFlags (introduced in macOS 11),
    // 3. a PurchaseMethod outside its rangelist,
    // 4. a ManifestURL that is not https (a prose rule).
    let app = InstallApplication {
        attributes: Some(Attributes { removable: Some(false), ..Default::default() }),
        management_flags: Some(ManagementFlags::PREVENT_DATA_BACKUP),
        options: Some(Options { purchase_method: Some(PurchaseMethod::Unrecognized(7)), ..Default::default() }),
        manifest_url: Some("http://example.com/app.plist".into()),
        ..Default::default()
    };
    let target = Target::new(Platform::MacOS, v("10.15")).with_enrollment(Enrollment::User);
    let report = Command::new("c", app).validate(&target);
    assert_eq!(report.issues.len(), 4, "{report}");
    let mut issues = report.issues.clone();
    issues.sort_by_key(|i| i.path.to_string());
    assert_eq!(paths(&issues), ["Attributes", "ManagementFlags", "ManifestURL", "Options.PurchaseMethod"]);
    assert_eq!(issues[0].problem, Problem::KeyNotSupported(Unsupported::NotAvailable(Platform::MacOS)));
    assert_eq!(issues[1].problem, Problem::KeyNotSupported(Unsupported::IntroducedLater(v("11.0"))));
    assert_eq!(issues[2].problem, Problem::Rule("ManifestURL must begin with https:".into()));
    assert!(matches!(&issues[3].problem, Problem::NotInRangelist { value, .. } if value == "7"));
    assert!(issues.iter().all(|i| i.severity == Severity::Error));
    assert!(!report.is_ok());
}

#[test]
fn a_valid_command_has_no_issue() {
    let app = InstallApplication {
        itunes_store_id: Some(361309726),
        management_flags: Some(ManagementFlags::REMOVE_APP_WITH_MDM_PROFILE),
        install_as_managed: Some(true),
        ..Default::default()
    };
    let report = app.validate(&Target::new(Platform::MacOS, v("14.0")));
    assert!(report.issues.is_empty(), "{report}");
    // On iOS, InstallAsManaged does not exist.
    let report = app.validate(&Target::new(Platform::IOS, v("17.0")));
    assert_eq!(paths(&report.issues), ["InstallAsManaged"]);
}

#[test]
fn untyped_commands_by_request_type() {
    // An integer where a boolean belongs is an error.
    let value = cmd("<dict><key>CommandUUID</key><string>x</string><key>Command</key><dict>\
         <key>RequestType</key><string>InstallApplication</string>\
         <key>InstallAsManaged</key><integer>1</integer>\
         <key>NewKeyFromTheFuture</key><true/>\
         </dict></dict>");
    let report = validate::command(&value, &Target::new(Platform::MacOS, v("14.0")));
    assert_eq!(report.issues.len(), 2, "{report}");
    assert_eq!(report.issues[0].path, KeyPath::parse("InstallAsManaged"));
    assert_eq!(
        report.issues[0].problem,
        Problem::WrongType { expected: ValueKind::Boolean, found: ValueKind::Integer }
    );
    assert_eq!(report.issues[1].path, KeyPath::parse("NewKeyFromTheFuture"));
    assert_eq!((report.issues[1].severity, &report.issues[1].problem), (Severity::Warning, &Problem::UnknownKey));
    // No or an unknown RequestType.
    let report = validate::command(
        &cmd("<dict><key>Foo</key><string>x</string></dict>"),
        &Target::new(Platform::IOS, v("17.0")),
    );
    assert_eq!(report.issues[0].problem, Problem::UnknownType { key: "RequestType", value: None });
    // A command the target does not support.
    let report = validate::command(
        &cmd("<dict><key>RequestType</key><string>InstallEnterpriseApplication</string></dict>"),
        &Target::new(Platform::IOS, v("17.0")),
    );
    assert_eq!(
        report.issues[0].problem,
        Problem::NotSupported { what: "command", why: Unsupported::NotAvailable(Platform::IOS) }
    );
}

#[test]
fn required_keys_missing_on_the_target() {
    let value = cmd("<dict><key>RequestType</key><string>Settings</string></dict>");
    let report = validate::command(&value, &Target::new(Platform::IOS, v("17.0")));
    assert_eq!(paths(&report.issues), ["Settings"]);
    assert_eq!(report.issues[0].problem, Problem::MissingRequired);
    // Inside a union element: Wallpaper needs Image and Where, and supervision.
    let value = cmd("<dict><key>RequestType</key><string>Settings</string><key>Settings</key><array>\
         <dict><key>Item</key><string>Wallpaper</string><key>Where</key><integer>9</integer></dict>\
         </array></dict>");
    let report = validate::command(&value, &Target::new(Platform::IOS, v("17.0")).supervised(true));
    let mut got: Vec<String> = report.issues.iter().map(|i| format!("{}: {}", i.path, i.problem)).collect();
    got.sort();
    assert_eq!(got, ["Settings[0].Image: required key missing", "Settings[0].Where: `9` is not one of: 1, 2, 3"]);
    let report = validate::command(&value, &Target::new(Platform::IOS, v("17.0")));
    assert_eq!(report.issues[0].problem, Problem::KeyNotSupported(Unsupported::NeedsSupervision));
}

#[test]
fn queries_are_checked_one_by_one() {
    let value = cmd("<dict><key>RequestType</key><string>DeviceInformation</string><key>Queries</key><array>\
         <string>UDID</string><string>ProvisioningUDID</string><string>FavoriteColor</string></array></dict>");
    let report = validate::command(&value, &Target::new(Platform::IOS, v("17.0")));
    let got: Vec<String> = report.issues.iter().map(|i| format!("{}: {}", i.path, i.problem)).collect();
    assert_eq!(
        got,
        ["Queries[1]: key not available on iOS (n/a)", "Queries[2]: `FavoriteColor` is not a value the schema lists"]
    );
}

#[test]
fn prose_rules() {
    let check = |body: &str, target: Target| -> Vec<String> {
        validate::command(&cmd(&format!("<dict>{body}</dict>")), &target)
            .issues
            .iter()
            .filter(|i| matches!(i.problem, Problem::Rule(_) | Problem::NotSupported { .. }))
            .map(|i| format!("{}: {}", i.path, i.problem))
            .collect()
    };
    let mac = || Target::new(Platform::MacOS, v("14.0"));
    let ios = || Target::new(Platform::IOS, v("17.0"));
    assert_eq!(
        check(
            "<key>RequestType</key><string>InstallApplication</string><key>ManagementFlags</key><integer>1</integer>\
             <key>ChangeManagementState</key><string>Managed</string>",
            mac()
        ),
        [
            "ManagementFlags: ManagementFlags bit 1 only takes effect with InstallAsManaged true",
            "ChangeManagementState: ChangeManagementState Managed requires InstallAsManaged true"
        ]
    );
    assert_eq!(
        check("<key>RequestType</key><string>InstallEnterpriseApplication</string>", mac()),
        ["(root): Manifest or ManifestURL is required"]
    );
    assert_eq!(
        check(
            "<key>RequestType</key><string>EnableLostMode</string><key>Footnote</key><string>x</string>",
            ios().supervised(true)
        ),
        ["(root): Message or PhoneNumber is required"]
    );
    assert!(
        check(
            "<key>RequestType</key><string>EnableLostMode</string><key>Message</key><string>x</string>",
            ios().supervised(true)
        )
        .is_empty()
    );
    assert_eq!(
        check("<key>RequestType</key><string>DeleteUser</string>", ios().shared_ipad(true)),
        ["UserName: UserName is required unless DeleteAllUsers is true"]
    );
    assert!(
        check(
            "<key>RequestType</key><string>DeleteUser</string><key>DeleteAllUsers</key><true/>",
            ios().shared_ipad(true)
        )
        .is_empty()
    );
    assert_eq!(
        check(
            "<key>RequestType</key><string>RotateFileVaultKey</string><key>KeyType</key><string>institutional</string>\
             <key>FileVaultUnlock</key><dict><key>PrivateKeyExport</key><data>AA==</data></dict>",
            mac()
        ),
        [
            "FileVaultUnlock: Password, or both PrivateKeyExport and PrivateKeyExportPassword, is required",
            "NewCertificate: KeyType institutional requires NewCertificate"
        ]
    );
    assert_eq!(
        check(
            "<key>RequestType</key><string>ScheduleOSUpdate</string><key>Updates</key><array><dict>\
             <key>InstallAction</key><string>InstallASAP</string><key>MaxUserDeferrals</key><integer>3</integer>\
             </dict></array>",
            mac().supervised(true)
        ),
        [
            "Updates[0].ProductVersion: ProductVersion is required when there is no ProductKey",
            "Updates[0].MaxUserDeferrals: MaxUserDeferrals only applies when InstallAction is InstallLater"
        ]
    );
    assert_eq!(
        check(
            "<key>RequestType</key><string>DeviceInformation</string><key>Queries</key><array><string>UDID</string></array>\
             <key>DeviceAttestationNonce</key><data>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</data>",
            ios()
        ),
        [
            "DeviceAttestationNonce: DeviceAttestationNonce is at most 32 bytes",
            "DeviceAttestationNonce: DeviceAttestationNonce requires the DevicePropertiesAttestation query"
        ]
    );
    assert_eq!(
        check("<key>RequestType</key><string>DeviceLock</string><key>PIN</key><string>12345</string>", mac()),
        ["PIN: PIN is six digits"]
    );
    assert_eq!(
        check(
            "<key>RequestType</key><string>AccountConfiguration</string><key>SkipPrimarySetupAccountCreation</key><true/>",
            mac().with_enrollment(Enrollment::Automated)
        ),
        ["SkipPrimarySetupAccountCreation: SkipPrimarySetupAccountCreation requires AutoSetupAdminAccounts"]
    );
    assert_eq!(
        check(
            "<key>RequestType</key><string>EraseDevice</string><key>ReturnToService</key><dict>\
             <key>Enabled</key><true/></dict>",
            ios()
        ),
        [
            "ReturnToService.MDMProfileData: MDMProfileData is required on unsupervised devices",
            "ReturnToService.WiFiProfileData: WiFiProfileData is required when the device has no ethernet"
        ]
    );
}

/// Settings' session timeouts are 0 or at least 30 seconds, which Apple
/// says only in prose; the tables carry it as a list and a range
/// (codegen/src/overrides.rs, `RANGES`), checked where the key is found,
/// on a typed command as on its plist.
#[test]
fn ranges_stated_in_prose_are_checked_as_ranges() {
    let items: String = [("UserSessionTimeout", 10), ("UserSessionTimeout", 0), ("TemporarySessionTimeout", 30)]
        .iter()
        .chain(&[("TemporarySessionTimeout", 29), ("UserSessionTimeout", -1), ("UserSessionTimeout", 86_400)])
        .map(|(key, v)| {
            format!(
                "<dict><key>Item</key><string>SharedDeviceConfiguration</string><key>{key}</key><integer>{v}</integer></dict>"
            )
        })
        .collect();
    let value = cmd(&format!(
        "<dict><key>RequestType</key><string>Settings</string><key>Settings</key><array>{items}</array></dict>"
    ));
    let ipad = Target::new(Platform::IOS, v("17.0")).shared_ipad(true);
    let report = validate::command(&value, &ipad);
    let got: Vec<String> = report.issues.iter().map(|i| format!("{}: {}", i.path, i.problem)).collect();
    assert_eq!(
        got,
        [
            "Settings[0].UserSessionTimeout: `10` is neither one of: 0 nor within 30..=",
            "Settings[3].TemporarySessionTimeout: `29` is neither one of: 0 nor within 30..=",
            "Settings[4].UserSessionTimeout: `-1` is neither one of: 0 nor within 30..=",
        ]
    );
    assert!(report.issues.iter().all(|i| i.severity == Severity::Error));
    // The typed command reads the same.
    let typed: Command<AnyRequest> = apple_device_management::from_plist(&{
        let mut xml = Vec::new();
        plist::Value::Dictionary(
            [("CommandUUID".to_owned(), plist::Value::from("u")), ("Command".to_owned(), value.clone())]
                .into_iter()
                .collect(),
        )
        .to_writer_xml(&mut xml)
        .unwrap();
        xml
    })
    .unwrap();
    assert_eq!(typed.validate(&ipad).issues, report.issues);
}

#[test]
fn any_request_validates_like_its_variant() {
    let app = InstallApplication { manifest_url: Some("ftp://x".into()), ..Default::default() };
    let any = AnyRequest::InstallApplication(app.clone());
    let t = Target::new(Platform::IOS, v("17.0"));
    assert_eq!(any.validate(&t), app.validate(&t));
    assert_eq!(app.validate(&t).issues.len(), 1);
}

/// A listed value that is deprecated on the target is a warning, as a key
/// is (`IMEI` is `deprecated: '16.0'` among DeviceInformation's queries).
#[test]
fn deprecated_query_values_are_warned_about() {
    let body = "<dict><key>RequestType</key><string>DeviceInformation</string>\
                <key>Queries</key><array><string>IMEI</string><string>UDID</string></array></dict>";
    let report = validate::command(&cmd(body), &Target::new(Platform::IOS, v("17.0")));
    assert_eq!(report.issues.len(), 1, "{report}");
    assert_eq!(report.issues[0].path.to_string(), "Queries[0]");
    assert_eq!(report.issues[0].severity, Severity::Warning);
    assert_eq!(report.issues[0].problem, Problem::Deprecated(v("16.0")));
    // Before 16.0 it is not deprecated.
    let report = validate::command(&cmd(body), &Target::new(Platform::IOS, v("15.0")));
    assert!(report.issues.is_empty(), "{report}");
}

/// Prose rules speak only of keys the target supports: on macOS,
/// ReturnToService does not exist, which is the one error.
#[test]
fn prose_rules_skip_keys_the_target_does_not_have() {
    let body = "<dict><key>RequestType</key><string>EraseDevice</string>\
                <key>ReturnToService</key><dict><key>Enabled</key><true/></dict></dict>";
    let report = validate::command(&cmd(body), &Target::new(Platform::MacOS, v("14.0")));
    assert_eq!(report.to_string(), "error: ReturnToService: key not available on macOS (n/a)\n", "{report}");
    // On an unsupervised iPhone the rules apply.
    let report = validate::command(&cmd(body), &Target::new(Platform::IOS, v("17.0")));
    let got: Vec<String> = report.issues.iter().map(ToString::to_string).collect();
    assert!(
        got.contains(
            &"error: ReturnToService.MDMProfileData: MDMProfileData is required on unsupervised devices".to_owned()
        ),
        "{got:?}"
    );
}

/// A value of a kind, for documents built from the schema.
fn sample(kind: ValueKind) -> plist::Value {
    match kind {
        ValueKind::Integer => 1.into(),
        ValueKind::Real => 1.5.into(),
        ValueKind::Boolean => true.into(),
        ValueKind::Date => plist::Value::Date(std::time::SystemTime::UNIX_EPOCH.into()),
        ValueKind::Data => plist::Value::Data(vec![1]),
        ValueKind::Array => plist::Value::Array(Vec::new()),
        ValueKind::Dictionary => plist::Value::Dictionary(plist::Dictionary::new()),
        _ => "x".into(),
    }
}

/// The top-level keys a report says are missing.
fn missing_at_top(report: &validate::Report) -> Vec<String> {
    report
        .issues
        .iter()
        .filter(|i| i.problem == Problem::MissingRequired && i.path.segments().len() == 1)
        .map(|i| i.path.to_string())
        .collect()
}

/// For every command a target supports: with every required top-level key
/// present, none is reported missing; with one taken out, exactly that one
/// is, when the target supports it. (The walk remembers which keys it
/// found; this checks that memory against every command's table.)
#[test]
fn exactly_the_required_keys_taken_out_are_reported_missing() {
    use apple_device_management::availability::{self, Presence};
    let targets = [
        Target::new(Platform::IOS, v("18.0")).supervised(true),
        Target::new(Platform::MacOS, v("15.0")),
        Target::new(Platform::TvOS, v("18.0")),
    ];
    let mut checked = 0;
    for target in &targets {
        for file in availability::commands() {
            if !availability::command_support(file.name, target).is_ok_and(|s| s.is_supported()) {
                continue;
            }
            let required: Vec<_> = file
                .request
                .top_level()
                .iter()
                .filter(|e| e.presence == Presence::Required && !e.element && e.name != "RequestType")
                .collect();
            let document = |without: Option<&str>| {
                let mut d = plist::Dictionary::new();
                d.insert("RequestType".into(), file.name.into());
                for e in &required {
                    if Some(e.name) != without {
                        d.insert(e.name.into(), sample(e.kind));
                    }
                }
                plist::Value::Dictionary(d)
            };
            let missing_at_top = |value: &plist::Value| missing_at_top(&validate::command(value, target));
            assert_eq!(missing_at_top(&document(None)), Vec::<String>::new(), "{} on {target:?}", file.name);
            for e in &required {
                let supported =
                    availability::request_key_support(file.name, e.name, target).is_ok_and(|s| s.is_supported());
                let expected: Vec<String> = if supported { vec![e.name.to_owned()] } else { Vec::new() };
                assert_eq!(missing_at_top(&document(Some(e.name))), expected, "{} on {target:?}", file.name);
                checked += 1;
            }
        }
    }
    assert!(checked >= 40, "{checked} required keys checked");
}

/// The same for a profile payload, whose keys are found in two levels (the
/// common payload keys and its own): every payload type the schema
/// describes in one file.
#[test]
fn exactly_the_required_payload_keys_taken_out_are_reported_missing() {
    use apple_device_management::availability::{self, Family, Presence};
    let files = availability::files(Family::Profiles);
    let common = availability::schema_file_by_path("mdm/profiles/CommonPayloadKeys.yaml").unwrap();
    let target = Target::new(Platform::MacOS, v("15.0"));
    let mut checked = 0;
    for file in files {
        if file.path.ends_with("/TopLevel.yaml")
            || file.path == common.path
            || files.iter().filter(|f| f.name == file.name).count() > 1
            || !file.support(&target).is_supported()
        {
            continue;
        }
        let required: Vec<_> = [common.request.top_level(), file.request.top_level()]
            .into_iter()
            .flatten()
            .filter(|e| e.presence == Presence::Required && !e.element)
            .collect();
        let document = |without: Option<&str>| {
            let mut d = plist::Dictionary::new();
            for e in &required {
                if Some(e.name) != without {
                    d.insert(e.name.into(), sample(e.kind));
                }
            }
            d.insert("PayloadType".into(), file.name.into());
            plist::Value::Dictionary(d)
        };
        let missing_at_top = |value: &plist::Value| missing_at_top(&validate::payload(value, &target));
        assert_eq!(missing_at_top(&document(None)), Vec::<String>::new(), "{}", file.path);
        for e in required.iter().filter(|e| e.name != "PayloadType") {
            let expected: Vec<String> = required
                .iter()
                .filter(|r| r.name == e.name && r.support(&target).is_supported())
                .map(|r| r.name.to_owned())
                .collect();
            assert_eq!(missing_at_top(&document(Some(e.name))), expected, "{} without {}", file.path, e.name);
            checked += 1;
        }
    }
    assert!(checked >= 100, "{checked} required keys checked");
}

/// An issue's path borrows the names the schema knows and copies the
/// document's own keys.
#[test]
fn issue_paths_borrow_the_schemas_names() {
    use apple_device_management::PathSegment;
    use std::borrow::Cow;
    let value = cmd("<dict><key>RequestType</key><string>InstallApplication</string>\
         <key>ManagementFlags</key><string>one</string><key>NewKeyFromTheFuture</key><true/></dict>");
    let report = validate::command(&value, &Target::new(Platform::IOS, v("17.0")));
    let segments: Vec<&PathSegment> = report.issues.iter().flat_map(|i| i.path.segments()).collect();
    assert!(
        matches!(segments.as_slice(), [
        PathSegment::Key(Cow::Borrowed("ManagementFlags")),
        PathSegment::Key(Cow::Owned(unknown))
    ] if unknown == "NewKeyFromTheFuture"),
        "{report}"
    );
}

/// A typed DeviceInformation command's queries are checked by the row
/// each one names (without a view of each element): the report is the
/// one its plist form gets, query for query, for every query the schema
/// lists (plainly supported, deprecated, not available, ignored or
/// forbidden under user enrollment), in either order, with unknown
/// queries among them, on targets of every platform.
#[test]
fn typed_queries_are_reported_as_their_plist_form_is() {
    use apple_device_management::commands::device_information::{DeviceInformation, Query};
    let mut queries: Vec<Query> = Query::VALUES.iter().map(|q| Query::from_wire(q)).collect();
    queries.insert(3, Query::from_wire("FavoriteColor"));
    queries.push(Query::from_wire(""));
    let mut targets = Vec::new();
    for platform in [Platform::IOS, Platform::MacOS, Platform::TvOS, Platform::VisionOS, Platform::WatchOS] {
        for version in ["9.0", "14.0", "17.4", "26.0"] {
            let t = Target::new(platform, v(version));
            targets.push(t.clone().supervised(true));
            targets.push(t.with_enrollment(Enrollment::User));
        }
    }
    let mut issues = 0;
    for reversed in [false, true] {
        let mut queries = queries.clone();
        if reversed {
            queries.reverse();
        }
        let command = Command::new("c", AnyRequest::DeviceInformation(DeviceInformation::new(queries.clone())));
        let value = plist::to_value(&command).unwrap();
        for target in &targets {
            let typed = command.validate(target);
            assert_eq!(typed, validate::command(&value, target), "{target:?}");
            // Besides the command itself (not on the target), what is
            // reported is a query, at its own index.
            for issue in typed.issues.iter().filter(|i| !i.path.segments().is_empty()) {
                let [_, apple_device_management::PathSegment::Index(i)] = issue.path.segments() else {
                    panic!("{issue}");
                };
                assert!(*i < queries.len(), "{issue}");
            }
            issues += typed.issues.len();
        }
    }
    // The targets disagree with many queries: the reports compared were
    // not empty.
    assert!(issues > 1000, "{issues} issues");
}
