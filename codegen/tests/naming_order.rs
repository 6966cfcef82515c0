//! Generated names depend on the set of keys a file has, never on the
//! order the schema lists them in: every file of the pinned schema with its
//! keys reversed at every level generates the same public API.

use std::path::{Path, PathBuf};

use apple_device_management_codegen::model::{Family, Key, Subkeys};
use apple_device_management_codegen::{api, load};

fn schema_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    apple_device_management_codegen::locate::locate_from_env(&root).unwrap_or_else(|e| panic!("{e}")).dir
}

fn reverse(keys: &mut [Key]) {
    keys.reverse();
    for k in keys {
        if let Subkeys::List(list) = &mut k.subkeys {
            reverse(list);
        }
    }
}

#[test]
fn reversed_keys_generate_the_same_names() {
    let schema = load::load(&schema_dir()).unwrap();
    let mut reversed = schema.clone();
    for f in &mut reversed.files {
        reverse(&mut f.payload_keys);
        reverse(&mut f.response_keys);
    }
    let forward = api::listing(&schema, &Family::ALL);
    let backward = api::listing(&reversed, &Family::ALL);
    let d = api::diff(&forward, &backward);
    assert!(
        forward == backward,
        "names changed with key order:\n{}",
        d.lines().take(60).collect::<Vec<_>>().join("\n")
    );
    // The walk did see contested names: the pinned schema has two
    // `ClassName` enums in one file, settled by key path.
    assert!(forward.contains("commands::content_caching_information::AlertsForPeerFilterRangesValueClassName\t"));
    // A fix written for one copy of a shared list applies to all copies,
    // whichever the walk meets first (the Dock's tile type, TCC's entries).
    assert!(forward.contains("profiles::dock::TileData.label\tOption<String>"), "{forward:.0}");
    assert!(forward.contains("profiles::tcc_configuration_profile_policy::IdentityDict.allowed\tOption<bool>"));
}
