//! Median typed decode time of each file `cargo bench --bench decode`
//! writes to `target/bench-input/`, for comparison with Python's plistlib
//! (`harness/benches/python_plistlib.py` runs this between its own rounds),
//! and the lenient and strict decodes of the same bytes, interleaved.
//!
//! ```text
//! cargo build --release -p apple-device-management-harness --example typed_median
//! target/release/examples/typed_median            # one line per file
//! ```
//!
//! Each line: `<file> default=<mode> lenient_ms=<median> strict_ms=<median>
//! tokens_ms=<median> value_ms=<median> typed/value=<ratio>` (medians of 30
//! runs after one warm-up run; lenient, strict, the token loop and the
//! untyped parse alternate run by run, so the machine's drift touches all
//! four alike). `default` is the mode `from_plist`/`from_json` use for the
//! type: its column is the typed decode time, and `typed/value` divides it
//! by `value_ms`, the untyped parse of the same bytes (`plist::Value`, or
//! `serde_json::Value` for JSON). `tokens_ms` reads every token of the
//! file and builds nothing (this crate's plist tokenizers; serde_json
//! seeing every string as text for JSON): no decode through those
//! tokenizers can take less.

use std::path::Path;
use std::time::Instant;

use apple_device_management::__private::token_count;
use apple_device_management::commands::{
    DeviceInformationResponse, InstalledApplicationListResponse, ManagedApplicationListResponse,
};
use apple_device_management::declarative::protocol::StatusReport;
use apple_device_management::profiles::Profile;
use apple_device_management::{CommandResponse, DecodeMode, Error, FieldValue, from_json_with, from_plist_with};
use apple_device_management_harness::{json_token_count, median};
use serde::de::DeserializeOwned;

const RUNS: usize = 30;

fn time(f: &dyn Fn(DecodeMode) -> Result<(), Error>, mode: DecodeMode) -> f64 {
    let start = Instant::now();
    f(mode).expect("the bench input decodes");
    start.elapsed().as_secs_f64() * 1e3
}

fn measure<T: FieldValue + DeserializeOwned>(name: &str, bytes: &[u8], json: bool) {
    let decode = |mode: DecodeMode| -> Result<(), Error> {
        let v: T = if json { from_json_with(bytes, mode)? } else { from_plist_with(bytes, mode)? };
        std::hint::black_box(v);
        Ok(())
    };
    // Every token read, nothing built (the mode does not apply).
    let tokens = |_: DecodeMode| -> Result<(), Error> {
        if json {
            std::hint::black_box(json_token_count(bytes).expect("the bench input is JSON"));
        } else {
            std::hint::black_box(token_count(bytes).expect("the token-level decoder reads the bench input"));
        }
        Ok(())
    };
    // The untyped parse of the same bytes (the mode does not apply).
    let untyped = |_: DecodeMode| -> Result<(), Error> {
        if json {
            std::hint::black_box(serde_json::from_slice::<serde_json::Value>(bytes).expect("the bench input is JSON"));
        } else {
            std::hint::black_box(plist::Value::from_reader(std::io::Cursor::new(bytes)).expect("a plist"));
        }
        Ok(())
    };
    let (mut lenient, mut strict, mut token_loop, mut value) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    time(&decode, T::DEFAULT_MODE);
    time(&tokens, T::DEFAULT_MODE);
    time(&untyped, T::DEFAULT_MODE);
    for _ in 0..RUNS {
        lenient.push(time(&decode, DecodeMode::Lenient));
        strict.push(time(&decode, DecodeMode::Strict));
        token_loop.push(time(&tokens, T::DEFAULT_MODE));
        value.push(time(&untyped, T::DEFAULT_MODE));
    }
    let lenient_default = T::DEFAULT_MODE == DecodeMode::Lenient;
    let default = if lenient_default { "lenient" } else { "strict" };
    let (lenient, strict, value) = (median(lenient), median(strict), median(value));
    let typed = if lenient_default { lenient } else { strict };
    println!(
        "{name} default={default} lenient_ms={lenient:.3} strict_ms={strict:.3} tokens_ms={:.3} value_ms={value:.3} \
         typed/value={:.2}",
        median(token_loop),
        typed / value
    );
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-input");
    let read = |name: &str| {
        std::fs::read(dir.join(name)).unwrap_or_else(|e| {
            panic!("{name}: {e}; run `cargo bench -p apple-device-management-harness --bench decode` first")
        })
    };
    for ext in ["xml", "bplist"] {
        let name = format!("device_information_reply.{ext}");
        measure::<CommandResponse<DeviceInformationResponse>>(&name, &read(&name), false);
        let name = format!("installed_application_list_5000.{ext}");
        measure::<CommandResponse<InstalledApplicationListResponse>>(&name, &read(&name), false);
        let name = format!("managed_application_list_1000.{ext}");
        measure::<CommandResponse<ManagedApplicationListResponse>>(&name, &read(&name), false);
        for profile in ["profile_200_all", "profile_200_apple_order"] {
            let name = format!("{profile}.{ext}");
            measure::<Profile>(&name, &read(&name), false);
        }
    }
    let name = "status_report_2000_apps.json";
    measure::<StatusReport>(name, &read(name), true);
}
