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
