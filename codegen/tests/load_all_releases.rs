//! Every YAML file of every schema snapshot in ../shared loads into the model.

use std::path::{Path, PathBuf};

use apple_device_management_codegen::load::load;
use apple_device_management_codegen::model::{Family, Key, Subkeys};

/// A schema snapshot in ../shared; `None` (after one line saying so) when
/// ../shared is not there, outside CI.
fn shared(rel: &str, test: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    apple_device_management_codegen::test_inputs::shared_test_input(&root, rel, test)
}

fn count_yaml(dir: &Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            n += count_yaml(&p);
        } else if p.extension().is_some_and(|e| e == "yaml") {
            n += 1;
        }
    }
    n
}

fn has_recursion(keys: &[Key]) -> bool {
    keys.iter().any(|k| matches!(k.subkeys, Subkeys::Recursive { .. }) || has_recursion(k.subkey_list()))
}

fn check(root: &Path, expect_min: usize) {
    let schema = load(root).unwrap_or_else(|e| panic!("{e}"));
    let on_disk: usize =
        Family::ALL.iter().map(|f| root.join(f.dir())).filter(|d| d.is_dir()).map(|d| count_yaml(&d)).sum();
    assert_eq!(schema.files.len(), on_disk, "{}: every YAML file loads", root.display());
    assert!(schema.files.len() >= expect_min, "{}: {} files", root.display(), schema.files.len());
    // The two self-referencing profile files are read as recursive, not truncated.
    for stem in ["com.apple.homescreenlayout", "com.apple.applicationaccess.new"] {
        let f = schema.files.iter().find(|f| f.stem() == stem).unwrap();
        assert!(has_recursion(&f.payload_keys), "{stem} in {} has a recursive key", root.display());
    }
}

#[test]
fn release_18_1_loads() {
    let Some(root) = shared("apple-device-management", "release_18_1_loads") else { return };
    check(&root, 302);
    let schema = load(&root).unwrap();
    assert_eq!(schema.family(Family::Commands).count(), 66);
    assert_eq!(schema.family(Family::Checkin).count(), 8);
    assert_eq!(schema.family(Family::Errors).count(), 4);
    assert_eq!(schema.family(Family::Profiles).count(), 128);
    assert_eq!(schema.family(Family::Declarations).count(), 43);
    assert_eq!(schema.family(Family::Status).count(), 45);
    assert_eq!(schema.family(Family::Protocol).count(), 3);
    assert_eq!(schema.family(Family::Other).count(), 5);
}

#[test]
fn older_and_seed_releases_load() {
    let Some(releases) = shared("apple-device-management-releases", "older_and_seed_releases_load") else { return };
    check(&releases.join("Release_iOS-15_macOS-12"), 227);
    check(&releases.join("Release_iOS-17-0_macOS-14-0"), 290);
    check(&releases.join("seed_iOS-18.2_macOS-15.2"), 302);
}

#[test]
fn malformed_yaml_names_file_and_line() {
    let tmp = tempfile::Builder::new().prefix("adm-malformed-").tempdir().unwrap();
    let dir = tmp.path();
    let cmds = dir.join("mdm/commands");
    std::fs::create_dir_all(&cmds).unwrap();
    std::fs::write(
        cmds.join("bad.yaml"),
        "title: x\npayload:\n  requesttype: X\npayloadkeys:\n- key: A\n  type: [<string>\n",
    )
    .unwrap();
    let err = load(dir).unwrap_err().to_string();
    assert!(err.contains("bad.yaml:"), "{err}");
    std::fs::write(cmds.join("bad.yaml"), "title: x\npayloadkeys:\n- key: A\n  presence: optional\n").unwrap();
    let err = load(dir).unwrap_err().to_string();
    assert!(err.contains("bad.yaml:3: key `A` has no `type`"), "{err}");
}

/// A broken file among good ones (parsed in parallel) is reported with its
/// path and line, and it is the first broken file in path order.
#[test]
fn a_broken_file_is_named_with_its_line() {
    let tmp = tempfile::Builder::new().prefix("adm-codegen-broken-").tempdir().unwrap();
    let dir = tmp.path();
    let commands = dir.join("mdm/commands");
    std::fs::create_dir_all(&commands).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let schema = apple_device_management_codegen::locate::locate_from_env(&root).unwrap_or_else(|e| panic!("{e}")).dir;
    let good = std::fs::read_to_string(schema.join("mdm/commands/device.lock.yaml")).unwrap();
    for name in ["a.yaml", "c.yaml", "e.yaml"] {
        std::fs::write(commands.join(name), &good).unwrap();
    }
    std::fs::write(commands.join("b.yaml"), "title: Broken\npayload:\n  requesttype: [unclosed\n").unwrap();
    std::fs::write(commands.join("d.yaml"), "title: Also broken\n  : :\n").unwrap();
    let err = load(dir).unwrap_err();
    match &err {
        apple_device_management_codegen::Error::Yaml { path, line, .. } => {
            assert!(path.ends_with("mdm/commands/b.yaml"), "{err}");
            assert!(*line >= 3, "{err}");
        }
        other => panic!("expected a YAML error, got {other}"),
    }
}
