//! Plist syntax as real files have it. Each oddity decodes into the typed
//! check-in it holds, with exact values. The plist crate itself takes all but
//! one; the one it refuses (base64 with missing or surplus padding in
//! `<data>`) is repadded by this crate (`normalize_xml`), and data that is
//! not base64 at all stays an error.

#![cfg(feature = "checkin")]

use apple_device_management::checkin::{AnyCheckin, TokenUpdate};
use apple_device_management::{
    Data, DecodeMode, Error, from_plist, from_plist_strict, from_plist_with, to_plist_value,
};

const BODY: &str = "<dict><key>MessageType</key><string>TokenUpdate</string>\
    <key>Topic</key><string>com.apple.mgmt.External.x</string>\
    <key>UDID</key><string>u-1</string>\
    <key>PushMagic</key><string>m</string>\
    <key>Token</key><data>AAECAw==</data></dict>";

const DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
const DOCTYPE: &str =
    "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">";

fn token_update(text: &str) -> TokenUpdate {
    let t: TokenUpdate = from_plist(text.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(t.topic, "com.apple.mgmt.External.x");
    assert_eq!(t.udid.as_deref(), Some("u-1"));
    t
}

#[test]
fn blank_line_before_the_xml_declaration() {
    let t = token_update(&format!("\n\n  {DECL}\n{DOCTYPE}\n<plist version=\"1.0\">{BODY}</plist>"));
    assert_eq!(t.token, Data::new([0, 1, 2, 3]));
}

#[test]
fn no_xml_declaration() {
    token_update(&format!("<plist version=\"1.0\">{BODY}</plist>"));
}

#[test]
fn lower_case_utf_8() {
    token_update(&format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<plist version=\"1.0\">{BODY}</plist>"));
}

#[test]
fn plist_version_1() {
    token_update(&format!("{DECL}\n<plist version=\"1\">{BODY}</plist>"));
}

#[test]
fn comments_inside_dict() {
    let body = BODY.replace("<key>UDID</key>", "<!-- the device --><key>UDID</key><!-- after the key -->");
    token_update(&format!("{DECL}\n<plist version=\"1.0\">{body}</plist>"));
}

#[test]
fn empty_string_element() {
    let body = BODY.replace("<string>m</string>", "<string/>");
    let t = token_update(&format!("{DECL}\n<plist version=\"1.0\">{body}</plist>"));
    assert_eq!(t.push_magic, "");
}

#[test]
fn long_form_false() {
    let body = BODY.replace("</dict>", "<key>AwaitingConfiguration</key><false></false></dict>");
    let t = token_update(&format!("{DECL}\n<plist version=\"1.0\">{body}</plist>"));
    assert_eq!(t.awaiting_configuration, Some(false));
}

#[test]
fn doctype_over_two_lines() {
    let doctype = DOCTYPE.replace(" \"http", "\n\t\"http");
    token_update(&format!("{DECL}\n{doctype}\n<plist version=\"1.0\">{BODY}</plist>"));
}

#[test]
fn data_with_bad_padding_is_repadded() {
    for (data, bytes) in [("AAECAw", vec![0, 1, 2, 3]), ("AAAA=", vec![0, 0, 0]), ("AAEC\n\tAw=", vec![0, 1, 2, 3])] {
        let body = BODY.replace("AAECAw==", data);
        let text = format!("{DECL}\n<plist version=\"1.0\">{body}</plist>");
        let t = token_update(&text);
        assert_eq!(t.token, Data::new(bytes.clone()), "{data}");
        // Written back with correct padding.
        let v = to_plist_value(&t).unwrap();
        assert_eq!(v.as_dictionary().unwrap().get("Token"), Some(&plist::Value::Data(bytes)));
    }
    // Not base64 at all: an error naming the key.
    let body = BODY.replace("AAECAw==", "Base64=");
    let err =
        from_plist::<TokenUpdate>(format!("{DECL}\n<plist version=\"1.0\">{body}</plist>").as_bytes()).unwrap_err();
    assert!(matches!(&err, Error::Plist { .. }), "{err}");
    assert!(err.to_string().starts_with("invalid plist at Token: invalid data string"), "{err}");
}

#[test]
fn check_ins_are_lenient_by_default_and_strict_on_request() {
    // A real device's TokenUpdate with AwaitingConfiguration as an integer.
    let body = BODY.replace("</dict>", "<key>AwaitingConfiguration</key><integer>0</integer></dict>");
    let text = format!("{DECL}\n<plist version=\"1.0\">{body}</plist>");
    let t: TokenUpdate = from_plist(text.as_bytes()).unwrap();
    assert_eq!(t.awaiting_configuration, None);
    assert_eq!(t.extra.get("AwaitingConfiguration"), Some(&plist::Value::Integer(0.into())));
    let devs = apple_device_management::deviations(&t);
    assert_eq!(devs.len(), 1);
    assert_eq!(devs[0].to_string(), "AwaitingConfiguration: expected boolean, found integer");
    // The any-check-in enum too.
    assert!(matches!(from_plist::<AnyCheckin>(text.as_bytes()).unwrap(), AnyCheckin::TokenUpdate(_)));
    // Strict on request.
    let err = from_plist_strict::<TokenUpdate>(text.as_bytes()).unwrap_err();
    assert_eq!(err.to_string(), "AwaitingConfiguration: expected boolean, found integer");
    assert!(from_plist_with::<TokenUpdate>(text.as_bytes(), DecodeMode::Strict).is_err());
}
