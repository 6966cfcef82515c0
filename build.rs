//! Generates the typed schema from Apple's device-management YAML.
//!
//! 1. Locate the schema (`codegen/src/locate.rs`): `$DEVICE_MANAGEMENT_SCHEMA`,
//!    else the git submodule `schema/device-management`, else the copy the
//!    published package carries in `schema/vendored`.
//! 2. Run the generator (`codegen/`) for the families whose cargo features
//!    are on: YAML -> model -> IR -> Rust.
//! 3. Output lands in `$OUT_DIR` (`target/<profile>/build/apple-device-management-*/out/`):
//!    `<family>/mod.rs`, `<family>/<file>.rs`, `tables.rs`, `schema_info.rs`;
//!    the wrapper modules in `src/` `include!` them.

use std::path::PathBuf;

use apple_device_management_codegen::locate::{self, ENV};
use apple_device_management_codegen::model::Family;

fn main() {
    println!("cargo::rerun-if-env-changed={ENV}");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let schema = match locate::locate_from_env(&manifest) {
        Ok(found) => found.dir,
        Err(message) => fail(&message),
    };
    println!("cargo::rerun-if-changed={}", schema.display());
    // The tests read the same schema the types were generated from.
    println!("cargo::rustc-env=APPLE_DM_SCHEMA_DIR={}", schema.display());
    let enabled = |feature: &str| std::env::var_os(format!("CARGO_FEATURE_{}", feature.to_uppercase())).is_some();
    let families: Vec<Family> =
        Family::ALL.into_iter().filter(|f| enabled(apple_device_management_codegen::family_out(*f).feature)).collect();
    // The Jamf layer builds its manifests with the schema's ManifestURL type.
    if enabled("jamf") && !schema.join("other/manifesturl.yaml").is_file() {
        fail(&format!(
            "the `jamf` feature needs other/manifesturl.yaml, which the schema at {} does not have \
             (older releases, such as iOS 15 / macOS 12, lack it); use a newer schema or turn the feature off \
             (default-features = false).",
            schema.display()
        ));
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    match apple_device_management_codegen::generate(&schema, &out, &families) {
        // Shapes that could not be typed fully: never silent.
        Ok(summary) => {
            for w in &summary.warnings {
                println!("cargo::warning={w}");
            }
        }
        Err(e) => fail(&format!("generating Rust from the schema at {} failed:\n{e}", schema.display())),
    }
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}
