#![no_main]
//! Declarative management JSON: declarations and status reports (and plist).
mod common;
use apple_device_management::declarative::AnyDeclaration;
use apple_device_management::declarative::protocol::StatusReport;
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::json_round_trip::<AnyDeclaration>(data);
    common::json_round_trip::<StatusReport>(data);
    common::plist_round_trip::<AnyDeclaration>(data);
});
