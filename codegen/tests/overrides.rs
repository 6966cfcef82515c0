//! Every rule in the overrides file still matches a key of the schema, so a
//! rule cannot silently stop applying after a schema update.

use std::path::{Path, PathBuf};

use apple_device_management_codegen::load::load;
use apple_device_management_codegen::model::Key;
use apple_device_management_codegen::overrides;

fn schema_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    apple_device_management_codegen::locate::locate_from_env(&root).unwrap_or_else(|e| panic!("{e}")).dir
}

fn paths(keys: &[Key], prefix: &str, out: &mut Vec<String>) {
    for k in keys {
        let p = format!("{prefix}{}", k.name);
        paths(k.subkey_list(), &format!("{p}/"), out);
        out.push(p);
    }
}

#[test]
fn every_override_matches_a_key() {
    let schema = load(&schema_dir()).unwrap();
    for rule in overrides::all() {
        let file = schema.files.iter().find(|f| f.path == rule.file).unwrap_or_else(|| panic!("{}", rule.file));
        let mut all = Vec::new();
        paths(&file.payload_keys, "payload:", &mut all);
        paths(&file.response_keys, "response:", &mut all);
        assert!(all.iter().any(|p| p == rule.path), "{}: no key {}", rule.file, rule.path);
    }
}

#[test]
fn the_pinned_schema_leaves_no_override_unapplied() {
    let schema = load(&schema_dir()).unwrap();
    let unmatched = overrides::unmatched(&schema, &apple_device_management_codegen::model::Family::ALL);
    assert!(unmatched.is_empty(), "{unmatched:?}");
}

/// The commands generated from a schema of one file, `file` of the pinned
/// schema with `from` replaced by `to` (in a temporary copy): the schema,
/// the files written and the build's warnings.
fn commands_with_edit(
    file: &str,
    from: &str,
    to: &str,
) -> (apple_device_management_codegen::load::Schema, std::collections::BTreeMap<PathBuf, String>, Vec<String>) {
    let source = std::fs::read_to_string(schema_dir().join(file)).unwrap();
    let edited = source.replace(from, to);
    assert_ne!(edited, source, "{file} has no {from:?}");
    let tmp = tempfile::Builder::new().prefix("adm-overrides-").tempdir().unwrap();
    let path = tmp.path().join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, edited).unwrap();
    let schema = load(tmp.path()).unwrap();
    let p = apple_device_management_codegen::Provenance { release: "t".into(), commit: "t".into() };
    let families = [apple_device_management_codegen::model::Family::Commands];
    let (files, warnings) = apple_device_management_codegen::render_with_warnings(&schema, &p, &families);
    (schema, files, warnings)
}

/// A newer schema where a fixed key is gone: the build warns, naming the
/// file, the key and the fix (the file is edited in a temporary copy).
#[test]
fn a_rule_that_no_longer_matches_is_a_warning() {
    use apple_device_management_codegen::model::Family;
    let (schema, _, warnings) = commands_with_edit(
        "mdm/commands/application.install.yaml",
        "- key: ManagementFlags",
        "- key: ManagementOptions",
    );
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("mdm/commands/application.install.yaml: the schema fix RuntimeType(\"crate::flags::ManagementFlags\") for `payload:ManagementFlags`"),
        "{}",
        warnings[0]
    );
    assert!(warnings[0].ends_with("matches no key of this schema and is not applied"), "{}", warnings[0]);
    // Families not generated are not reported.
    assert!(apple_device_management_codegen::overrides::unmatched(&schema, &[Family::Profiles]).is_empty());
}

/// A range fix for a key whose values a newer schema states itself: the
/// build warns and the schema's own values are the ones the tables carry.
#[test]
fn a_range_the_schema_states_itself_is_a_warning() {
    let timeout = "    - key: UserSessionTimeout\n";
    let (_, files, warnings) =
        commands_with_edit("mdm/commands/settings.yaml", timeout, &format!("{timeout}      range:\n        min: 60\n"));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("mdm/commands/settings.yaml: the schema fix IntegerRange")
            && warnings[0].contains("`payload:Settings/SharedDeviceConfiguration/UserSessionTimeout`")
            && warnings[0].ends_with("whose values this schema states itself (compare the two) and is not applied"),
        "{}",
        warnings[0]
    );
    // The tables carry the schema's range for that key, the fix's for the
    // other.
    let tables = files.iter().find(|(path, _)| path.ends_with("tables.rs")).map(|(_, text)| text).unwrap();
    let row = |name: &str| tables.lines().find(|l| l.contains(&format!("\"{name}\""))).unwrap().to_owned();
    assert!(
        row("UserSessionTimeout").contains("Some(Bounds { min: Some(60.0), max: None })"),
        "{}",
        row("UserSessionTimeout")
    );
    assert!(!row("UserSessionTimeout").contains("Int(0)"), "{}", row("UserSessionTimeout"));
    assert!(
        row("TemporarySessionTimeout").contains("Some(Bounds { min: Some(30.0), max: None })"),
        "{}",
        row("TemporarySessionTimeout")
    );
    assert!(row("TemporarySessionTimeout").contains("Int(0)"), "{}", row("TemporarySessionTimeout"));
}

/// A rule matches what a key is, across Apple's spellings of a map's
/// placeholder key: `ANY app identifier` (18.x) and `<app identifier>` (up
/// to 16.4) both get ManagementFlags as bitflags.
#[test]
fn map_placeholders_match_whatever_their_spelling() {
    let rule = "response:ManagedApplicationList/ANY app identifier/ManagementFlags";
    let file = "mdm/commands/application.managed.list.yaml";
    assert!(overrides::lookup(file, rule).is_some());
    for spelling in ["<app identifier>", "ANY", "ANY bundle identifier"] {
        let path = format!("response:ManagedApplicationList/{spelling}/ManagementFlags");
        assert_eq!(overrides::lookup(file, &path), overrides::lookup(file, rule), "{spelling}");
    }
    assert_eq!(overrides::lookup(file, "response:ManagedApplicationList/Other/ManagementFlags"), None);
}
