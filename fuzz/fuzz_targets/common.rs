//! Shared by the targets: what decodes must encode, and encoding what it
//! decodes back must give the same bytes (encoding is idempotent; comparing
//! bytes rather than values keeps NaN reals from failing the check).

use apple_device_management::{
    FieldValue, from_json_lenient, from_plist_lenient, to_json, to_plist_binary, to_plist_xml,
};
use serde::de::DeserializeOwned;

pub fn plist_round_trip<T: FieldValue + DeserializeOwned>(data: &[u8]) {
    let Ok(first) = from_plist_lenient::<T>(data) else { return };
    let Ok(xml) = to_plist_xml(&first) else { return };
    let second = from_plist_lenient::<T>(xml.as_bytes()).expect("what we encode decodes");
    assert_eq!(to_plist_xml(&second).expect("encodes again"), xml, "XML round trip");
    let bin = to_plist_binary(&first).expect("binary encodes");
    let third = from_plist_lenient::<T>(&bin).expect("binary decodes");
    assert_eq!(to_plist_xml(&third).expect("encodes again"), xml, "binary round trip");
}

pub fn json_round_trip<T: FieldValue + DeserializeOwned>(data: &[u8]) {
    let Ok(first) = from_json_lenient::<T>(data) else { return };
    let Ok(json) = to_json(&first) else { return };
    let second = from_json_lenient::<T>(json.as_bytes()).expect("what we encode decodes");
    assert_eq!(to_json(&second).expect("encodes again"), json, "JSON round trip");
}
