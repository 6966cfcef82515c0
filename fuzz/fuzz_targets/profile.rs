#![no_main]
//! A configuration profile, XML or binary plist (and JSON).
mod common;
use apple_device_management::profiles::Profile;
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::plist_round_trip::<Profile>(data);
    common::json_round_trip::<Profile>(data);
});
