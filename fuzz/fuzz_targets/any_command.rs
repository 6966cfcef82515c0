#![no_main]
//! Any command, XML or binary plist (and JSON).
mod common;
use apple_device_management::Command;
use apple_device_management::commands::AnyRequest;
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::plist_round_trip::<Command<AnyRequest>>(data);
    common::json_round_trip::<Command<AnyRequest>>(data);
});
