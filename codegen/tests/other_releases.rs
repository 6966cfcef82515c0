//! The generator copes with every schema release, not just the one the
//! crate pins: the three other snapshots in ../shared (iOS 15, 17.0, the
//! 18.2 seed) and the partial 26.4 tree overlaid on 18.1 (what a user on a
//! newer schema has). Each is generated; three are compiled.

use std::path::{Path, PathBuf};
use std::process::Command;

use apple_device_management_codegen::model::Family;
use apple_device_management_codegen::{Provenance, load, render, render_with_warnings};

/// ../shared, or `None` (after one line saying so) when it is not there,
/// outside CI.
fn shared(test: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let releases = apple_device_management_codegen::test_inputs::shared_test_input(
        &root,
        "apple-device-management-releases",
        test,
    )?;
    releases.parent().map(Path::to_path_buf)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// 18.1 with the 60 files of the 26.4 partial tree on top (NEWER-PARTIAL.md).
/// The tree is removed when the returned directory is dropped.
fn overlay_26_4(shared: &Path, test: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix(&format!("adm-overlay-26.4-{test}-")).tempdir().unwrap();
    copy_dir(&shared.join("apple-device-management"), dir.path());
    copy_dir(&shared.join("apple-device-management-releases/newer-partial-a"), dir.path());
    dir
}

fn releases(shared: &Path) -> Vec<(&'static str, PathBuf)> {
    let r = shared.join("apple-device-management-releases");
    vec![
        ("iOS 15", r.join("Release_iOS-15_macOS-12")),
        ("17.0", r.join("Release_iOS-17-0_macOS-14-0")),
        ("seed 18.2", r.join("seed_iOS-18.2_macOS-15.2")),
    ]
}

#[test]
fn every_release_generates() {
    let Some(shared) = shared("every_release_generates") else { return };
    let p = Provenance { release: "test".into(), commit: "test".into() };
    let overlay_dir = overlay_26_4(&shared, "generate");
    let overlay = overlay_dir.path().to_path_buf();
    let mut all = releases(&shared);
    all.push(("26.4 overlay", overlay.clone()));
    for (name, dir) in &all {
        let schema = load::load(dir).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (files, warnings) = render_with_warnings(&schema, &p, &Family::ALL);
        // Every release types every shape (26.x's Settings included). The
        // only warnings are schema fixes for keys an older release does not
        // have yet (iOS 15: two keys added later).
        let typing: Vec<&String> = warnings.iter().filter(|w| !w.contains("codegen/src/overrides.rs")).collect();
        assert!(typing.is_empty(), "{name}: {typing:?}");
        if *name != "iOS 15" {
            assert!(warnings.is_empty(), "{name}: {warnings:?}");
        } else {
            assert_eq!(warnings.len(), 2, "{warnings:?}");
            // Its `<app identifier>` map still gets ManagementFlags as bitflags.
            let list = &files[&PathBuf::from("commands/managed_application_list.rs")];
            assert!(list.contains("crate::flags::ManagementFlags"), "the ManagementFlags fix did not apply");
        }
        // One file per schema file, plus an index per family, the tables and the schema info.
        assert_eq!(files.len(), schema.files.len() + Family::ALL.len() + 2, "{name}");
        assert!(files.values().all(|f| f.starts_with("// @generated")), "{name}");
    }
    // The files 26.4 adds become modules.
    let schema = load::load(&overlay).unwrap();
    let files = render(&schema, &p, &Family::ALL);
    assert!(
        files.contains_key(&PathBuf::from("checkin/return_to_service.rs")),
        "{:?}",
        files.keys().filter(|k| k.starts_with("checkin")).collect::<Vec<_>>()
    );
    // 26.x's Settings: DefaultApplications has no `Item` key and is still
    // a typed element (no more `Vec<plist::Value>`).
    let settings = &files[&PathBuf::from("commands/settings.rs")];
    assert!(settings.contains("DefaultApplications(DefaultApplicationsSetting)"), "Settings is not typed");
    assert!(!settings.contains("pub settings: ::std::vec::Vec<::plist::Value>"));
}

/// Apple's 26.4 release as rebuilt from public copies (all 315 paths; see
/// RECONSTRUCTION.md there), the newest-release test input.
fn reconstructed_26_4(shared: &Path) -> PathBuf {
    shared.join("apple-device-management-releases/Release_iOS-26-4_macOS-26-4-reconstructed")
}

#[test]
fn the_26_4_release_generates_typed_with_its_notes() {
    let Some(shared) = shared("the_26_4_release_generates_typed_with_its_notes") else { return };
    let schema = load::load(&reconstructed_26_4(&shared)).unwrap();
    let p = Provenance { release: "test".into(), commit: "test".into() };
    let (files, warnings) = render_with_warnings(&schema, &p, &Family::ALL);
    assert!(warnings.is_empty(), "{warnings:?}");
    // Files 26.x adds come out as typed modules.
    // Files 26.x adds (return-to-service check-in, psso.required error,
    // the intelligence, keyboard, package, safari and migration-assistant
    // declarations and status items) come out as typed modules: each has
    // its own struct or value enum and no untyped value in place of a schema type.
    for module in [
        "checkin/return_to_service.rs",
        "errors/psso_required.rs",
        "declarative/declarations/configurations/intelligence_settings.rs",
        "declarative/declarations/configurations/external_intelligence_settings.rs",
        "declarative/declarations/configurations/keyboard_settings.rs",
        "declarative/declarations/configurations/package.rs",
        "declarative/declarations/configurations/safari_bookmarks.rs",
        "declarative/declarations/configurations/safari_settings.rs",
        "declarative/declarations/configurations/migration_assistant_settings.rs",
        "declarative/status/migration_assistant_state.rs",
        "declarative/status/migration_assistant_report.rs",
        "declarative/status/package_list.rs",
        "declarative/status/management_declarations.rs",
        "commands/settings.rs",
    ] {
        let Some(text) = files.get(&PathBuf::from(module)) else {
            panic!("{module} not generated; have {:?}", files.keys().take(5).collect::<Vec<_>>())
        };
        assert!(text.contains("pub struct ") || text.contains("pub enum "), "{module}: no typed item");
        assert!(!text.contains("plist::Value"), "{module}: untyped values");
    }
    let settings = &files[&PathBuf::from("commands/settings.rs")];
    assert!(settings.contains("DefaultApplications(DefaultApplicationsSetting)"), "Settings is not typed");
    // Top-level notes are rendered, their Markdown links kept.
    let pkcs12 = &files[&PathBuf::from("profiles/security_pkcs12.rs")];
    assert!(pkcs12.contains("**Note**"), "notes missing");
    assert!(pkcs12.contains("> Warning:"), "the note's quote is lost");
    let with_links = files.values().filter(|f| f.contains("](https://support.apple.com/")).count();
    assert!(with_links > 0, "no Markdown link survived");
}

/// Builds the crate (`cargo check`) against another schema, with these features.
fn check_crate_with(schema: &Path, features: &str) -> (bool, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(t) => PathBuf::from(t).join("other-releases"),
        None => root.join("target/other-releases"),
    };
    let out = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(&root)
        .args([
            "check",
            "--quiet",
            "--lib",
            "-p",
            "apple-device-management",
            "--no-default-features",
            "--features",
            features,
        ])
        .arg("--target-dir")
        .arg(&target)
        .env("DEVICE_MANAGEMENT_SCHEMA", schema)
        .env("RUSTFLAGS", "-D warnings")
        .output()
        .expect("cargo runs");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn other_releases_compile() {
    let Some(shared) = shared("other_releases_compile") else { return };
    let overlay_dir = overlay_26_4(&shared, "compile");
    let overlay = overlay_dir.path().to_path_buf();
    let r = releases(&shared);
    // Every family; iOS 15 has no other/manifesturl.yaml, which the Jamf
    // layer needs, so it builds every family but Jamf.
    let families = "commands checkin errors profiles declarative other cms";
    for (name, dir, features) in [
        ("seed 18.2", r[2].1.clone(), "full"),
        ("iOS 15", r[0].1.clone(), families),
        ("26.4 overlay", overlay.clone(), "full"),
        ("26.4 reconstructed", reconstructed_26_4(&shared), "full"),
    ] {
        let (ok, stderr) = check_crate_with(&dir, features);
        assert!(ok, "{name} does not compile:\n{stderr}");
    }
    // With Jamf on, the iOS 15 schema stops the build with one clear message.
    let (ok, stderr) = check_crate_with(&r[0].1, "jamf");
    assert!(!ok);
    assert!(stderr.contains("the `jamf` feature needs other/manifesturl.yaml"), "{stderr}");
}
