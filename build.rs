//! Generates the typed schema from Apple's device-management YAML.
//!
//! 1. Locate the schema: `$DEVICE_MANAGEMENT_SCHEMA`, else the git
//!    submodule `schema/device-management`.
//! 2. Run the generator (`codegen/`) for the families whose cargo features
//!    are on: YAML -> model -> IR -> Rust.
//! 3. Output lands in `$OUT_DIR` (`target/<profile>/build/apple-device-management-*/out/`):
//!    `<family>/mod.rs`, `<family>/<file>.rs`, `tables.rs`, `schema_info.rs`;
//!    the wrapper modules in `src/` `include!` them.

use std::path::PathBuf;

use apple_device_management_codegen::model::Family;

const ENV: &str = "DEVICE_MANAGEMENT_SCHEMA";
const SUBMODULE: &str = "schema/device-management";

fn main() {
    println!("cargo::rerun-if-env-changed={ENV}");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let (schema, source) = match std::env::var_os(ENV) {
        Some(dir) if !dir.is_empty() => (manifest.join(dir), format!("${ENV}")),
        _ => (manifest.join(SUBMODULE), format!("the submodule {SUBMODULE}")),
    };
    if !schema.join("mdm").is_dir() {
        eprintln!(
            "error: Apple's device-management schema was not found at {} (from {source}).\n\
             Either run `git submodule update --init {SUBMODULE}`, or set {ENV} to a checkout of \
             https://github.com/apple/device-management (the folder that holds mdm/, declarative/ and other/).",
            schema.display()
        );
        std::process::exit(1);
    }
    println!("cargo::rerun-if-changed={}", schema.display());
    let enabled = |feature: &str| std::env::var_os(format!("CARGO_FEATURE_{}", feature.to_uppercase())).is_some();
    let families: Vec<Family> =
        Family::ALL.into_iter().filter(|f| enabled(apple_device_management_codegen::family_out(*f).feature)).collect();
    // The Jamf layer builds its manifests with the schema's ManifestURL type,
    // which releases before iOS 17 / macOS 14 do not have.
    if enabled("jamf") && !schema.join("other/manifesturl.yaml").is_file() {
        eprintln!(
            "error: the `jamf` feature needs other/manifesturl.yaml, which the schema at {} does not have \
             (releases before iOS 17 / macOS 14); use a newer schema or turn the feature off \
             (default-features = false).",
            schema.display()
        );
        std::process::exit(1);
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    if let Err(e) = apple_device_management_codegen::generate(&schema, &out, &families) {
        eprintln!("error: generating Rust from the schema at {} failed:\n{e}", schema.display());
        std::process::exit(1);
    }
}
