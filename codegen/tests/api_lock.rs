//! The generated public API of the pinned schema is committed as a sorted
//! listing (`api/generated-api.txt`): a generator or schema change that
//! alters it fails here until the listing is regenerated and the change
//! reviewed:
//! `UPDATE_API=1 cargo test -p apple-device-management-codegen --test api_lock`.

use std::path::{Path, PathBuf};

use apple_device_management_codegen::model::Family;
use apple_device_management_codegen::{api, load};

fn schema_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    apple_device_management_codegen::locate::locate_from_env(&root).unwrap_or_else(|e| panic!("{e}")).dir
}

#[test]
fn the_generated_api_matches_the_committed_listing() {
    let schema = load::load(&schema_dir()).unwrap();
    let listing = api::listing(&schema, &Family::ALL);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../api/generated-api.txt");
    if std::env::var_os("UPDATE_API").is_some() {
        std::fs::write(&path, &listing).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != listing {
        let d = api::diff(&committed, &listing);
        panic!(
            "the generated API differs from api/generated-api.txt:\n{}\nIf intended, run \
             `UPDATE_API=1 cargo test -p apple-device-management-codegen --test api_lock`, review and commit.",
            d.lines().take(40).collect::<Vec<_>>().join("\n")
        );
    }
    // A listing of the whole surface: every family is in it.
    for prefix in ["commands::", "checkin::", "errors::", "profiles::", "declarative::", "other::"] {
        assert!(listing.lines().any(|l| l.starts_with(prefix)), "{prefix}");
    }
}
