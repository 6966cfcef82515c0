#![no_main]
//! A device's reply to any command: the first byte picks the request type.
mod common;
use apple_device_management::commands::{AnyRequest, decode_response};
use apple_device_management::{Mode, to_plist_xml};
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((pick, body)) = data.split_first() else { return };
    let types = AnyRequest::REQUEST_TYPES;
    let rt = types[usize::from(*pick) % types.len()];
    let Ok(first) = decode_response(rt, body, Mode::Lenient) else { return };
    let Ok(xml) = to_plist_xml(&first) else { return };
    let second = decode_response(rt, xml.as_bytes(), Mode::Lenient).expect("what we encode decodes");
    assert_eq!(to_plist_xml(&second).expect("encodes again"), xml);
});
