//! Round trips for every family beyond commands: check-in, errors,
//! profiles, declarative management. Exact values compared, unknown keys
//! preserved, nothing lost on the way back.

#![cfg(all(feature = "checkin", feature = "errors", feature = "profiles", feature = "declarative", feature = "other"))]

use apple_device_management::checkin::{AnyCheckin, Authenticate, CheckOut, TokenUpdate};
use apple_device_management::declarative::declarations::configurations::passcode_settings::ConfigurationPasscodeSettings;
use apple_device_management::declarative::protocol::StatusReport;
use apple_device_management::declarative::{AnyDeclaration, Declaration};
use apple_device_management::errors::AnyError;
use apple_device_management::profiles::homescreenlayout::Type as IconType;
use apple_device_management::profiles::{AnyPayload, Profile};
use apple_device_management::{Data, FieldValue, from_json, from_plist, to_json_value, to_plist_value};
use serde::de::DeserializeOwned;

fn plist(body: &str) -> Vec<u8> {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n{body}\n</plist>\n").into_bytes()
}

fn plist_lossless<T: FieldValue + DeserializeOwned + std::fmt::Debug + PartialEq>(bytes: &[u8]) -> T {
    let value: T = from_plist(bytes).unwrap();
    let original = plist::Value::from_reader(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(to_plist_value(&value).unwrap(), original);
    let bin = apple_device_management::to_plist_binary(&value).unwrap();
    assert_eq!(from_plist::<T>(&bin).unwrap(), value);
    value
}

fn json_lossless<T: FieldValue + DeserializeOwned + std::fmt::Debug + PartialEq>(json: &str) -> T {
    let value: T = from_json(json.as_bytes()).unwrap();
    let original: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(to_json_value(&value).unwrap(), original);
    value
}

#[test]
fn authenticate_token_update_and_check_out() {
    let auth = plist(
        r#"<dict>
	<key>BuildVersion</key><string>23E224</string>
	<key>DeviceName</key><string>Jane’s MacBook Pro</string>
	<key>MessageType</key><string>Authenticate</string>
	<key>Model</key><string>Mac14,9</string>
	<key>ModelName</key><string>MacBook Pro</string>
	<key>OSVersion</key><string>14.4.1</string>
	<key>ProductName</key><string>Mac14,9</string>
	<key>SerialNumber</key><string>C02XK1Y2JHD3</string>
	<key>Topic</key><string>com.apple.mgmt.External.5c1f7a0e-2e6b-4b0f-9a1e-7d3a9f0e4b21</string>
	<key>UDID</key><string>564D2A5E-8F6B-4AC5-9B2E-3E8C5B1D7A10</string>
	<key>Challenge</key><data>YXBwbGU=</data>
</dict>"#,
    );
    let a: Authenticate = plist_lossless(&auth);
    assert_eq!(a.device_name.as_deref(), Some("Jane’s MacBook Pro"));
    assert_eq!(a.model.as_deref(), Some("Mac14,9"));
    assert_eq!(a.os_version.as_deref(), Some("14.4.1"));
    assert_eq!(a.serial_number.as_deref(), Some("C02XK1Y2JHD3"));
    assert_eq!(a.topic, "com.apple.mgmt.External.5c1f7a0e-2e6b-4b0f-9a1e-7d3a9f0e4b21");
    assert_eq!(a.udid.as_deref(), Some("564D2A5E-8F6B-4AC5-9B2E-3E8C5B1D7A10"));
    // Challenge is not in authenticate.yaml: kept as received.
    assert_eq!(a.extra.get("Challenge"), Some(&plist::Value::Data(b"apple".to_vec())));
    assert!(matches!(from_plist::<AnyCheckin>(&auth).unwrap(), AnyCheckin::Authenticate(x) if *x == a));

    let token = [0x5a_u8; 32];
    let update = plist(&format!(
        r#"<dict>
	<key>AwaitingConfiguration</key><false/>
	<key>MessageType</key><string>TokenUpdate</string>
	<key>PushMagic</key><string>F8D1B0E2-2A3C-4F5D-8E9F-0A1B2C3D4E5F</string>
	<key>Token</key><data>{}</data>
	<key>Topic</key><string>com.apple.mgmt.External.5c1f7a0e</string>
	<key>UDID</key><string>00008030-000A1C2E0C38802E</string>
	<key>UnlockToken</key><data>AAECAwQ=</data>
</dict>"#,
        Data::new(token).to_base64()
    ));
    let u: TokenUpdate = plist_lossless(&update);
    assert_eq!(u.token, Data::new(token));
    assert_eq!(u.push_magic, "F8D1B0E2-2A3C-4F5D-8E9F-0A1B2C3D4E5F");
    assert_eq!(u.unlock_token, Some(Data::new([0, 1, 2, 3, 4])));
    assert_eq!(u.awaiting_configuration, Some(false));
    assert_eq!(u.not_on_console, None);

    let out = plist(
        "<dict><key>MessageType</key><string>CheckOut</string><key>Topic</key><string>com.apple.mgmt.External.x</string>\
         <key>UDID</key><string>00008030-000A1C2E0C38802E</string></dict>",
    );
    let c: CheckOut = plist_lossless(&out);
    assert_eq!(c.udid.as_deref(), Some("00008030-000A1C2E0C38802E"));
    assert_eq!(c.enrollment_id, None);
    // A message type check: a CheckOut is not a TokenUpdate.
    assert!(from_plist::<TokenUpdate>(&out).unwrap_err().to_string().contains("expected MessageType TokenUpdate"));
    // An unknown MessageType is kept whole.
    let odd = plist(
        "<dict><key>MessageType</key><string>OldManYellsAtCloud.gif</string><key>UDID</key><string>x</string></dict>",
    );
    match plist_lossless::<AnyCheckin>(&odd) {
        AnyCheckin::Unrecognized(d) => assert_eq!(d.len(), 2),
        other => panic!("{other:?}"),
    }
}

#[test]
fn software_update_required_error_body() {
    let json = r#"{"code":"com.apple.softwareupdate.required","description":"The device must be updated.","message":"Update to macOS 14.4 to enroll.","details":{"OSVersion":"14.4","BuildVersion":"23E214","RequireBetaProgram":{"Description":"AppleSeed","Token":"dGVzdA=="},"Deadline":"2026-12-01"}}"#;
    let err: AnyError = json_lossless(json);
    let AnyError::SoftwareupdateRequired(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.description.as_deref(), Some("The device must be updated."));
    assert_eq!(e.details.os_version, "14.4");
    assert_eq!(e.details.build_version.as_deref(), Some("23E214"));
    let beta = e.details.require_beta_program.as_ref().unwrap();
    assert_eq!((beta.description.as_str(), beta.token.as_str()), ("AppleSeed", "dGVzdA=="));
    assert_eq!(e.details.extra.get("Deadline").and_then(|v| v.as_string()), Some("2026-12-01"));
    assert_eq!(err.tag(), "com.apple.softwareupdate.required");
}

const MOBILECONFIG: &str = r#"<dict>
	<key>PayloadContent</key>
	<array>
		<dict>
			<key>AutoJoin</key><true/>
			<key>EncryptionType</key><string>WPA2</string>
			<key>HIDDEN_NETWORK</key><false/>
			<key>Password</key><string>correct horse battery staple</string>
			<key>PayloadDisplayName</key><string>Office Wi-Fi</string>
			<key>PayloadIdentifier</key><string>com.example.wifi</string>
			<key>PayloadType</key><string>com.apple.wifi.managed</string>
			<key>PayloadUUID</key><string>2F2B7C1E-0C4B-4D4B-9E2E-5A3C1B0D9E11</string>
			<key>PayloadVersion</key><integer>1</integer>
			<key>SSID_STR</key><string>Example-Office</string>
		</dict>
		<dict>
			<key>allowCamera</key><false/>
			<key>allowScreenShot</key><true/>
			<key>forceWiFiPowerOn</key><true/>
			<key>PayloadIdentifier</key><string>com.example.restrictions</string>
			<key>PayloadType</key><string>com.apple.applicationaccess</string>
			<key>PayloadUUID</key><string>6A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D</string>
			<key>PayloadVersion</key><integer>1</integer>
		</dict>
		<dict>
			<key>Dock</key>
			<array>
				<dict><key>Type</key><string>Application</string><key>BundleID</key><string>com.apple.mobilesafari</string></dict>
			</array>
			<key>Pages</key>
			<array>
				<array>
					<dict><key>Type</key><string>Application</string><key>BundleID</key><string>com.apple.mobilemail</string></dict>
					<dict>
						<key>Type</key><string>Folder</string>
						<key>DisplayName</key><string>Work</string>
						<key>Pages</key>
						<array>
							<array>
								<dict><key>Type</key><string>Application</string><key>BundleID</key><string>com.microsoft.Office.Outlook</string></dict>
								<dict><key>Type</key><string>WebClip</string><key>URL</key><string>https://intranet.example.com</string></dict>
							</array>
						</array>
					</dict>
				</array>
			</array>
			<key>PayloadIdentifier</key><string>com.example.homescreen</string>
			<key>PayloadType</key><string>com.apple.homescreenlayout</string>
			<key>PayloadUUID</key><string>0B1C2D3E-4F50-4617-8293-A4B5C6D7E8F9</string>
			<key>PayloadVersion</key><integer>1</integer>
		</dict>
		<dict>
			<key>PayloadIdentifier</key><string>com.example.future</string>
			<key>PayloadType</key><string>com.apple.teleporter.managed</string>
			<key>PayloadUUID</key><string>9F8E7D6C-5B4A-4392-8170-6F5E4D3C2B1A</string>
			<key>PayloadVersion</key><integer>1</integer>
			<key>Destination</key><string>Mars</string>
		</dict>
	</array>
	<key>PayloadDisplayName</key><string>Example Corp baseline</string>
	<key>PayloadIdentifier</key><string>com.example.baseline</string>
	<key>PayloadRemovalDisallowed</key><false/>
	<key>PayloadType</key><string>Configuration</string>
	<key>PayloadUUID</key><string>C3F7E5A0-1B2C-4D3E-8F9A-0B1C2D3E4F50</string>
	<key>PayloadVersion</key><integer>1</integer>
	<key>ExampleInternalRevision</key><integer>42</integer>
</dict>"#;

#[test]
fn mobileconfig_with_wifi_restrictions_home_screen_and_an_unknown_payload() {
    let profile: Profile = plist_lossless(&plist(MOBILECONFIG));
    assert_eq!(profile.payload_identifier, "com.example.baseline");
    assert_eq!(profile.payload_display_name.as_deref(), Some("Example Corp baseline"));
    assert_eq!(profile.payload_removal_disallowed, Some(false));
    assert_eq!(profile.extra.get("ExampleInternalRevision"), Some(&plist::Value::Integer(42.into())));
    let content = &profile.payload_content;
    assert_eq!(content.len(), 4);

    let AnyPayload::WifiManaged(wifi) = &content[0] else { panic!("{:?}", content[0]) };
    assert_eq!(wifi.common.payload_identifier, "com.example.wifi");
    assert_eq!(wifi.common.payload_display_name.as_deref(), Some("Office Wi-Fi"));
    assert_eq!(wifi.body.ssid_str.as_deref(), Some("Example-Office"));
    assert_eq!(wifi.body.encryption_type.as_ref().map(|e| e.as_str()), Some("WPA2"));
    assert_eq!(wifi.body.auto_join, Some(true));
    assert_eq!(wifi.to_string(), "com.apple.wifi.managed (com.example.wifi)");

    let AnyPayload::Applicationaccess(r) = &content[1] else { panic!("{:?}", content[1]) };
    assert_eq!(r.body.allow_camera, Some(false));
    assert_eq!(r.body.allow_screen_shot, Some(true));
    assert_eq!(r.body.force_wifi_power_on, Some(true));

    // The home screen layout: a folder inside a page holds pages itself.
    let AnyPayload::Homescreenlayout(h) = &content[2] else { panic!("{:?}", content[2]) };
    assert_eq!(h.body.dock.as_ref().unwrap()[0].bundle_id.as_deref(), Some("com.apple.mobilesafari"));
    let folder = &h.body.pages[0][1];
    assert_eq!(folder.type_, IconType::Folder);
    assert_eq!(folder.display_name.as_deref(), Some("Work"));
    let inner = &folder.pages.as_ref().unwrap()[0];
    assert_eq!(inner[0].bundle_id.as_deref(), Some("com.microsoft.Office.Outlook"));
    assert_eq!(inner[1].type_, IconType::WebClip);
    assert_eq!(inner[1].url.as_deref(), Some("https://intranet.example.com"));

    match &content[3] {
        AnyPayload::Unrecognized(d) => {
            assert_eq!(d.get("PayloadType").and_then(|v| v.as_string()), Some("com.apple.teleporter.managed"));
            assert_eq!(d.get("Destination").and_then(|v| v.as_string()), Some("Mars"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn declarations_configuration_activation_and_asset() {
    let config = r#"{"Type":"com.apple.configuration.passcode.settings","Identifier":"com.example.passcode","ServerToken":"7f1c","Payload":{"MinimumLength":8,"RequireAlphanumericPasscode":true,"MaximumFailedAttempts":10,"FutureSetting":"x"}}"#;
    let d: AnyDeclaration = json_lossless(config);
    let AnyDeclaration::ConfigurationPasscodeSettings(p) = &d else { panic!("{d:?}") };
    assert_eq!((p.identifier.as_str(), p.server_token.as_deref()), ("com.example.passcode", Some("7f1c")));
    assert_eq!(p.payload.minimum_length, Some(8));
    assert_eq!(p.payload.require_alphanumeric_passcode, Some(true));
    assert_eq!(p.payload.maximum_failed_attempts, Some(10));
    assert_eq!(p.payload.extra.get("FutureSetting").and_then(|v| v.as_string()), Some("x"));
    // The same declaration, built by hand, encodes to the same JSON.
    let payload = ConfigurationPasscodeSettings { minimum_length: Some(8), ..Default::default() };
    let built = Declaration::new("com.example.passcode", "7f1c", payload);
    assert_eq!(built.declaration_type(), "com.apple.configuration.passcode.settings");

    let activation = r#"{"Type":"com.apple.activation.simple","Identifier":"com.example.activation","ServerToken":"1","Payload":{"StandardConfigurations":["com.example.passcode","com.example.account"],"Predicate":"@status(device.model.family) == 'iPhone'"}}"#;
    let AnyDeclaration::ActivationSimple(a) = json_lossless::<AnyDeclaration>(activation) else { panic!() };
    assert_eq!(a.payload.standard_configurations, ["com.example.passcode", "com.example.account"]);
    assert_eq!(a.payload.predicate.as_deref(), Some("@status(device.model.family) == 'iPhone'"));

    let asset = r#"{"Type":"com.apple.asset.data","Identifier":"com.example.asset","ServerToken":"3","Payload":{"Reference":{"DataURL":"https://mdm.example.com/assets/1","ContentType":"application/json","Size":1024},"Authentication":{"Type":"MDM"}}}"#;
    let AnyDeclaration::AssetData(x) = json_lossless::<AnyDeclaration>(asset) else { panic!() };
    assert_eq!(x.payload.reference.data_url, "https://mdm.example.com/assets/1");
    assert_eq!(x.payload.reference.size, Some(1024));
    assert_eq!(x.payload.authentication.as_ref().unwrap().type_.as_str(), "MDM");

    let unknown = r#"{"Type":"com.example.custom","Identifier":"i","ServerToken":"t","Payload":{}}"#;
    assert!(json_lossless::<AnyDeclaration>(unknown).is_unrecognized());
}

#[test]
fn status_report() {
    let json = r#"{"StatusItems":{"device":{"identifier":{"udid":"00008030-000A1C2E0C38802E","serial-number":"F2LXK1Y2JHD3"},"operating-system":{"version":"17.4","build-version":"21E219","family":"iOS"}},"management":{"declarations":{"activations":[{"identifier":"com.example.activation","server-token":"1","active":true,"valid":"valid"}],"configurations":[{"identifier":"com.example.passcode","server-token":"7f1c","active":false,"valid":"invalid","reasons":[{"code":"Error.ConfigurationCannotBeApplied","description":"Passcode too short"}]}],"assets":[],"management":[]}},"passcode":{"is-compliant":true,"is-present":true},"future":{"thing":1}},"Errors":[],"FullReport":true}"#;
    let r: StatusReport = json_lossless(json);
    assert_eq!(r.full_report, Some(true));
    let items = &r.status_items;
    let device = items.device.as_ref().unwrap();
    assert_eq!(device.identifier.as_ref().unwrap().udid.as_deref(), Some("00008030-000A1C2E0C38802E"));
    assert_eq!(device.identifier.as_ref().unwrap().serial_number.as_deref(), Some("F2LXK1Y2JHD3"));
    assert_eq!(device.operating_system.as_ref().unwrap().version.as_deref(), Some("17.4"));
    let decl = items.management.as_ref().unwrap().declarations.as_ref().unwrap();
    let config = &decl.configurations[0];
    assert_eq!(config.identifier, "com.example.passcode");
    assert!(!config.active);
    let reason = &config.reasons.as_ref().unwrap()[0];
    assert_eq!(reason.code, "Error.ConfigurationCannotBeApplied");
    assert_eq!(items.passcode.as_ref().unwrap().is_compliant, Some(true));
    // An item this version does not know stays in the tree's extra.
    assert!(items.extra.contains_key("future"));
}

#[test]
fn manifest_url_plist() {
    use apple_device_management::other::ManifestUrl;
    let bytes = plist(
        r#"<dict><key>items</key><array><dict>
<key>assets</key><array><dict><key>kind</key><string>software-package</string>
<key>sha256-size</key><integer>10485760</integer><key>sha256s</key><array><string>9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08</string></array>
<key>url</key><string>https://cdn.example.com/Tool-2.0.1.pkg</string></dict></array>
<key>metadata</key><dict><key>bundle-identifier</key><string>com.example.tool</string><key>bundle-version</key><string>2.0.1</string>
<key>kind</key><string>software</string><key>title</key><string>Tool</string><key>sizeInBytes</key><integer>20582383</integer></dict>
</dict></array></dict>"#,
    );
    let m: ManifestUrl = from_plist(&bytes).unwrap_or_else(|e| panic!("{e}"));
    let meta = &m.items[0].metadata;
    assert_eq!(meta.bundle_identifier, "com.example.tool");
    assert_eq!(to_plist_value(&m).unwrap(), plist::Value::from_reader(std::io::Cursor::new(&bytes)).unwrap());
}

#[test]
fn every_schema_file_yields_a_type() {
    use apple_device_management::availability::{Family, files};
    use apple_device_management::{SCHEMA_FILE_COUNT, checkin, declarative, errors, profiles};
    let counts: Vec<(Family, usize)> = Family::ALL.iter().map(|f| (*f, files(*f).len())).collect();
    assert_eq!(
        counts,
        [
            (Family::Commands, 66),
            (Family::Checkin, 8),
            (Family::Errors, 4),
            (Family::Profiles, 128),
            (Family::Declarations, 43),
            (Family::Status, 45),
            (Family::Protocol, 3),
            (Family::Other, 5),
        ]
    );
    assert_eq!(counts.iter().map(|(_, n)| n).sum::<usize>(), SCHEMA_FILE_COUNT);
    // Every tagged file is a variant of its family's Any enum.
    assert_eq!(checkin::AnyCheckin::TAGS.len(), 8);
    assert_eq!(errors::AnyError::TAGS.len(), 4);
    assert_eq!(profiles::AnyPayload::TAGS.len(), 126, "all but TopLevel and CommonPayloadKeys");
    assert_eq!(declarative::AnyDeclaration::TAGS.len(), 38, "all but the base and the 4 credential files");
}
