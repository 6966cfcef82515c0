#![no_main]
//! Any check-in message, XML or binary plist (and JSON).
mod common;
use apple_device_management::checkin::AnyCheckin;
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::plist_round_trip::<AnyCheckin>(data);
    common::json_round_trip::<AnyCheckin>(data);
});
