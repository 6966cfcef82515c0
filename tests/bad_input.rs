//! Bad input gives a clear error naming the key path, never a panic.

use apple_device_management::commands::{
    AnyRequest, InstallApplication, InstallApplicationResponse, ManagedApplicationListResponse, Settings,
};
use apple_device_management::{
    Command, CommandResponse, DeviationKind, Error, ValueKind, from_json, from_plist, from_plist_strict,
};

fn plist(body: &str) -> Vec<u8> {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n{body}\n</plist>\n").into_bytes()
}

fn path(err: &Error) -> String {
    err.path().map(ToString::to_string).unwrap_or_default()
}

const INSTALL: &str = "<dict><key>CommandUUID</key><string>x</string><key>Command</key><dict>\
    <key>RequestType</key><string>InstallApplication</string><key>Options</key><dict>\
    <key>PurchaseMethod</key><integer>1</integer></dict></dict></dict>";

#[test]
fn truncated_plist_at_every_length_is_an_error_not_a_panic() {
    let full = plist(INSTALL);
    assert!(from_plist::<Command<InstallApplication>>(&full).is_ok());
    for cut in 0..full.len() - 10 {
        let err = from_plist::<Command<InstallApplication>>(&full[..cut]).unwrap_err();
        assert!(matches!(err, Error::Plist { .. }), "cut at {cut}: {err}");
    }
    let bin =
        apple_device_management::to_plist_binary(&from_plist::<Command<InstallApplication>>(&full).unwrap()).unwrap();
    for cut in 0..bin.len() {
        assert!(from_plist::<Command<InstallApplication>>(&bin[..cut]).is_err(), "binary cut at {cut}");
    }
}

#[test]
fn truncation_names_where_it_happened() {
    let full = String::from_utf8(plist(INSTALL)).unwrap();
    let cut = full.find("<key>Options").unwrap() + 5;
    let err = from_plist::<Command<InstallApplication>>(&full.as_bytes()[..cut]).unwrap_err();
    assert_eq!(path(&err), "Command");
    assert!(err.to_string().starts_with("invalid plist at Command: "), "{err}");
}

#[test]
fn non_dictionary_root() {
    let err = from_plist::<Command<InstallApplication>>(&plist("<array><string>x</string></array>")).unwrap_err();
    assert_eq!(err.to_string(), "invalid plist at (root): expected a dictionary, found an array");
    let err = from_plist::<CommandResponse<InstallApplicationResponse>>(&plist("<string>x</string>")).unwrap_err();
    assert_eq!(err.to_string(), "invalid plist at (root): expected a dictionary, found a string");
    let err = from_json::<Command<InstallApplication>>(b"[1, 2]").unwrap_err();
    assert!(matches!(err, Error::Json { .. }), "{err}");
    assert_eq!(path(&err), "(root)");
}

#[test]
fn wrong_type_names_the_key_path() {
    let bytes = plist(
        "<dict><key>CommandUUID</key><string>x</string><key>Command</key><dict>\
         <key>RequestType</key><string>InstallApplication</string><key>Options</key><dict>\
         <key>PurchaseMethod</key><string>one</string></dict></dict></dict>",
    );
    let err = from_plist::<Command<InstallApplication>>(&bytes).unwrap_err();
    let Error::Deviation(d) = &err else { panic!("{err:?}") };
    assert_eq!(d.path, apple_device_management::KeyPath::parse("Command.Options.PurchaseMethod"));
    assert_eq!(d.kind, DeviationKind::WrongKind { expected: ValueKind::Integer, found: ValueKind::String });
    assert_eq!(err.to_string(), "Command.Options.PurchaseMethod: expected integer, found string");
    // The same through the any-command enum and through JSON.
    let err = from_plist::<Command<AnyRequest>>(&bytes).unwrap_err();
    assert_eq!(err.to_string(), "Command.Options.PurchaseMethod: expected integer, found string");
    let json = br#"{"CommandUUID":"x","Command":{"RequestType":"InstallApplication","iTunesStoreID":true}}"#;
    assert_eq!(
        from_json::<Command<InstallApplication>>(json).unwrap_err().to_string(),
        "Command.iTunesStoreID: expected integer, found boolean"
    );
    // A date where a string belongs is a wrong kind too, not a string.
    let bytes = plist(
        "<dict><key>Status</key><string>Acknowledged</string><key>Identifier</key>\
         <date>2024-10-21T10:00:00Z</date></dict>",
    );
    assert_eq!(
        from_plist_strict::<CommandResponse<InstallApplicationResponse>>(&bytes).unwrap_err().to_string(),
        "Identifier: expected string, found date"
    );
}

#[test]
fn wrong_request_type_and_missing_keys() {
    let err = from_plist::<Command<InstallApplication>>(&plist(
        "<dict><key>CommandUUID</key><string>x</string><key>Command</key><dict>\
         <key>RequestType</key><string>DeviceLock</string></dict></dict>",
    ))
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid plist at Command: invalid value: string \"DeviceLock\", expected RequestType InstallApplication"
    );
    let err = from_plist::<Command<Settings>>(&plist(
        "<dict><key>CommandUUID</key><string>x</string><key>Command</key><dict>\
         <key>RequestType</key><string>Settings</string></dict></dict>",
    ))
    .unwrap_err();
    assert_eq!(err.to_string(), "Command.Settings: required key is missing (the schema expects an array)");
    // Inside a union element, decoded from a buffer: the path still reaches it.
    let err = from_plist::<Command<AnyRequest>>(&plist(
        "<dict><key>CommandUUID</key><string>x</string><key>Command</key><dict>\
         <key>RequestType</key><string>Settings</string><key>Settings</key><array>\
         <dict><key>Item</key><string>DeviceName</string><key>DeviceName</key><string>a</string></dict>\
         <dict><key>Item</key><string>Wallpaper</string><key>Where</key><integer>1</integer></dict>\
         </array></dict></dict>",
    ))
    .unwrap_err();
    assert_eq!(err.to_string(), "Command.Settings[1].Image: required key is missing (the schema expects data)");
    // A reply (lenient by default): a missing required key is a deviation,
    // not an error, and it is not written back; strictly it is the error.
    let bytes = plist(
        "<dict><key>Status</key><string>Acknowledged</string><key>ManagedApplicationList</key><dict>\
         <key>com.example.a</key><dict><key>Status</key><string>Managed</string></dict></dict></dict>",
    );
    let reply = from_plist::<CommandResponse<ManagedApplicationListResponse>>(&bytes).unwrap();
    let missing = "ManagedApplicationList[\"com.example.a\"].ManagementFlags: required key is missing \
                   (the schema expects an integer)";
    assert_eq!(reply.deviations().iter().map(ToString::to_string).collect::<Vec<_>>(), [missing]);
    let original: plist::Value = from_plist(&bytes).unwrap();
    assert_eq!(apple_device_management::to_plist_value(&reply).unwrap(), original, "nothing invented");
    let err = from_plist_strict::<CommandResponse<ManagedApplicationListResponse>>(&bytes).unwrap_err();
    assert_eq!(err.to_string(), missing);
    let reply = from_plist::<CommandResponse<InstallApplicationResponse>>(&plist("<dict/>")).unwrap();
    assert_eq!(reply.deviations()[0].to_string(), "Status: required key is missing (the schema expects a string)");
    assert_eq!(apple_device_management::to_plist_value(&reply).unwrap(), plist::Value::Dictionary(Default::default()));
    let err = from_plist_strict::<CommandResponse<InstallApplicationResponse>>(&plist("<dict/>")).unwrap_err();
    assert_eq!(err.to_string(), "Status: required key is missing (the schema expects a string)");
}

#[test]
fn garbage_bytes() {
    for bytes in [&b""[..], b"bplist00garbage", b"\xff\xfe\x00", b"<plist><dict><key>a</key></dict></plist>", b"{}"] {
        let err = from_plist::<CommandResponse<InstallApplicationResponse>>(bytes).unwrap_err();
        assert!(matches!(err, Error::Plist { .. }), "{bytes:?}: {err}");
    }
    let err = from_json::<Command<InstallApplication>>(br#"{"CommandUUID":"x","Command":{"#).unwrap_err();
    assert_eq!(path(&err), "Command");
    assert!(err.to_string().contains("EOF"), "{err}");
}

/// JSON is read as text checked once, whole, as UTF-8; bytes that are not
/// UTF-8 are still an error saying where, in the string or outside one,
/// and text that is UTF-8 decodes the same either way.
#[test]
fn json_that_is_not_utf8_is_an_error_saying_where() {
    let mut json =
        br#"{"CommandUUID":"x","Command":{"RequestType":"InstallApplication","iTunesStoreID":1,"ManifestURL":"a"#
            .to_vec();
    json.extend_from_slice(b"\xff\"}}".as_slice());
    let err = from_json::<Command<InstallApplication>>(&json).unwrap_err();
    assert!(matches!(err, Error::Json { .. }), "{err}");
    assert!(err.to_string().contains("invalid unicode code point at line 1 column"), "{err}");
    let mut outside = br#"{"CommandUUID":"x","Command":{"RequestType":"InstallApplication"}"#.to_vec();
    outside.extend_from_slice(b" \xfe}");
    assert!(from_json::<Command<InstallApplication>>(&outside).is_err());
    // Non-ASCII text, escaped and not, decodes as it did.
    let text = r#"{"CommandUUID":"x","Command":{"RequestType":"InstallApplication","ManifestURL":"https://é.example/\u00e9"}}"#;
    let command = from_json::<Command<InstallApplication>>(text.as_bytes()).unwrap();
    assert_eq!(command.command.manifest_url.as_deref(), Some("https://é.example/é"));
}

#[test]
fn known_keys_kept_raw_are_listed_in_schema_order_and_unknown_keys_are_not() {
    // On the wire: an unknown key, then the record's known keys in reverse
    // schema order, each of the wrong kind. Deviations come in the order
    // of the schema's keys, whatever the order of the dictionary.
    let bytes = plist(
        "<dict><key>Status</key><string>Acknowledged</string>\
         <key>NotInTheSchema</key><integer>1</integer>\
         <key>RejectionReason</key><true/><key>State</key><integer>2</integer>\
         <key>Identifier</key><array/></dict>",
    );
    let reply = from_plist::<CommandResponse<InstallApplicationResponse>>(&bytes).unwrap();
    let body = reply.body.as_ref().unwrap();
    assert_eq!(body.extra.len(), 4, "{:?}", body.extra);
    let listed: Vec<String> = reply.deviations().iter().map(ToString::to_string).collect();
    assert_eq!(
        listed,
        [
            "Identifier: expected string, found array",
            "State: expected string, found integer",
            "RejectionReason: expected string, found boolean",
        ]
    );
    let original: plist::Value = from_plist(&bytes).unwrap();
    assert_eq!(apple_device_management::to_plist_value(&reply).unwrap(), original, "nothing lost");
    let err = from_plist_strict::<CommandResponse<InstallApplicationResponse>>(&bytes).unwrap_err();
    assert_eq!(err.to_string(), listed[0]);
}
