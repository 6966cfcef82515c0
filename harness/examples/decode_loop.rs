//! Decodes one of the files `cargo bench --bench decode` writes to
//! `target/bench-input/` a given number of times, typed (with `from_plist`
//! or `from_json`, as its shape's type) or untyped (`plist::Value`,
//! `serde_json::Value`): a loop to count instructions with, which, unlike
//! times on this shared machine, repeat from run to run.
//!
//! ```text
//! cargo build --release -p apple-device-management-harness --example decode_loop
//! ir() { valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 | grep 'I *refs'; }
//! ir target/release/examples/decode_loop target/bench-input/profile_200_all.bplist 1
//! ir target/release/examples/decode_loop target/bench-input/profile_200_all.bplist 21
//! ```
//!
//! The difference of the two counts, divided by 20, is the instructions of
//! one decode (the start-up and the file read cancel out). A third argument
//! `value` decodes untyped instead. A file whose name starts with
//! `command_` (any plist of an MDM command, such as those
//! `harness/benches/command_inputs.py` writes to `target/command-input/`)
//! is decoded as `Command<AnyRequest>`.
//!
//! With `validate` as the third argument, a command file is decoded once
//! and validated the given number of times against iOS 17.4 (as
//! `cargo bench --bench decode` validates). A further argument `supported`
//! (after `validate`, or alone as the third) first drops the queries of a
//! DeviceInformation command that iOS 17.4 does not have, so that the
//! report is empty, and writes the command again in its format. A profile
//! file (`profile_*`) with `validate` is decoded once and validated against
//! macOS 15.0, as the bench validates it.

use apple_device_management::commands::{
    AnyRequest, DeviceInformationResponse, InstalledApplicationListResponse, ManagedApplicationListResponse,
};
use apple_device_management::declarative::protocol::StatusReport;
use apple_device_management::profiles::Profile;
use apple_device_management::validate::Validate;
use apple_device_management::{Command, CommandResponse, PathSegment, Platform, Target, from_json, from_plist};
use std::hint::black_box;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, file, runs, rest @ ..] = &args[..] else {
        panic!("usage: decode_loop <file in target/bench-input> <runs> [value]");
    };
    let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let runs: usize = runs.parse().expect("a number of runs");
    let untyped = rest.first().is_some_and(|w| w == "value");
    let name = std::path::Path::new(file).file_name().and_then(|n| n.to_str()).unwrap_or_default();
    // `supported`: the command's queries iOS 17.4 lacks dropped, the
    // command written again in the file's format.
    let target = Target::new(Platform::IOS, "17.4".parse().unwrap());
    let bytes = if rest.iter().any(|w| w == "supported") { supported_only(&bytes, &target) } else { bytes };
    if rest.first().is_some_and(|w| w == "validate") && name.starts_with("profile_") {
        // As the bench validates a profile: against macOS 15.0.
        let mac = Target::new(Platform::MacOS, "15.0".parse().unwrap());
        let profile: Profile = from_plist(&bytes).unwrap();
        for _ in 0..runs {
            drop(black_box(black_box(&profile).validate(&mac)));
        }
        return;
    }
    if rest.first().is_some_and(|w| w == "validate") {
        let command: Command<AnyRequest> = from_plist(&bytes).unwrap();
        for _ in 0..runs {
            drop(black_box(black_box(&command).validate(&target)));
        }
        return;
    }
    for _ in 0..runs {
        match (untyped, name.ends_with(".json")) {
            (true, true) => drop(black_box(serde_json::from_slice::<serde_json::Value>(&bytes).unwrap())),
            (true, false) => drop(black_box(plist::Value::from_reader(std::io::Cursor::new(&bytes)).unwrap())),
            (false, true) => drop(black_box(from_json::<StatusReport>(&bytes).unwrap())),
            (false, false) if name.starts_with("profile_") => drop(black_box(from_plist::<Profile>(&bytes).unwrap())),
            (false, false) if name.starts_with("command_") => {
                drop(black_box(from_plist::<Command<AnyRequest>>(&bytes).unwrap()))
            }
            (false, false) if name.starts_with("device_information") => {
                drop(black_box(from_plist::<CommandResponse<DeviceInformationResponse>>(&bytes).unwrap()))
            }
            (false, false) if name.starts_with("installed_application_list") => {
                drop(black_box(from_plist::<CommandResponse<InstalledApplicationListResponse>>(&bytes).unwrap()))
            }
            (false, false) if name.starts_with("managed_application_list") => {
                drop(black_box(from_plist::<CommandResponse<ManagedApplicationListResponse>>(&bytes).unwrap()))
            }
            _ => panic!("{name}: not a bench input this example knows"),
        }
    }
}

/// A DeviceInformation command without the queries `target` lacks (the
/// errors its validation reports), written again in its own format.
fn supported_only(bytes: &[u8], target: &Target) -> Vec<u8> {
    let mut command: Command<AnyRequest> = from_plist(bytes).unwrap();
    let AnyRequest::DeviceInformation(info) = &mut command.command else {
        panic!("`supported` is for a DeviceInformation command");
    };
    let dropped: Vec<usize> = info
        .validate(target)
        .errors()
        .filter_map(|e| match e.path.segments() {
            [PathSegment::Key(k), PathSegment::Index(i)] if k == "Queries" => Some(i.to_owned()),
            _ => None,
        })
        .collect();
    let mut i = 0;
    info.queries.retain(|_| {
        i += 1;
        !dropped.contains(&(i - 1))
    });
    assert!(info.validate(target).errors().next().is_none());
    if bytes.starts_with(b"bplist") {
        apple_device_management::to_plist_binary(&command).unwrap()
    } else {
        apple_device_management::to_plist_xml(&command).unwrap().into_bytes()
    }
}
