//! What devices and admins really send: replies that are only an envelope
//! (NotNow, Error, CommandFormatError) for every command, profiles that
//! Apple's schema is stricter about than devices are, payload types shared
//! by several schema files, XML with DTD tricks, and the errors a user sees
//! when something is wrong. Every payload here is built by hand.

#![cfg(all(feature = "commands", feature = "profiles", feature = "checkin"))]

use apple_device_management::commands::{
    AnyRequest, AnyResponse, DeviceInformationResponse, InstalledApplicationListResponse,
    ManagedApplicationListResponse, SecurityInfoResponse, decode_raw_response, decode_response, decode_response_json,
};
use apple_device_management::profiles::{AnyPayload, Profile};
use apple_device_management::{
    CommandResponse, CommandStatus, DecodeMode, DeviationKind, Error, RawResponse, ValueKind, from_json, from_plist,
    from_plist_lenient, from_plist_strict, to_json, to_plist_binary, to_plist_value, to_plist_xml,
};

/// A reply as a device writes it, in the order this crate writes the
/// envelope, so that the re-encoded bytes can be compared exactly.
fn reply(status: &str, with_chain: bool) -> Vec<u8> {
    let mut d = plist::Dictionary::new();
    d.insert("Status".into(), status.into());
    d.insert("CommandUUID".into(), "6F0C2A57-1B3E-4F2A-9C1D-2E7B5A4C3D21".into());
    if with_chain {
        let mut item = plist::Dictionary::new();
        item.insert("ErrorCode".into(), plist::Value::Integer(12021.into()));
        item.insert("ErrorDomain".into(), "MCMDMErrorDomain".into());
        item.insert("LocalizedDescription".into(), "Invalid request".into());
        item.insert("USEnglishDescription".into(), "Invalid request".into());
        d.insert("ErrorChain".into(), plist::Value::Array(vec![plist::Value::Dictionary(item)]));
    }
    d.insert("UDID".into(), "00008030-000A1C2E0C38802E".into());
    d.insert("EnrollmentID".into(), "B3E1C4D2-0000-4000-8000-000000000001".into());
    let mut out = Vec::new();
    plist::Value::Dictionary(d).to_writer_xml(&mut out).unwrap();
    out
}

fn check_envelope<B>(r: &CommandResponse<B>, status: &CommandStatus, with_chain: bool, what: &str) {
    assert_eq!(&r.status, status, "{what}");
    assert_eq!(r.command_uuid.as_deref(), Some("6F0C2A57-1B3E-4F2A-9C1D-2E7B5A4C3D21"), "{what}");
    assert_eq!(r.udid.as_deref(), Some("00008030-000A1C2E0C38802E"), "{what}");
    assert_eq!(r.enrollment_id.as_deref(), Some("B3E1C4D2-0000-4000-8000-000000000001"), "{what}");
    assert_eq!(r.error_chain.is_some(), with_chain, "{what}");
    assert!(r.body.is_none(), "{what}: an envelope-only reply has no body");
    assert!(r.acknowledged_body().is_none(), "{what}");
}

#[test]
fn envelope_only_replies_decode_for_every_command_and_status() {
    let mut checked = 0;
    for (status, wire, with_chain) in [
        (CommandStatus::NotNow, "NotNow", false),
        (CommandStatus::Error, "Error", true),
        (CommandStatus::CommandFormatError, "CommandFormatError", false),
        (CommandStatus::Idle, "Idle", false),
    ] {
        let bytes = reply(wire, with_chain);
        let text = std::str::from_utf8(&bytes).unwrap();
        for rt in AnyRequest::REQUEST_TYPES {
            let what = format!("{wire} reply to {rt}");
            for mode in [DecodeMode::Lenient, DecodeMode::Strict] {
                // decode_response goes through CommandResponse<the command's
                // typed response> for every request type.
                let r = decode_response(rt, &bytes, mode).unwrap_or_else(|e| panic!("{what}: {e}"));
                check_envelope(&r, &status, with_chain, &what);
                assert!(r.deviations().is_empty(), "{what}: {:?}", r.deviations());
                assert_eq!(to_plist_xml(&r).unwrap(), text, "{what}: byte-exact re-encode");
                // The envelope first, then the body by RequestType.
                let raw: RawResponse = from_plist(&bytes).unwrap();
                check_envelope(&raw, &status, with_chain, &what);
                assert_eq!(decode_raw_response(rt, &raw, mode).unwrap(), r, "{what}");
                // Binary and JSON.
                let bin = to_plist_binary(&r).unwrap();
                assert_eq!(decode_response(rt, &bin, mode).unwrap(), r, "{what} (binary)");
                let json = to_json(&r).unwrap();
                assert_eq!(decode_response_json(rt, json.as_bytes(), mode).unwrap(), r, "{what} (JSON)");
                checked += 1;
            }
        }
        // The typed path, for commands whose response has required keys.
        let r: CommandResponse<DeviceInformationResponse> = from_plist_strict(&bytes).unwrap();
        check_envelope(&r, &status, with_chain, "DeviceInformation");
        assert_eq!(to_plist_xml(&r).unwrap(), text);
        let r: CommandResponse<InstalledApplicationListResponse> = from_plist_strict(&bytes).unwrap();
        check_envelope(&r, &status, with_chain, "InstalledApplicationList");
        let r: CommandResponse<SecurityInfoResponse> = from_plist(&bytes).unwrap();
        check_envelope(&r, &status, with_chain, "SecurityInfo");
        assert_eq!(to_plist_xml(&r).unwrap(), text);
    }
    assert_eq!(checked, 4 * 2 * AnyRequest::REQUEST_TYPES.len());
    assert_eq!(AnyRequest::REQUEST_TYPES.len(), 66);
}

#[test]
fn an_acknowledged_reply_must_have_its_required_keys() {
    let bytes = reply("Acknowledged", false);
    // Leniently: decoded, the missing key listed, nothing invented.
    let r: CommandResponse<DeviceInformationResponse> = from_plist(&bytes).unwrap();
    let body = r.body.as_ref().expect("an Acknowledged reply has a body");
    assert_eq!(body.extra.absent(), ["QueryResponses"]);
    assert_eq!(
        r.deviations().iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["QueryResponses: required key is missing (the schema expects a dictionary)"]
    );
    assert_eq!(to_plist_xml(&r).unwrap(), std::str::from_utf8(&bytes).unwrap());
    // Strictly: an error naming the key.
    let err = from_plist_strict::<CommandResponse<DeviceInformationResponse>>(&bytes).unwrap_err();
    assert_eq!(err.to_string(), "QueryResponses: required key is missing (the schema expects a dictionary)");
    // Keys beyond the envelope in an Error reply make a body; its absent
    // required keys are not deviations there, and are not written back.
    let mut d: plist::Dictionary = from_plist(&reply("Error", true)).unwrap();
    let mut settings = plist::Dictionary::new();
    settings.insert("Status".into(), "Error".into());
    d.insert("Settings".into(), plist::Value::Dictionary(settings));
    d.insert("FutureKey".into(), true.into());
    let mut bytes = Vec::new();
    plist::Value::Dictionary(d).to_writer_xml(&mut bytes).unwrap();
    let r = decode_response("Settings", &bytes, DecodeMode::Strict).unwrap();
    assert!(matches!(r.body, Some(AnyResponse::Settings(_))), "{:?}", r.body);
    assert_eq!(to_plist_xml(&r).unwrap(), std::str::from_utf8(&bytes).unwrap());
    let r: CommandResponse<DeviceInformationResponse> = from_plist_strict(&bytes).unwrap();
    let body = r.body.as_ref().unwrap();
    assert_eq!(body.extra.absent(), ["QueryResponses"]);
    assert_eq!(body.extra.len(), 2, "Settings and FutureKey are not DeviceInformation keys");
    assert!(r.deviations().is_empty(), "{:?}", r.deviations());
    assert_eq!(to_plist_xml(&r).unwrap(), std::str::from_utf8(&bytes).unwrap());
}

#[test]
fn a_required_key_set_after_decoding_is_written() {
    let bytes = reply("Acknowledged", false);
    let mut r: CommandResponse<ManagedApplicationListResponse> = from_plist(&bytes).unwrap();
    let body = r.body.as_mut().unwrap();
    assert_eq!(body.extra.absent(), ["ManagedApplicationList"]);
    body.managed_application_list.insert("com.example.app".into(), Default::default());
    let xml = to_plist_xml(&r).unwrap();
    assert!(xml.contains("<key>ManagedApplicationList</key>"), "{xml}");
}

fn profile(payloads: &str) -> Vec<u8> {
    profile_with("<key>PayloadType</key><string>Configuration</string>", payloads)
}

fn profile_with(top: &str, payloads: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict>{top}\
         <key>PayloadIdentifier</key><string>com.example.profile</string>\
         <key>PayloadUUID</key><string>0E2F8E4C-3C1B-4B8D-9E55-6A0F1A2B3C4D</string>\
         <key>PayloadVersion</key><integer>1</integer>\
         <key>PayloadContent</key><array>{payloads}</array></dict></plist>"
    )
    .into_bytes()
}

fn payload(ty: &str, id: &str, keys: &str) -> String {
    format!(
        "<dict><key>PayloadType</key><string>{ty}</string><key>PayloadIdentifier</key><string>{id}</string>\
         <key>PayloadUUID</key><string>{id}-uuid</string><key>PayloadVersion</key><integer>1</integer>{keys}</dict>"
    )
}

/// Decodes strictly and leniently; both typed, no deviation, and the
/// encoding is the same value.
fn decodes_cleanly(bytes: &[u8]) -> Profile {
    let strict: Profile = from_plist_strict(bytes).unwrap_or_else(|e| panic!("{e}"));
    let lenient: Profile = from_plist_lenient(bytes).unwrap();
    assert_eq!(strict, lenient);
    assert!(
        apple_device_management::deviations(&strict).is_empty(),
        "{:?}",
        apple_device_management::deviations(&strict)
    );
    let original: plist::Value = from_plist(bytes).unwrap();
    assert_eq!(to_plist_value(&strict).unwrap(), original);
    strict
}

const TCC_SERVICES: &str = "<key>Services</key><dict><key>SystemPolicyAllFiles</key><array><dict>\
    <key>Identifier</key><string>com.example.agent</string><key>IdentifierType</key><string>bundleID</string>\
    <key>CodeRequirement</key><string>identifier \"com.example.agent\" and anchor apple generic</string>\
    <key>Authorization</key><string>Allow</string></dict></array></dict>";

#[test]
fn a_payload_without_payload_version() {
    // As endpoint-protection vendors ship their PPPC payloads.
    let p = format!(
        "<dict><key>PayloadType</key><string>com.apple.TCC.configuration-profile-policy</string>\
         <key>PayloadIdentifier</key><string>com.example.pppc</string>\
         <key>PayloadUUID</key><string>7C1D0B9A-0000-4000-8000-00000000000A</string>{TCC_SERVICES}</dict>"
    );
    let profile = decodes_cleanly(&profile(&p));
    let AnyPayload::TccConfigurationProfilePolicy(tcc) = &profile.payload_content[0] else { panic!() };
    assert_eq!(tcc.common.payload_version, None);
}

#[test]
fn a_tcc_entry_with_only_authorization() {
    let profile =
        decodes_cleanly(&profile(&payload("com.apple.TCC.configuration-profile-policy", "tcc", TCC_SERVICES)));
    let AnyPayload::TccConfigurationProfilePolicy(tcc) = &profile.payload_content[0] else { panic!() };
    let entry = &tcc.body.services.system_policy_all_files.as_ref().unwrap()[0];
    assert_eq!(entry.allowed, None);
    assert_eq!(entry.authorization.as_ref().map(|a| a.as_str()), Some("Allow"));
}

#[test]
fn consent_text_is_the_language_dictionary() {
    let top = "<key>PayloadType</key><string>Configuration</string><key>ConsentText</key><dict>\
               <key>default</key><string>This profile manages your Mac.</string>\
               <key>fr</key><string>Ce profil gère votre Mac.</string></dict>";
    let profile = decodes_cleanly(&profile_with(top, ""));
    let consent = profile.consent_text.as_ref().unwrap();
    assert_eq!(consent["default"], "This profile manages your Mac.");
    assert_eq!(consent["fr"], "Ce profil gère votre Mac.");
}

#[test]
fn a_dock_tile_as_macos_writes_it() {
    let tile = "<key>persistent-apps</key><array><dict><key>tile-data</key><dict>\
                <key>file-data</key><dict><key>_CFURLString</key><string>file:///Applications/Safari.app/</string>\
                <key>_CFURLStringType</key><integer>15</integer></dict>\
                <key>file-label</key><string>Safari</string><key>file-type</key><integer>41</integer></dict>\
                <key>tile-type</key><string>file-tile</string></dict></array>";
    let profile = decodes_cleanly(&profile(&payload("com.apple.dock", "dock", tile)));
    let AnyPayload::Dock(dock) = &profile.payload_content[0] else { panic!() };
    let tile = &dock.body.persistent_apps.as_ref().unwrap()[0];
    assert_eq!(tile.tile_data.label, None);
    assert_eq!(tile.tile_data.extra.get("file-label"), Some(&plist::Value::String("Safari".into())));
}

#[test]
fn one_bad_payload_does_not_untype_the_others() {
    let wifi = payload("com.apple.wifi.managed", "wifi", "<key>SSID_STR</key><string>Office</string>");
    // A payload that is not a dictionary, and one without PayloadType.
    let bytes = profile(&format!(
        "{wifi}<string>not a payload</string><dict><key>PayloadIdentifier</key><string>x</string></dict>{wifi}"
    ));
    let p: Profile = from_plist(&bytes).unwrap();
    assert!(matches!(p.payload_content[0], AnyPayload::WifiManaged(_)));
    assert_eq!(p.payload_content[1], AnyPayload::NotADictionary(plist::Value::String("not a payload".into())));
    assert!(matches!(p.payload_content[2], AnyPayload::Unrecognized(_)));
    assert!(matches!(p.payload_content[3], AnyPayload::WifiManaged(_)));
    assert_eq!(
        apple_device_management::deviations(&p).iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "PayloadContent[1]: expected dictionary, found string",
            "PayloadContent[2].PayloadType: required key is missing (the schema expects a string)",
        ]
    );
    let original: plist::Value = from_plist(&bytes).unwrap();
    assert_eq!(to_plist_value(&p).unwrap(), original, "written back as received");
    assert_eq!(
        from_plist_strict::<Profile>(&bytes).unwrap_err().to_string(),
        "PayloadContent[1]: expected dictionary, found string"
    );
    // A payload missing a key its schema requires stays typed.
    let bytes = profile(&payload("com.apple.wifi.managed", "wifi", "<key>AutoJoin</key><true/>"));
    let p: Profile = from_plist(&bytes).unwrap();
    assert!(matches!(p.payload_content[0], AnyPayload::WifiManaged(_)));
    let devs = apple_device_management::deviations(&p);
    assert!(devs.iter().all(|d| d.is_missing()), "{devs:?}");
    assert_eq!(to_plist_value(&p).unwrap(), from_plist::<plist::Value>(&bytes).unwrap());
}

#[test]
fn a_profile_is_a_profile() {
    let bytes = profile_with("<key>PayloadType</key><string>com.apple.wifi.managed</string>", "");
    let p: Profile = from_plist(&bytes).unwrap();
    let devs = apple_device_management::deviations(&p);
    assert_eq!(devs.len(), 1);
    assert_eq!(
        devs[0].kind,
        DeviationKind::UnexpectedValue { expected: "Configuration".into(), found: "com.apple.wifi.managed".into() }
    );
    assert_eq!(devs[0].to_string(), "PayloadType: expected `Configuration`, found `com.apple.wifi.managed`");
    let err = from_plist_strict::<Profile>(&bytes).unwrap_err();
    assert_eq!(err.to_string(), "PayloadType: expected `Configuration`, found `com.apple.wifi.managed`");
}

/// The rule for a PayloadType that several schema files describe: every
/// candidate is decoded; the one with the fewest departures from its schema
/// (missing required keys, wrong kinds, fixed values that differ) wins,
/// then the one that knows the most keys, then the first in file order.
#[test]
fn shared_payload_types_pick_the_file_that_fits() {
    // A Redirect-type SSO extension (Platform SSO): no Realm, which the
    // Kerberos file requires; its Type and ExtensionIdentifier are not the
    // Kerberos file's fixed values either.
    let redirect = payload(
        "com.apple.extensiblesso",
        "psso",
        "<key>ExtensionIdentifier</key><string>com.example.sso.extension</string>\
         <key>TeamIdentifier</key><string>ABCDE12345</string><key>Type</key><string>Redirect</string>\
         <key>URLs</key><array><string>https://login.example.com</string></array>",
    );
    let p = decodes_cleanly(&profile(&redirect));
    assert!(matches!(&p.payload_content[0], AnyPayload::Extensiblesso(_)), "{:?}", p.payload_content[0]);
    // The Kerberos extension, with its Realm: the Kerberos file.
    let kerberos = payload(
        "com.apple.extensiblesso",
        "krb",
        "<key>ExtensionIdentifier</key><string>com.apple.AppSSOKerberos.KerberosExtension</string>\
         <key>TeamIdentifier</key><string>apple</string><key>Type</key><string>Credential</string>\
         <key>Realm</key><string>EXAMPLE.COM</string><key>Hosts</key><array><string>example.com</string></array>",
    );
    let p = decodes_cleanly(&profile(&kerberos));
    assert!(matches!(&p.payload_content[0], AnyPayload::ExtensiblessoKerberos(_)), "{:?}", p.payload_content[0]);
    // com.apple.MCX: six files; the keys decide.
    let energy = payload(
        "com.apple.MCX",
        "energy",
        "<key>com.apple.EnergySaver.desktop.ACPower</key><dict><key>System Sleep Timer</key><integer>0</integer></dict>\
         <key>SleepDisabled</key><true/>",
    );
    let p: Profile = from_plist(&profile(&energy)).unwrap();
    assert!(matches!(&p.payload_content[0], AnyPayload::McxEnergySaver(_)), "{:?}", p.payload_content[0]);
    let timeserver = payload(
        "com.apple.MCX",
        "time",
        "<key>timeServer</key><string>time.example.com</string><key>timeZone</key><string>Europe/Paris</string>",
    );
    let p: Profile = from_plist(&profile(&timeserver)).unwrap();
    assert!(matches!(&p.payload_content[0], AnyPayload::McxTimeServer(_)), "{:?}", p.payload_content[0]);
}

#[test]
fn no_dtd_internal_subset_anywhere_in_an_xml_document() {
    let refused = |doc: &str| {
        let err = from_plist::<plist::Value>(doc.as_bytes()).unwrap_err().to_string();
        assert!(err.contains("which plists never use; refused"), "{err}\n{doc}");
        err
    };
    // A comment holding `<plist>` before the DOCTYPE used to end the scan.
    let err = refused(
        "<?xml version=\"1.0\"?><!-- <plist> --><!DOCTYPE plist [<!ENTITY f \"X\">]>\
         <plist version=\"1.0\"><dict><key>a</key><string>x&f;y</string></dict></plist>",
    );
    assert!(err.contains("declares XML entities"), "{err}");
    // A bare <dict> root after 70 KB of comment, the subset after it.
    let comment = "x".repeat(70 << 10);
    refused(&format!(
        "<!-- {comment} --><!DOCTYPE plist [<!ENTITY f \"X\">]><dict><key>a</key><string>&f;</string></dict>"
    ));
    // An internal subset without entities, and a declaration after the root.
    refused("<!DOCTYPE plist [<!ELEMENT plist ANY>]><plist version=\"1.0\"><dict/></plist>");
    refused("<plist version=\"1.0\"><dict/></plist><!ENTITY f \"X\">");
    // Text that only looks like a declaration is accepted: in a comment, in
    // CDATA, in a processing instruction, and Apple's own DOCTYPE.
    let ok = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><?note <!ENTITY a \"b\">?>\n\
              <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
              <!-- <!ENTITY x \"y\"> --><plist version=\"1.0\"><dict><key>a</key><string><![CDATA[<!ENTITY z>]]></string></dict></plist>";
    let v: plist::Value = from_plist(ok.as_bytes()).unwrap();
    assert!(v.as_dictionary().unwrap().contains_key("a"));
}

#[test]
fn errors_say_what_happened() {
    // A map entry that is not a dictionary names the entry.
    let bytes = b"<plist version=\"1.0\"><dict><key>Status</key><string>Acknowledged</string>\
        <key>ManagedApplicationList</key><dict><key>com.example.a</key><string>oops</string></dict></dict></plist>";
    let msg = "ManagedApplicationList[\"com.example.a\"]: expected dictionary, found string";
    let r: CommandResponse<ManagedApplicationListResponse> = from_plist(bytes).unwrap();
    assert_eq!(r.deviations()[0].to_string(), msg);
    let err = from_plist_strict::<CommandResponse<ManagedApplicationListResponse>>(bytes).unwrap_err();
    assert_eq!(err.to_string(), msg);
    // An element deep in nested lists.
    let bytes = b"<plist version=\"1.0\"><dict><key>Status</key><string>Acknowledged</string>\
        <key>InstalledApplicationList</key><array><dict><key>Identifier</key><string>a</string></dict>\
        <string>oops</string></array></dict></plist>";
    let err = from_plist_strict::<CommandResponse<InstalledApplicationListResponse>>(bytes).unwrap_err();
    assert_eq!(err.to_string(), "InstalledApplicationList[1]: expected dictionary, found string");
    // An integer beyond 64 bits.
    let bytes = b"<plist version=\"1.0\"><dict><key>Status</key><string>Acknowledged</string>\
        <key>Identifier</key><string>a</string><key>ErrorChain</key><array><dict>\
        <key>ErrorCode</key><integer>18446744073709551615</integer></dict></array></dict></plist>";
    let err = decode_response("InstallApplication", bytes, DecodeMode::Strict).unwrap_err();
    assert_eq!(
        err.to_string(),
        "ErrorChain[0].ErrorCode: the integer 18446744073709551615 is out of range (the schema's integers are signed 64-bit)"
    );
    // Empty bodies.
    for empty in [&b""[..], b"  \n", b"\xef\xbb\xbf"] {
        let err = from_plist::<RawResponse>(empty).unwrap_err();
        assert_eq!(err.to_string(), "invalid plist at (root): empty body: there is nothing to decode", "{empty:?}");
        let err = from_json::<RawResponse>(empty).unwrap_err();
        assert_eq!(err.to_string(), "invalid JSON at (root): empty body: there is nothing to decode", "{empty:?}");
    }
    // The wrong decoder for the format.
    let err = from_plist::<RawResponse>(br#"{"Status": "Acknowledged"}"#).unwrap_err();
    assert_eq!(err.to_string(), "invalid plist at (root): this is JSON, not a plist; decode it with from_json");
    let bin = to_plist_binary(&from_plist::<RawResponse>(&reply("NotNow", false)).unwrap()).unwrap();
    let err = from_json::<RawResponse>(&bin).unwrap_err();
    assert_eq!(err.to_string(), "invalid JSON at (root): this is a binary plist, not JSON; decode it with from_plist");
    let err = from_json::<RawResponse>(&reply("NotNow", false)).unwrap_err();
    assert_eq!(err.to_string(), "invalid JSON at (root): this is an XML plist, not JSON; decode it with from_plist");
    // The kind names in a deviation.
    let d = &from_plist::<CommandResponse<ManagedApplicationListResponse>>(
        b"<plist version=\"1.0\"><dict><key>Status</key><integer>1</integer></dict></plist>",
    )
    .unwrap()
    .deviations()[0];
    assert_eq!(d.kind, DeviationKind::WrongKind { expected: ValueKind::String, found: ValueKind::Integer });
    assert!(matches!(from_plist::<RawResponse>(b"<plist><array/></plist>").unwrap_err(), Error::Plist { .. }));
}

#[test]
fn missing_tags_are_listed_not_fatal() {
    use apple_device_management::Command;
    // A Settings item without its `Item` discriminator, and a command
    // without RequestType: kept whole, listed, written back as received.
    let bytes = b"<plist version=\"1.0\"><dict><key>CommandUUID</key><string>x</string><key>Command</key><dict>\
        <key>RequestType</key><string>Settings</string><key>Settings</key><array>\
        <dict><key>DeviceName</key><string>a</string></dict></array></dict></dict></plist>";
    let c: Command<AnyRequest> = from_plist_lenient(bytes).unwrap();
    let devs = apple_device_management::deviations(&c);
    assert_eq!(devs[0].to_string(), "Command.Settings[0].Item: required key is missing (the schema expects a string)");
    assert_eq!(to_plist_value(&c).unwrap(), from_plist::<plist::Value>(bytes).unwrap());
    let bytes = b"<plist version=\"1.0\"><dict><key>CommandUUID</key><string>x</string><key>Command</key><dict>\
        <key>Queries</key><array/></dict></dict></plist>";
    let c: Command<AnyRequest> = from_plist_lenient(bytes).unwrap();
    assert!(c.command.is_unrecognized());
    let devs = apple_device_management::deviations(&c);
    assert_eq!(devs[0].to_string(), "Command.RequestType: required key is missing (the schema expects a string)");
    assert_eq!(to_plist_value(&c).unwrap(), from_plist::<plist::Value>(bytes).unwrap());
    assert!(from_plist_strict::<Command<AnyRequest>>(bytes).is_err());
    // A check-in without MessageType.
    let bytes = b"<plist version=\"1.0\"><dict><key>UDID</key><string>x</string></dict></plist>";
    let m: apple_device_management::checkin::AnyCheckin = from_plist(bytes).unwrap();
    assert_eq!(
        apple_device_management::deviations(&m)[0].to_string(),
        "MessageType: required key is missing (the schema expects a string)"
    );
}
