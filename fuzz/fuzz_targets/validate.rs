#![no_main]
//! Validation on any bytes: it never panics, and a typed document's report
//! is the report of the plist it encodes to, read back untyped (a profile,
//! a check-in message and a command's reply, each for an iOS and a macOS
//! target). Reports are compared as `Debug` text, so that a NaN real
//! compares equal.
use apple_device_management::checkin::AnyCheckin;
use apple_device_management::commands::{AnyRequest, decode_response};
use apple_device_management::profiles::Profile;
use apple_device_management::validate::{self, DocumentKind, Validate};
use apple_device_management::{DecodeMode, FieldValue, Platform, Target, from_plist_lenient, to_plist_xml};
use serde::de::DeserializeOwned;

fn targets() -> [Target; 2] {
    [
        Target::new(Platform::IOS, "17.0".parse().expect("a version")),
        Target::new(Platform::MacOS, "15.0".parse().expect("a version")),
    ]
}

fn typed_as_untyped<T: FieldValue + DeserializeOwned + Validate>(data: &[u8], kind: DocumentKind) {
    let Ok(typed) = from_plist_lenient::<T>(data) else { return };
    let Ok(xml) = to_plist_xml(&typed) else { return };
    let value: plist::Value = plist::from_bytes(xml.as_bytes()).expect("the plist crate reads what we write");
    for target in &targets() {
        assert_eq!(
            format!("{:?}", typed.validate(target)),
            format!("{:?}", validate::as_kind(&value, kind, target)),
            "typed and untyped validation differ"
        );
    }
}

/// A reply to a command the input's length chooses, checked in place and
/// in its plist form against that command's response keys.
fn reply_typed_as_untyped(data: &[u8]) {
    let request_type = AnyRequest::REQUEST_TYPES[data.len() % AnyRequest::REQUEST_TYPES.len()];
    let Ok(typed) = decode_response(request_type, data, DecodeMode::Lenient) else { return };
    let Ok(xml) = to_plist_xml(&typed) else { return };
    let value: plist::Value = plist::from_bytes(xml.as_bytes()).expect("the plist crate reads what we write");
    for target in &targets() {
        assert_eq!(
            format!("{:?}", typed.validate(Some(request_type), target)),
            format!("{:?}", validate::command_response(&value, Some(request_type), target)),
            "typed and untyped validation of a reply differ"
        );
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(value) = from_plist_lenient::<plist::Value>(data) {
        for target in &targets() {
            validate::document(&value, target);
        }
    }
    typed_as_untyped::<Profile>(data, DocumentKind::Profile);
    typed_as_untyped::<AnyCheckin>(data, DocumentKind::Checkin);
    reply_typed_as_untyped(data);
});
