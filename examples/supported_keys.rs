//! Prints, as Markdown, which commands, check-in messages, profile
//! payloads, declarations and status items (and their keys) an OS version
//! supports, or what changed between two versions of one OS.
//!
//! ```sh
//! cargo run --example supported_keys --features full -- macOS 15.1        # supported on macOS 15.1
//! cargo run --example supported_keys --features full -- macOS 14.0 15.1   # changes from 14.0 to 15.1
//! ```
//!
//! The outputs for `macOS 15.1`, `iOS 18.1` and `macOS 14.0 15.1` are
//! committed in `docs/supported-keys/` and checked by `tests/report.rs`.
//! The command-line tool (`cli/`) answers the same questions per family.

use apple_device_management::report::{changes_markdown, supported_markdown};
use apple_device_management::{OsVersion, Platform};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = || -> ! {
        eprintln!("usage: supported_keys <platform> <version> [<to version>]   e.g. macOS 15.1, or macOS 14.0 15.1");
        std::process::exit(2)
    };
    let platform: Platform = args.first().unwrap_or_else(|| usage()).parse().unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(2)
    });
    let version = |s: &String| -> OsVersion {
        s.parse().unwrap_or_else(|e| {
            eprintln!("error: {e}");
            std::process::exit(2)
        })
    };
    match &args[1..] {
        [v] => print!("{}", supported_markdown(platform, version(v))),
        [from, to] => print!("{}", changes_markdown(platform, version(from), version(to))),
        _ => usage(),
    }
}
