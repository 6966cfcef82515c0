//! Validation of every family through the one checker: profiles (top level,
//! each payload by its PayloadType, rules across payloads), declarations
//! (with `allowed-enrollments` and `allowed-scopes`), status reports,
//! check-in messages and command replies. Hand-made documents, one per
//! kind of issue, including the traps: a key required only on some targets,
//! a key introduced later than the target, one forbidden under User
//! Enrollment, a removed key, a declaration not allowed for the enrollment
//! or the scope.

#![cfg(all(feature = "profiles", feature = "declarative", feature = "checkin", feature = "commands"))]

use apple_device_management::availability::{Enrollment, Platform, Target, Unsupported};
use apple_device_management::validate::{self, DocumentKind, Problem, Report, Severity, Validate};
use apple_device_management::{Channel, OsVersion};

fn v(s: &str) -> OsVersion {
    s.parse().unwrap()
}

fn mac(version: &str) -> Target {
    Target::new(Platform::MacOS, v(version))
}

fn ios(version: &str) -> Target {
    Target::new(Platform::IOS, v(version))
}

fn plist(xml_body: &str) -> plist::Value {
    let xml = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><plist version=\"1.0\">{xml_body}</plist>");
    plist::Value::from_reader_xml(xml.as_bytes()).unwrap()
}

fn json(text: &str) -> plist::Value {
    serde_json::from_str(text).unwrap()
}

/// A profile around payload dictionaries (their inner XML).
fn profile(payloads: &[&str]) -> plist::Value {
    let content: String = payloads.iter().map(|p| format!("<dict>{p}</dict>")).collect();
    plist(&format!(
        "<dict><key>PayloadType</key><string>Configuration</string><key>PayloadVersion</key><integer>1</integer>\
         <key>PayloadIdentifier</key><string>com.example.p</string>\
         <key>PayloadUUID</key><string>00000000-0000-0000-0000-000000000000</string>\
         <key>PayloadContent</key><array>{content}</array></dict>"
    ))
}

/// A payload's inner XML: the common keys (identifier and UUID from `n`)
/// and `body`.
fn payload(payload_type: &str, n: u32, body: &str) -> String {
    format!(
        "<key>PayloadType</key><string>{payload_type}</string><key>PayloadVersion</key><integer>1</integer>\
         <key>PayloadIdentifier</key><string>com.example.p.{n}</string>\
         <key>PayloadUUID</key><string>00000000-0000-0000-0000-00000000000{n}</string>{body}"
    )
}

/// `severity: path: problem` lines.
fn lines(r: &Report) -> Vec<String> {
    r.issues.iter().map(ToString::to_string).collect()
}

#[test]
fn documents_are_told_apart() {
    let kind = |v: &plist::Value| DocumentKind::detect(v);
    assert_eq!(kind(&profile(&[])), Some(DocumentKind::Profile));
    assert_eq!(
        kind(&plist(&format!("<dict>{}</dict>", payload("com.apple.dock", 1, "")))),
        Some(DocumentKind::Payload)
    );
    assert_eq!(
        kind(&json(r#"{"Type": "com.apple.configuration.passcode.settings", "Identifier": "a", "Payload": {}}"#)),
        Some(DocumentKind::Declaration)
    );
    assert_eq!(kind(&json(r#"{"StatusItems": {}, "Errors": []}"#)), Some(DocumentKind::StatusReport));
    assert_eq!(
        kind(&plist("<dict><key>MessageType</key><string>Authenticate</string></dict>")),
        Some(DocumentKind::Checkin)
    );
    assert_eq!(
        kind(&plist("<dict><key>RequestType</key><string>DeviceLock</string></dict>")),
        Some(DocumentKind::Command)
    );
    assert_eq!(
        kind(&plist("<dict><key>Status</key><string>NotNow</string><key>UDID</key><string>u</string></dict>")),
        Some(DocumentKind::CommandResponse)
    );
    assert_eq!(kind(&plist("<dict><key>Hello</key><string>x</string></dict>")), None);
    let r = validate::document(&plist("<array/>"), &mac("15.0"));
    assert_eq!(lines(&r), ["error: (root): a document is a dictionary"]);
}

#[test]
fn a_valid_profile_has_no_issue() {
    let p = profile(&[
        &payload("com.apple.applicationaccess", 1, "<key>allowCamera</key><false/>"),
        &payload("com.apple.MCX", 2, "<key>timeServer</key><string>time.apple.com</string>"),
    ]);
    let r = validate::document(&p, &mac("15.1"));
    assert!(r.issues.is_empty(), "{r}");
}

/// An integer key with both a list and a range (EnergySaver's sleep
/// timers: `0` for never, or 1 to 180 minutes) admits either, typed as an
/// integer (not a one-variant enum).
#[test]
fn integer_lists_with_a_range() {
    let energy = |minutes: &str| {
        profile(&[&payload(
            "com.apple.MCX",
            1,
            &format!(
                "<key>com.apple.EnergySaver.desktop.ACPower</key><dict><key>Display Sleep Timer</key>\
                 <integer>{minutes}</integer></dict>"
            ),
        )])
    };
    for ok in ["0", "1", "30", "180"] {
        let r = validate::profile(&energy(ok), &mac("15.1"));
        assert!(r.issues.is_empty(), "{ok}: {r}");
    }
    for bad in ["-1", "181", "500"] {
        let r = validate::profile(&energy(bad), &mac("15.1"));
        assert_eq!(
            lines(&r),
            [format!(
                "error: PayloadContent[0][\"com.apple.EnergySaver.desktop.ACPower\"][\"Display Sleep Timer\"]: \
                 `{bad}` is neither one of: 0 nor within 1..=180"
            )],
        );
    }
    // Typed: 30 minutes is 30, not Unrecognized(30).
    use apple_device_management::profiles::mcx_energy_saver::PowerSettings;
    let settings = PowerSettings { display_sleep_timer: Some(30), ..Default::default() };
    assert_eq!(settings.display_sleep_timer, Some(30_i64));
}

#[test]
fn profile_payload_keys_by_target() {
    // Needs supervision on iOS; introduced in iOS 18; n/a on macOS.
    let p = profile(&[&payload(
        "com.apple.applicationaccess",
        1,
        "<key>allowAirDrop</key><false/><key>allowAppsToBeHidden</key><false/><key>allowCamera</key><integer>0</integer>",
    )]);
    let r = validate::profile(&p, &ios("17.0"));
    assert_eq!(
        lines(&r),
        [
            "error: PayloadContent[0].allowAirDrop: key needs a supervised device",
            "error: PayloadContent[0].allowAppsToBeHidden: key introduced in 18.0",
            "error: PayloadContent[0].allowCamera: expected boolean, found integer",
        ]
    );
    let r = validate::profile(&p, &ios("18.0").supervised(true));
    assert_eq!(lines(&r), ["error: PayloadContent[0].allowCamera: expected boolean, found integer"]);
    let r = validate::profile(&p, &mac("15.0"));
    assert!(
        lines(&r)
            .contains(&"error: PayloadContent[0].allowAppsToBeHidden: key not available on macOS (n/a)".to_owned()),
        "{r}"
    );
}

#[test]
fn removed_and_user_enrollment_forbidden_keys() {
    // EnableLogging: macOS 12.0, deprecated and removed in 15.0.
    let p = profile(&[&payload(
        "com.apple.security.firewall",
        1,
        "<key>EnableFirewall</key><true/><key>EnableLogging</key><true/>",
    )]);
    let r = validate::profile(&p, &mac("15.0"));
    assert_eq!(r.issues[0].problem, Problem::KeyNotSupported(Unsupported::Removed(v("15.0"))), "{r}");
    let r = validate::profile(&p, &mac("14.0"));
    assert!(r.issues.is_empty(), "{r}");
    // The profile's PayloadRemovalDisallowed: forbidden under User
    // Enrollment.
    let mut p = profile(&[]);
    p.as_dictionary_mut().unwrap().insert("PayloadRemovalDisallowed".into(), true.into());
    // (It also needs supervision: the order of the checks is the schema's.)
    let supervised = ios("17.0").supervised(true);
    let r = validate::profile(&p, &supervised.clone().with_enrollment(Enrollment::User));
    assert_eq!(lines(&r), ["error: PayloadRemovalDisallowed: key forbidden under user enrollment"]);
    assert!(validate::profile(&p, &supervised).issues.is_empty());
    assert_eq!(
        lines(&validate::profile(&p, &ios("17.0"))),
        ["error: PayloadRemovalDisallowed: key needs a supervised device"]
    );
}

#[test]
fn payload_types_the_target_or_schema_does_not_have() {
    let p = profile(&[
        &payload("com.apple.asam", 1, "<key>AllowedApplications</key><array/>"),
        &payload("com.google.Chrome", 2, "<key>HomepageLocation</key><string>https://example.com</string>"),
        "<key>PayloadIdentifier</key><string>x</string><key>PayloadUUID</key><string>y</string>",
    ]);
    let r = validate::profile(&p, &ios("17.0"));
    assert_eq!(
        lines(&r),
        [
            "error: PayloadContent[0]: payload not available on iOS (n/a)",
            // Any preference domain is a custom-settings payload: a warning,
            // and its own keys are not flagged.
            "warning: PayloadContent[1]: unknown PayloadType `com.google.Chrome`",
            "error: PayloadContent[2]: no PayloadType",
            "error: PayloadContent[2].PayloadType: required key missing",
        ]
    );
}

/// The report of a profile, validated as its plist and, decoded into a
/// typed `Profile`, in place: the two are the same.
fn profile_report(p: &plist::Value, target: &Target) -> Report {
    let typed: apple_device_management::profiles::Profile = plist::from_value(p).unwrap();
    let report = validate::profile(p, target);
    assert_eq!(typed.validate(target), report);
    report
}

#[test]
fn rules_across_payloads() {
    let asam = payload("com.apple.asam", 1, "<key>AllowedApplications</key><array/>");
    // The same identifier and UUID twice; two payloads of a type with
    // `multiple: false`.
    let p = profile(&[&asam, &asam]);
    let r = profile_report(&p, &mac("15.0").user_approved_mdm(true));
    assert_eq!(
        lines(&r),
        [
            "error: PayloadContent[1].PayloadIdentifier: PayloadIdentifier `com.example.p.1` is also used by PayloadContent[0]; it must be unique within the profile",
            "error: PayloadContent[1].PayloadUUID: PayloadUUID `00000000-0000-0000-0000-000000000001` is also used by PayloadContent[0]; it must be unique globally",
            "error: PayloadContent[1]: a second com.apple.asam payload (the first is PayloadContent[0]); only one can be installed on macOS",
        ]
    );
    // A third copy is named against the first, not the second.
    let p = profile(&[&asam, &asam, &asam]);
    let third: Vec<String> = lines(&profile_report(&p, &mac("15.0").user_approved_mdm(true)))
        .into_iter()
        .filter(|l| l.contains("PayloadContent[2]"))
        .collect();
    assert_eq!(
        third,
        [
            "error: PayloadContent[2].PayloadIdentifier: PayloadIdentifier `com.example.p.1` is also used by PayloadContent[0]; it must be unique within the profile",
            "error: PayloadContent[2].PayloadUUID: PayloadUUID `00000000-0000-0000-0000-000000000001` is also used by PayloadContent[0]; it must be unique globally",
            "error: PayloadContent[2]: a second com.apple.asam payload (the first is PayloadContent[0]); only one can be installed on macOS",
        ]
    );
    // A payload UUID equal to the profile's own (`payload(.., 0, ..)` has
    // the profile's UUID).
    let p = profile(&[&payload("com.apple.applicationaccess", 0, "")]);
    assert_eq!(
        lines(&profile_report(&p, &mac("15.0"))),
        [
            "error: PayloadContent[0].PayloadUUID: PayloadUUID `00000000-0000-0000-0000-000000000000` is also used by the profile; it must be unique globally",
        ]
    );
    // Two restrictions payloads may be installed (multiple: true).
    let p = profile(&[&payload("com.apple.applicationaccess", 1, ""), &payload("com.apple.applicationaccess", 2, "")]);
    assert!(profile_report(&p, &mac("15.0")).issues.is_empty());
    // Types of which one copy can be installed are counted apart from
    // those of which several can: an asam payload between and after two
    // restrictions payloads is the first of its type.
    let p = profile(&[
        &payload("com.apple.applicationaccess", 1, ""),
        &payload("com.apple.asam", 2, "<key>AllowedApplications</key><array/>"),
        &payload("com.apple.applicationaccess", 3, ""),
        &payload("com.apple.asam", 4, "<key>AllowedApplications</key><array/>"),
    ]);
    assert_eq!(
        lines(&profile_report(&p, &mac("15.0").user_approved_mdm(true))),
        [
            "error: PayloadContent[3]: a second com.apple.asam payload (the first is PayloadContent[1]); only one can be installed on macOS"
        ]
    );
}

#[test]
fn tcc_authorization_xor_allowed() {
    let entry = |keys: &str| {
        format!(
            "<dict><key>Identifier</key><string>com.example.app</string><key>IdentifierType</key><string>bundleID</string>\
             <key>CodeRequirement</key><string>identifier \"com.example.app\"</string>{keys}</dict>"
        )
    };
    let services = format!(
        "<key>Services</key><dict><key>SystemPolicyAllFiles</key><array>{}{}{}</array></dict>",
        entry("<key>Authorization</key><string>Allow</string>"),
        entry("<key>Authorization</key><string>Allow</string><key>Allowed</key><true/>"),
        entry(""),
    );
    let p = profile(&[&payload("com.apple.TCC.configuration-profile-policy", 1, &services)]);
    let r = validate::profile(&p, &mac("15.0").user_approved_mdm(true));
    let rules: Vec<String> =
        r.issues.iter().filter(|i| matches!(i.problem, Problem::Rule(_))).map(|i| i.path.to_string()).collect();
    assert_eq!(
        rules,
        ["PayloadContent[0].Services.SystemPolicyAllFiles[1]", "PayloadContent[0].Services.SystemPolicyAllFiles[2]"],
        "{r}"
    );
    assert!(r.issues.iter().all(|i| matches!(i.problem, Problem::Rule(_))), "the first entry is valid: {r}");
}

#[test]
fn consent_text_is_the_language_dictionary() {
    let mut p = profile(&[]);
    let mut consent = plist::Dictionary::new();
    consent.insert("default".into(), "Agree?".into());
    consent.insert("en".into(), "Agree?".into());
    p.as_dictionary_mut().unwrap().insert("ConsentText".into(), consent.into());
    assert!(validate::profile(&p, &mac("15.0")).issues.is_empty());
}

#[test]
fn typed_profiles_validate_like_untyped_ones() {
    use apple_device_management::profiles::Profile;
    let p = profile(&[&payload(
        "com.apple.applicationaccess",
        1,
        "<key>allowAirDrop</key><false/><key>allowCamera</key><false/>",
    )]);
    let typed: Profile = plist::from_value(&p).unwrap();
    let target = ios("17.0");
    assert_eq!(typed.validate(&target), validate::profile(&p, &target));
    assert_eq!(typed.validate(&target).issues.len(), 1);
    let payload = &typed.payload_content[0];
    assert_eq!(lines(&payload.validate(&target)), ["error: allowAirDrop: key needs a supervised device"]);
}

fn declaration(ty: &str, payload: &str) -> plist::Value {
    json(&format!(r#"{{"Type": "{ty}", "Identifier": "d1", "ServerToken": "1", "Payload": {payload}}}"#))
}

#[test]
fn declarations_by_enrollment_and_scope() {
    // watch.enrollment: iOS 17, supervised devices only.
    let d = declaration(
        "com.apple.configuration.watch.enrollment",
        r#"{"EnrollmentProfileURL": "https://mdm.example.com/watch"}"#,
    );
    let r = validate::declaration(&d, &ios("17.0"));
    assert_eq!(
        r.issues[0].problem,
        Problem::NotSupported {
            what: "declaration",
            why: Unsupported::EnrollmentNotAllowed { enrollment: "device", allowed: &["supervised"] }
        },
        "{r}"
    );
    assert_eq!(lines(&r), ["error: (root): declaration not allowed for device enrollment (allowed: supervised)"]);
    assert!(validate::declaration(&d, &ios("17.0").supervised(true)).is_ok());
    // account.mail on macOS: the user scope only.
    let d = declaration(
        "com.apple.configuration.account.mail",
        r#"{"UserIdentityAssetReference": "id",
             "IncomingServer": {"ServerType": "IMAP", "HostName": "imap.example.com", "AuthenticationMethod": "Password"},
             "OutgoingServer": {"HostName": "smtp.example.com", "AuthenticationMethod": "Password"}}"#,
    );
    let r = validate::declaration(&d, &mac("14.0").supervised(true));
    assert_eq!(lines(&r), ["error: (root): declaration not allowed in the system scope (allowed: user)"]);
    let user = mac("14.0").supervised(true).with_channel(Channel::User);
    assert!(validate::declaration(&d, &user).is_ok(), "{}", validate::declaration(&d, &user));
    // passcode.settings on a shared iPad: `sharedipad: allowed-scopes: []`.
    let d = declaration("com.apple.configuration.passcode.settings", r#"{"MinimumLength": 6}"#);
    assert!(validate::declaration(&d, &ios("17.0")).issues.is_empty());
    let r = validate::declaration(&d, &ios("17.0").shared_ipad(true));
    assert_eq!(lines(&r), ["error: (root): declaration not allowed in the system scope (allowed: none)"]);
}

#[test]
fn declaration_keys_and_envelope() {
    let d = declaration("com.apple.configuration.passcode.settings", r#"{"MinimumLength": "six", "Extra": 1}"#);
    assert_eq!(
        lines(&validate::declaration(&d, &ios("17.0"))),
        ["error: Payload.MinimumLength: expected integer, found string", "warning: Payload.Extra: not in the schema"]
    );
    // Servers store declarations without ServerToken: a warning, not an error.
    let d = json(r#"{"Type": "com.apple.configuration.passcode.settings", "Identifier": "d1", "Payload": {}}"#);
    let r = validate::declaration(&d, &ios("17.0"));
    assert_eq!(lines(&r), ["warning: ServerToken: required key missing"]);
    assert!(r.is_ok());
    let d = json(r#"{"Type": "com.example.nope", "Identifier": "d1", "ServerToken": "1", "Payload": {}}"#);
    assert_eq!(lines(&validate::declaration(&d, &ios("17.0"))), ["error: (root): unknown Type `com.example.nope`"]);
    let long = "x".repeat(65);
    let d = json(&format!(
        r#"{{"Type": "com.apple.configuration.passcode.settings", "Identifier": "{long}", "ServerToken": "1", "Payload": {{}}}}"#
    ));
    assert_eq!(
        lines(&validate::declaration(&d, &ios("17.0"))),
        ["warning: Identifier: Identifier is 65 octets; Apple: it should not exceed 64 octets"]
    );
}

#[test]
fn typed_declarations() {
    use apple_device_management::declarative::declarations::ConfigurationPasscodeSettings;
    use apple_device_management::declarative::{AnyDeclaration, Declaration};
    let payload = ConfigurationPasscodeSettings { minimum_length: Some(6), ..Default::default() };
    let d = Declaration::new("d1", "1", payload);
    assert!(d.validate(&ios("17.0")).issues.is_empty());
    assert_eq!(d.validate(&ios("17.0").shared_ipad(true)).errors().count(), 1);
    let any: AnyDeclaration =
        plist::from_value(&declaration("com.apple.configuration.watch.enrollment", "{}")).unwrap();
    assert_eq!(any.validate(&ios("16.0")).issues[0].to_string(), "error: (root): declaration introduced in 17.0");
}

#[test]
fn status_reports() {
    let report = json(
        r#"{"StatusItems": {"device": {"identifier": {"udid": "0000-1111"}, "model": {"family": 5}, "nonsense": true}},
            "Errors": [{"StatusItem": "device.unknown", "Reasons": []}]}"#,
    );
    // device.identifier.udid on macOS: supervised or local enrollment.
    let r = validate::status_report(&report, &mac("14.0"));
    assert_eq!(
        lines(&r),
        [
            "error: StatusItems.device.identifier.udid: status item not allowed for device enrollment (allowed: supervised, local)",
            "error: StatusItems.device.model.family: status item not allowed for device enrollment (allowed: supervised, user, local)",
            "warning: StatusItems.device.nonsense: unknown status item `device.nonsense`",
            "warning: Errors[0].StatusItem: unknown status item `device.unknown`",
        ]
    );
    let supervised = mac("14.0").supervised(true);
    let r = validate::status_report(&report, &supervised);
    assert_eq!(
        r.errors().map(ToString::to_string).collect::<Vec<_>>(),
        ["error: StatusItems.device.model.family: expected string, found integer"]
    );
    let typed: apple_device_management::declarative::protocol::StatusReport = plist::from_value(&report).unwrap();
    assert_eq!(typed.validate(&supervised), validate::status_report(&report, &supervised));
}

#[test]
fn checkin_messages() {
    // DeclarativeManagement on the user channel: UserLongName is required
    // there (macOS; n/a on iOS).
    let msg = plist(
        "<dict><key>MessageType</key><string>DeclarativeManagement</string><key>UDID</key><string>u</string>\
         <key>Topic</key><string>t</string><key>UserID</key><string>x</string><key>UserShortName</key><string>a</string>\
         <key>Endpoint</key><string>tokens</string></dict>",
    );
    let user = mac("14.0").with_channel(Channel::User);
    let r = validate::checkin(&msg, &user);
    assert!(lines(&r).contains(&"error: UserLongName: required key missing".to_owned()), "{r}");
    let r = validate::checkin(&msg, &mac("14.0"));
    assert!(!lines(&r).iter().any(|l| l.contains("UserLongName")), "device channel: {r}");
    let r = validate::checkin(&plist("<dict><key>MessageType</key><string>Hello</string></dict>"), &mac("14.0"));
    assert_eq!(lines(&r), ["error: (root): unknown MessageType `Hello`"]);
    let any: apple_device_management::checkin::AnyCheckin = plist::from_value(&msg).unwrap();
    assert_eq!(any.validate(&user), validate::checkin(&msg, &user));
}

#[test]
fn command_replies() {
    let reply = plist(
        "<dict><key>Status</key><string>Acknowledged</string><key>UDID</key><string>u</string>\
         <key>CommandUUID</key><string>c</string><key>SecurityInfo</key><dict>\
         <key>HardwareEncryptionCaps</key><string>three</string></dict></dict>",
    );
    let r = validate::command_response(&reply, Some("SecurityInfo"), &ios("17.0"));
    assert_eq!(lines(&r), ["error: SecurityInfo.HardwareEncryptionCaps: expected integer, found string"]);
    // Without the RequestType, the reply's body cannot be checked.
    let r = validate::document(&reply, &ios("17.0"));
    assert_eq!(r.issues.len(), 1);
    assert!(r.issues[0].to_string().contains("give the RequestType"), "{r}");
    // An envelope-only NotNow has nothing to check; a bad Status is an error.
    let not_now = plist("<dict><key>Status</key><string>NotNow</string><key>UDID</key><string>u</string></dict>");
    assert!(validate::document(&not_now, &ios("17.0")).issues.is_empty());
    let odd = plist("<dict><key>Status</key><string>Maybe</string><key>UDID</key><string>u</string></dict>");
    assert_eq!(validate::document(&odd, &ios("17.0")).issues[0].path.to_string(), "Status");
    assert_eq!(validate::document(&odd, &ios("17.0")).issues[0].severity, Severity::Error);
}
