//! Golden (snapshot) tests: the generated code for three command files is
//! committed under `tests/golden/` and must not change unnoticed.
//!
//! After an intended change, regenerate with
//! `UPDATE_GOLDEN=1 cargo test -p apple-device-management-codegen --test golden`
//! and review the diff.

use std::path::{Path, PathBuf};

use apple_device_management_codegen::model::Family;
use apple_device_management_codegen::{Provenance, load, render};

/// The schema the crate builds from, found by the same rule as build.rs.
fn schema_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    apple_device_management_codegen::locate::locate_from_env(&root).unwrap_or_else(|e| panic!("{e}")).dir
}

#[test]
fn generated_code_matches_golden_files() {
    let schema = load::load(&schema_dir()).unwrap_or_else(|e| panic!("{e}"));
    let provenance = Provenance { release: "golden".into(), commit: "golden".into() };
    let files = render(&schema, &provenance, &Family::ALL);
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut stale = Vec::new();
    for (module, source) in [
        ("install_application", "application.install.yaml"),
        ("install_enterprise_application", "application.install.enterprise.yaml"),
        ("managed_application_list", "application.managed.list.yaml"),
    ] {
        let generated = &files[&PathBuf::from(format!("commands/{module}.rs"))];
        assert!(generated.contains(&format!("// Source: mdm/commands/{source}")));
        let path = golden.join(format!("{module}.rs"));
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if *generated != expected {
            if update {
                std::fs::write(&path, generated).unwrap();
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(stale.is_empty(), "generated code differs from {stale:?}; rerun with UPDATE_GOLDEN=1 and review the diff");
}

#[test]
fn generation_is_deterministic() {
    let schema = load::load(&schema_dir()).unwrap();
    let p = Provenance { release: "r".into(), commit: "c".into() };
    assert_eq!(render(&schema, &p, &Family::ALL), render(&schema, &p, &Family::ALL));
}
