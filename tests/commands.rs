//! Realistic hand-written device payloads for the command family: each test
//! compares exact values, and checks that what decodes encodes back to the
//! same plist.

use apple_device_management::commands::install_application::{
    Attributes, Options, PurchaseMethod, RejectionReason, State,
};
use apple_device_management::commands::managed_application_list::Status;
use apple_device_management::commands::{
    AnyRequest, InstallApplication, InstallApplicationResponse, InstallEnterpriseApplication, InstallProfile,
    ManagedApplicationListResponse,
};
use apple_device_management::{
    Command, CommandPayload, CommandResponse, CommandStatus, Data, ManagementFlags, ValueKind, from_json, from_plist,
    from_plist_lenient, from_plist_strict, to_json, to_plist_binary, to_plist_value, to_plist_xml,
};

fn plist(body: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \
         \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n{body}\n</plist>\n"
    )
    .into_bytes()
}

/// Decoding then encoding gives back the same plist, in XML, binary and
/// JSON alike.
fn assert_lossless<T>(bytes: &[u8])
where
    T: apple_device_management::FieldValue + serde::de::DeserializeOwned + std::fmt::Debug + PartialEq,
{
    let original = plist::Value::from_reader(std::io::Cursor::new(bytes)).unwrap();
    let typed: T = from_plist_lenient(bytes).unwrap();
    assert_eq!(to_plist_value(&typed).unwrap(), original, "plist value round trip");
    let xml = to_plist_xml(&typed).unwrap();
    assert_eq!(from_plist_lenient::<T>(xml.as_bytes()).unwrap(), typed, "XML round trip");
    let bin = to_plist_binary(&typed).unwrap();
    assert_eq!(&bin[..8], b"bplist00");
    assert_eq!(from_plist_lenient::<T>(&bin).unwrap(), typed, "binary round trip");
    let json = to_json(&typed).unwrap();
    assert_eq!(apple_device_management::from_json_lenient::<T>(json.as_bytes()).unwrap(), typed, "JSON round trip");
}

const INSTALL_APPLICATION: &str = r#"<dict>
	<key>CommandUUID</key>
	<string>6D1A6A4C-5A0D-4B9F-8F43-0F4C9B1D2E11</string>
	<key>Command</key>
	<dict>
		<key>RequestType</key>
		<string>InstallApplication</string>
		<key>iTunesStoreID</key>
		<integer>361309726</integer>
		<key>ManagementFlags</key>
		<integer>5</integer>
		<key>Options</key>
		<dict>
			<key>PurchaseMethod</key>
			<integer>1</integer>
		</dict>
		<key>Attributes</key>
		<dict>
			<key>Removable</key>
			<false/>
			<key>AssociatedDomains</key>
			<array>
				<string>applinks:example.com</string>
			</array>
		</dict>
		<key>Configuration</key>
		<dict>
			<key>ServerURL</key>
			<string>https://mdm.example.com</string>
		</dict>
		<key>ChangeManagementState</key>
		<string>Managed</string>
	</dict>
</dict>"#;

#[test]
fn install_application_command() {
    let bytes = plist(INSTALL_APPLICATION);
    let cmd: Command<InstallApplication> = from_plist(&bytes).unwrap();
    assert_eq!(cmd.command_uuid, "6D1A6A4C-5A0D-4B9F-8F43-0F4C9B1D2E11");
    assert_eq!(cmd.request_type(), "InstallApplication");
    let app = &cmd.command;
    assert_eq!(app.itunes_store_id, Some(361309726));
    assert_eq!(app.identifier, None);
    assert_eq!(
        app.management_flags,
        Some(ManagementFlags::REMOVE_APP_WITH_MDM_PROFILE | ManagementFlags::PREVENT_DATA_BACKUP)
    );
    assert_eq!(app.options.as_ref().unwrap().purchase_method, Some(PurchaseMethod::Value1));
    let attrs = app.attributes.as_ref().unwrap();
    assert_eq!(attrs.removable, Some(false));
    assert_eq!(attrs.associated_domains.as_deref(), Some(&["applinks:example.com".to_owned()][..]));
    assert_eq!(
        app.configuration.as_ref().unwrap().get("ServerURL").and_then(|v| v.as_string()),
        Some("https://mdm.example.com")
    );
    assert_eq!(app.change_management_state.as_ref().map(|s| s.as_str()), Some("Managed"));
    assert!(app.extra.is_empty());
    assert_lossless::<Command<InstallApplication>>(&bytes);
}

/// The same command as `INSTALL_APPLICATION`, built in one expression
/// (the README's construction example): struct literals with
/// `..Default::default()` at every level.
#[test]
fn install_application_in_one_expression() {
    let built = Command::new(
        "6D1A6A4C-5A0D-4B9F-8F43-0F4C9B1D2E11",
        InstallApplication {
            itunes_store_id: Some(361309726),
            management_flags: Some(ManagementFlags::REMOVE_APP_WITH_MDM_PROFILE | ManagementFlags::PREVENT_DATA_BACKUP),
            options: Some(Options { purchase_method: Some(PurchaseMethod::Value1), ..Default::default() }),
            attributes: Some(Attributes {
                removable: Some(false),
                associated_domains: Some(vec!["applinks:example.com".into()]),
                ..Default::default()
            }),
            configuration: Some(plist::Dictionary::from_iter([("ServerURL", "https://mdm.example.com")])),
            change_management_state: Some("Managed".parse().unwrap()),
            ..Default::default()
        },
    );
    let decoded: Command<InstallApplication> = from_plist(&plist(INSTALL_APPLICATION)).unwrap();
    assert_eq!(built, decoded);
    assert_eq!(
        to_plist_value(&built).unwrap(),
        plist::Value::from_reader(std::io::Cursor::new(plist(INSTALL_APPLICATION))).unwrap()
    );
}

/// A key the schema requires on every OS is an argument of `new`: the
/// constructor's signature is the check (README has the compile_fail test
/// that `InstallProfile::new()` does not compile).
#[test]
fn required_keys_are_constructor_arguments() {
    let new: fn(Data) -> InstallProfile = InstallProfile::new;
    let profile = new(Data::from(b"<plist/>".to_vec()));
    assert_eq!(profile.payload.as_ref(), b"<plist/>");
    assert_eq!(profile.request_type(), "InstallProfile");
}

#[test]
fn install_application_response_with_state_and_rejection_reason() {
    let bytes = plist(
        r#"<dict>
	<key>CommandUUID</key>
	<string>6D1A6A4C-5A0D-4B9F-8F43-0F4C9B1D2E11</string>
	<key>Identifier</key>
	<string>com.apple.Pages</string>
	<key>RejectionReason</key>
	<string>AppStoreDisabled</string>
	<key>State</key>
	<string>Failed</string>
	<key>Status</key>
	<string>Acknowledged</string>
	<key>UDID</key>
	<string>00008030-000A1C2E0C38802E</string>
</dict>"#,
    );
    let resp: CommandResponse<InstallApplicationResponse> = from_plist(&bytes).unwrap();
    assert_eq!(resp.status, CommandStatus::Acknowledged);
    assert_eq!(resp.command_uuid.as_deref(), Some("6D1A6A4C-5A0D-4B9F-8F43-0F4C9B1D2E11"));
    assert_eq!(resp.udid.as_deref(), Some("00008030-000A1C2E0C38802E"));
    assert_eq!(resp.body.as_ref().unwrap().identifier.as_deref(), Some("com.apple.Pages"));
    assert_eq!(resp.body.as_ref().unwrap().state, Some(State::Failed));
    assert_eq!(resp.body.as_ref().unwrap().rejection_reason, Some(RejectionReason::AppStoreDisabled));
    assert!(resp.error_chain.is_none());
    assert_lossless::<CommandResponse<InstallApplicationResponse>>(&bytes);
}

fn app_item(id: &str, status: &str, flags: i64, extra: &str) -> String {
    format!(
        "<key>{id}</key><dict><key>Status</key><string>{status}</string>\
         <key>ManagementFlags</key><integer>{flags}</integer>\
         <key>HasConfiguration</key><true/><key>HasFeedback</key><false/>{extra}</dict>"
    )
}

#[test]
fn managed_application_list_from_ios() {
    let items = [
        app_item(
            "com.apple.Pages",
            "Managed",
            5,
            "<key>IsValidated</key><true/><key>ExternalVersionIdentifier</key><integer>829165942</integer>",
        ),
        app_item(
            "com.example.Paid",
            "NeedsRedemption",
            1,
            "<key>IsValidated</key><false/><key>UnusedRedemptionCode</key><string>XR7M4N</string>",
        ),
    ]
    .concat();
    let bytes = plist(&format!(
        "<dict><key>CommandUUID</key><string>list-1</string><key>ManagedApplicationList</key><dict>{items}</dict>\
         <key>Status</key><string>Acknowledged</string><key>UDID</key><string>1c111c111c111c111c111c111c111c111c111c11</string></dict>"
    ));
    let resp: CommandResponse<ManagedApplicationListResponse> = from_plist(&bytes).unwrap();
    let list = &resp.body.as_ref().unwrap().managed_application_list;
    assert_eq!(list.len(), 2);
    let pages = &list["com.apple.Pages"];
    assert_eq!(pages.status, Status::Managed);
    assert_eq!(pages.management_flags.bits(), 5);
    assert!(pages.management_flags.contains(ManagementFlags::REMOVE_APP_WITH_MDM_PROFILE));
    assert!(pages.management_flags.contains(ManagementFlags::PREVENT_DATA_BACKUP));
    assert_eq!(pages.is_validated, Some(true));
    assert_eq!(pages.external_version_identifier, Some(829165942));
    assert_eq!(pages.unused_redemption_code, None);
    let paid = &list["com.example.Paid"];
    assert_eq!(paid.status, Status::NeedsRedemption);
    assert_eq!(paid.management_flags, ManagementFlags::REMOVE_APP_WITH_MDM_PROFILE);
    assert_eq!(paid.unused_redemption_code.as_deref(), Some("XR7M4N"));
    assert_eq!(paid.is_validated, Some(false));
    assert_lossless::<CommandResponse<ManagedApplicationListResponse>>(&bytes);
}

#[test]
fn managed_application_list_from_macos_lacks_ios_only_keys() {
    // macOS has no IsValidated or UnusedRedemptionCode (n/a in the schema,
    // although marked required); the reply must decode all the same.
    let items = [
        app_item("com.microsoft.Word", "Managed", 5, ""),
        app_item("com.example.Tool", "Installing", 4, ""),
        app_item("com.example.Gone", "ManagedButUninstalled", 0, ""),
    ]
    .concat();
    let bytes = plist(&format!(
        "<dict><key>CommandUUID</key><string>list-2</string><key>ManagedApplicationList</key><dict>{items}</dict>\
         <key>Status</key><string>Acknowledged</string><key>UDID</key><string>564D2A5E-8F6B-4AC5-9B2E-3E8C5B1D7A10</string>\
         <key>UserID</key><string>C3F7E5A0-1B2C-4D3E-8F9A-0B1C2D3E4F50</string><key>UserShortName</key><string>jappleseed</string></dict>"
    ));
    let resp: CommandResponse<ManagedApplicationListResponse> = from_plist(&bytes).unwrap();
    assert_eq!(resp.user_short_name.as_deref(), Some("jappleseed"));
    assert_eq!(resp.user_id.as_deref(), Some("C3F7E5A0-1B2C-4D3E-8F9A-0B1C2D3E4F50"));
    let list = &resp.body.as_ref().unwrap().managed_application_list;
    assert_eq!(list.keys().collect::<Vec<_>>(), ["com.example.Gone", "com.example.Tool", "com.microsoft.Word"]);
    let word = &list["com.microsoft.Word"];
    assert_eq!(word.status, Status::Managed);
    assert_eq!(
        word.management_flags,
        ManagementFlags::REMOVE_APP_WITH_MDM_PROFILE | ManagementFlags::PREVENT_DATA_BACKUP
    );
    assert_eq!(word.is_validated, None);
    assert_eq!(word.unused_redemption_code, None);
    assert_eq!(word.has_configuration, Some(true));
    assert_eq!(list["com.example.Tool"].management_flags, ManagementFlags::PREVENT_DATA_BACKUP);
    assert_eq!(list["com.example.Gone"].status, Status::ManagedButUninstalled);
    assert!(list["com.example.Gone"].management_flags.is_empty());
    assert_lossless::<CommandResponse<ManagedApplicationListResponse>>(&bytes);
}

#[test]
fn unknown_values_and_keys_survive_unchanged() {
    // A newer OS: a State the schema does not list, an unknown key at the
    // top, an unknown key inside an app item, and an unknown flag bit.
    let bytes = plist(
        r#"<dict>
	<key>CommandUUID</key><string>u-1</string>
	<key>Identifier</key><string>com.example.app</string>
	<key>State</key><string>WaitingForNetwork</string>
	<key>Status</key><string>Acknowledged</string>
	<key>UDID</key><string>u</string>
	<key>InstallProgress</key><real>0.25</real>
</dict>"#,
    );
    let resp: CommandResponse<InstallApplicationResponse> = from_plist(&bytes).unwrap();
    assert_eq!(resp.body.as_ref().unwrap().state, Some(State::Unrecognized("WaitingForNetwork".into())));
    assert_eq!(resp.body.as_ref().unwrap().state.as_ref().unwrap().as_str(), "WaitingForNetwork");
    assert_eq!(resp.body.as_ref().unwrap().extra.get("InstallProgress"), Some(&plist::Value::Real(0.25)));
    let back = to_plist_value(&resp).unwrap();
    assert_eq!(back, plist::Value::from_reader(std::io::Cursor::new(&bytes)).unwrap());
    assert_lossless::<CommandResponse<InstallApplicationResponse>>(&bytes);

    let bytes = plist(&format!(
        "<dict><key>ManagedApplicationList</key><dict>{}</dict><key>Status</key><string>Acknowledged</string></dict>",
        app_item("com.example.app", "Downloading", 1 | 8, "<key>AppStoreVendable</key><true/>")
    ));
    let resp: CommandResponse<ManagedApplicationListResponse> = from_plist(&bytes).unwrap();
    let item = &resp.body.as_ref().unwrap().managed_application_list["com.example.app"];
    assert_eq!(item.status, Status::Unrecognized("Downloading".into()));
    assert_eq!(item.management_flags.bits(), 9);
    assert_eq!(item.extra.get("AppStoreVendable"), Some(&plist::Value::Boolean(true)));
    assert_lossless::<CommandResponse<ManagedApplicationListResponse>>(&bytes);
}

#[test]
fn error_response_with_error_chain() {
    let bytes = plist(
        r#"<dict>
	<key>CommandUUID</key>
	<string>0b8e2d5c-2a64-4d4b-9a8f-2f1c3e4d5a6b</string>
	<key>ErrorChain</key>
	<array>
		<dict>
			<key>ErrorCode</key>
			<integer>1009</integer>
			<key>ErrorDomain</key>
			<string>MCInstallationErrorDomain</string>
			<key>LocalizedDescription</key>
			<string>Das Profil „Wi-Fi“ konnte nicht installiert werden.</string>
			<key>USEnglishDescription</key>
			<string>The profile “Wi-Fi” could not be installed.</string>
		</dict>
		<dict>
			<key>ErrorCode</key>
			<integer>4001</integer>
			<key>ErrorDomain</key>
			<string>MCPayloadErrorDomain</string>
			<key>LocalizedDescription</key>
			<string>Ungültige Payload</string>
		</dict>
	</array>
	<key>Status</key>
	<string>Error</string>
	<key>UDID</key>
	<string>00008030-000A1C2E0C38802E</string>
</dict>"#,
    );
    let resp: CommandResponse<InstallApplicationResponse> = from_plist(&bytes).unwrap();
    assert_eq!(resp.status, CommandStatus::Error);
    assert!(!resp.is_acknowledged());
    let chain = resp.error_chain.as_ref().unwrap();
    assert_eq!(chain.len(), 2);
    assert_eq!(chain[0].error_code, Some(1009));
    assert_eq!(chain[0].error_domain.as_deref(), Some("MCInstallationErrorDomain"));
    assert_eq!(chain[0].us_english_description.as_deref(), Some("The profile “Wi-Fi” could not be installed."));
    assert_eq!(chain[1].error_code, Some(4001));
    assert_eq!(chain[1].us_english_description, None);
    assert_eq!(
        resp.error_summary().unwrap(),
        "MCInstallationErrorDomain 1009: The profile “Wi-Fi” could not be installed.; \
         MCPayloadErrorDomain 4001: Ungültige Payload"
    );
    assert_lossless::<CommandResponse<InstallApplicationResponse>>(&bytes);
}

#[test]
fn install_enterprise_application_with_manifest_url() {
    let cert = [0x30u8, 0x82, 0x01, 0x0a, 0x02, 0x82, 0x01, 0x01];
    let bytes = plist(&format!(
        r#"<dict>
	<key>CommandUUID</key>
	<string>ent-1</string>
	<key>Command</key>
	<dict>
		<key>RequestType</key>
		<string>InstallEnterpriseApplication</string>
		<key>ManifestURL</key>
		<string>https://mdm.example.com/manifests/munkitools-6.6.5.plist</string>
		<key>ManifestURLPinningCerts</key>
		<array>
			<data>{}</data>
		</array>
		<key>PinningRevocationCheckRequired</key>
		<true/>
		<key>InstallAsManaged</key>
		<true/>
		<key>ManagementFlags</key>
		<integer>1</integer>
	</dict>
</dict>"#,
        Data::new(cert).to_base64()
    ));
    let cmd: Command<InstallEnterpriseApplication> = from_plist(&bytes).unwrap();
    let c = &cmd.command;
    assert_eq!(c.manifest_url.as_deref(), Some("https://mdm.example.com/manifests/munkitools-6.6.5.plist"));
    assert_eq!(c.manifest_url_pinning_certs.as_deref(), Some(&[Data::new(cert)][..]));
    assert_eq!(c.pinning_revocation_check_required, Some(true));
    assert_eq!(c.install_as_managed, Some(true));
    assert_eq!(c.management_flags, Some(ManagementFlags::REMOVE_APP_WITH_MDM_PROFILE));
    assert_eq!(c.manifest, None);
    assert_lossless::<Command<InstallEnterpriseApplication>>(&bytes);
    // <data> is <data> in plist, base64 text in JSON.
    let xml = to_plist_xml(&cmd).unwrap();
    let compact: String = xml.split_whitespace().collect();
    assert!(compact.contains("<array><data>MIIBCgKCAQE=</data></array>"), "{xml}");
    let json: serde_json::Value = serde_json::from_str(&to_json(&cmd).unwrap()).unwrap();
    assert_eq!(json["Command"]["ManifestURLPinningCerts"][0], "MIIBCgKCAQE=");
    assert_eq!(json["Command"]["RequestType"], "InstallEnterpriseApplication");
    assert_eq!(from_json::<Command<InstallEnterpriseApplication>>(json.to_string().as_bytes()).unwrap(), cmd);
}

#[test]
fn any_request_decodes_by_request_type() {
    let cmd: Command<AnyRequest> = from_plist(&plist(INSTALL_APPLICATION)).unwrap();
    match &cmd.command {
        AnyRequest::InstallApplication(app) => assert_eq!(app.itunes_store_id, Some(361309726)),
        other => panic!("decoded as {other:?}"),
    }
    // An unknown RequestType is kept whole.
    let bytes = plist(
        "<dict><key>CommandUUID</key><string>x</string><key>Command</key><dict>\
         <key>RequestType</key><string>TeleportDevice</string><key>Destination</key><string>Mars</string>\
         </dict></dict>",
    );
    let cmd: Command<AnyRequest> = from_plist(&bytes).unwrap();
    assert_eq!(cmd.request_type(), "TeleportDevice");
    match &cmd.command {
        AnyRequest::Unrecognized(d) => {
            assert_eq!(d.get("Destination").and_then(|v| v.as_string()), Some("Mars"));
            assert_eq!(d.get("RequestType").and_then(|v| v.as_string()), Some("TeleportDevice"));
        }
        other => panic!("decoded as {other:?}"),
    }
    assert_lossless::<Command<AnyRequest>>(&bytes);
}

#[test]
fn every_request_type_round_trips_as_its_own_variant() {
    assert_eq!(AnyRequest::REQUEST_TYPES.len(), 66);
    for rt in AnyRequest::REQUEST_TYPES {
        let payload = AnyRequest::empty(rt).unwrap();
        assert!(!payload.is_unrecognized(), "{rt}");
        assert_eq!(payload.request_type(), *rt);
        let cmd = Command::new(format!("uuid-{rt}"), payload);
        for bytes in [to_plist_xml(&cmd).unwrap().into_bytes(), to_plist_binary(&cmd).unwrap()] {
            let back: Command<AnyRequest> = from_plist(&bytes).unwrap_or_else(|e| panic!("{rt}: {e}"));
            assert!(!back.command.is_unrecognized(), "{rt} decoded as Unrecognized");
            assert_eq!(back.request_type(), *rt);
            assert_eq!(back, cmd, "{rt}");
        }
        let json = to_json(&cmd).unwrap();
        let back: Command<AnyRequest> = from_json(json.as_bytes()).unwrap_or_else(|e| panic!("{rt}: {e}"));
        assert_eq!(back, cmd, "{rt} via JSON");
    }
    assert!(AnyRequest::empty("NoSuchCommand").is_none());
}

#[test]
fn decode_response_by_request_type() {
    use apple_device_management::DecodeMode;
    use apple_device_management::commands::{AnyResponse, decode_response};
    let bytes = plist(
        "<dict><key>CommandUUID</key><string>a</string><key>Identifier</key><string>com.x</string>\
         <key>State</key><string>Queued</string><key>Status</key><string>Acknowledged</string></dict>",
    );
    let resp = decode_response("InstallApplication", &bytes, DecodeMode::Strict).unwrap();
    match resp.body.as_ref().unwrap() {
        AnyResponse::InstallApplication(b) => assert_eq!(b.state, Some(State::Queued)),
        other => panic!("{other:?}"),
    }
    assert_eq!(to_plist_value(&resp).unwrap(), plist::Value::from_reader(std::io::Cursor::new(&bytes)).unwrap());
    let resp = decode_response("FutureCommand", &bytes, DecodeMode::Strict).unwrap();
    match resp.body.as_ref().unwrap() {
        AnyResponse::Unrecognized(d) => assert_eq!(d.len(), 2),
        other => panic!("{other:?}"),
    }
}

#[test]
fn wrong_kinds_are_errors_with_key_paths_or_kept_leniently() {
    let bytes = plist(&format!(
        "<dict><key>ManagedApplicationList</key><dict>{}</dict><key>Status</key><string>Acknowledged</string></dict>",
        app_item("com.example.app", "Managed", 1, "<key>IsValidated</key><string>YES</string>")
    ));
    let err = from_plist_strict::<CommandResponse<ManagedApplicationListResponse>>(&bytes).unwrap_err();
    assert_eq!(
        err.to_string(),
        "ManagedApplicationList[\"com.example.app\"].IsValidated: expected boolean, found string"
    );
    // Leniently, the typed field stays empty, the raw value is kept and
    // written back, and the deviation is listed.
    // Leniently (the default for replies, which devices send).
    let resp: CommandResponse<ManagedApplicationListResponse> = from_plist(&bytes).unwrap();
    let item = &resp.body.as_ref().unwrap().managed_application_list["com.example.app"];
    assert_eq!(item.is_validated, None);
    assert_eq!(item.extra.get("IsValidated"), Some(&plist::Value::String("YES".into())));
    let devs = resp.deviations();
    assert_eq!(devs.len(), 1);
    assert_eq!(devs[0].path.to_string(), "ManagedApplicationList[\"com.example.app\"].IsValidated");
    assert_eq!(
        devs[0].kind,
        apple_device_management::DeviationKind::WrongKind { expected: ValueKind::Boolean, found: ValueKind::String }
    );
    assert_lossless::<CommandResponse<ManagedApplicationListResponse>>(&bytes);
}
