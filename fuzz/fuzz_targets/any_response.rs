#![no_main]
//! A device's reply to any command: the first byte picks the request type.
//! What decodes must encode to XML, binary plist and JSON, and each must
//! decode back to the same XML bytes.
use apple_device_management::commands::{AnyRequest, decode_response};
use apple_device_management::{DecodeMode, to_json, to_plist_binary, to_plist_xml};
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((pick, body)) = data.split_first() else { return };
    let types = AnyRequest::REQUEST_TYPES;
    let rt = types[usize::from(*pick) % types.len()];
    let Ok(first) = decode_response(rt, body, DecodeMode::Lenient) else { return };
    let Ok(xml) = to_plist_xml(&first) else { return };
    let second = decode_response(rt, xml.as_bytes(), DecodeMode::Lenient).expect("what we encode decodes");
    assert_eq!(to_plist_xml(&second).expect("encodes again"), xml, "XML round trip");
    let bin = to_plist_binary(&first).expect("binary encodes");
    let third = decode_response(rt, &bin, DecodeMode::Lenient).expect("binary decodes");
    assert_eq!(to_plist_xml(&third).expect("encodes again"), xml, "binary round trip");
    // JSON has no form for NaN/infinite reals: that is an encode error, not a bug.
    let Ok(json) = to_json(&first) else { return };
    let back: serde_json::Value = serde_json::from_str(&json).expect("our JSON parses");
    assert_eq!(to_json(&back).expect("JSON encodes again"), json, "JSON is stable");
});
