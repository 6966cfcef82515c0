//! No silent typing loss: the Settings union keeps typing an element that
//! lacks its `Item` key (as 26.x's `DefaultApplications` does), and an
//! array the generator cannot type becomes a warning naming the file and
//! key. The schema file is edited in the test (a copy in a temporary
//! directory), never committed.

use std::path::{Path, PathBuf};

use apple_device_management_codegen::ir::Item;
use apple_device_management_codegen::model::Family;
use apple_device_management_codegen::{family_modules, load};

fn schema_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    apple_device_management_codegen::locate::locate_from_env(&root).unwrap_or_else(|e| panic!("{e}")).dir
}

/// 18.1's settings.yaml with `edit` applied, alone in a temporary schema.
fn settings_module(name: &str, edit: impl Fn(String) -> String) -> apple_device_management_codegen::ir::Module {
    let source = std::fs::read_to_string(schema_dir().join("mdm/commands/settings.yaml")).unwrap();
    let edited = edit(source.clone());
    assert_ne!(edited, source, "the edit changed nothing");
    let tmp = tempfile::Builder::new().prefix(&format!("adm-unions-{name}-")).tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("mdm/commands")).unwrap();
    std::fs::write(dir.join("mdm/commands/settings.yaml"), edited).unwrap();
    let schema = load::load(dir).unwrap();
    let mut modules = family_modules(&schema, Family::Commands);
    assert_eq!(modules.len(), 1);
    modules.remove(0).1
}

/// Removes the `Item` subkey of the `TimeZone` element: the five lines
/// from `    - key: Item` after `  - key: TimeZone` up to the next key.
fn drop_item_of(source: String, element: &str) -> String {
    let start = source.find(&format!("\n  - key: {element}\n")).expect("the element");
    let item = start + source[start..].find("\n    - key: Item\n").expect("its Item key");
    let end = item + 1 + source[item + 1..].find("\n    - key: ").expect("a key after Item");
    format!("{}{}", &source[..item], &source[end..])
}

fn union_variants(module: &apple_device_management_codegen::ir::Module) -> Vec<(String, String)> {
    let union = module
        .items
        .iter()
        .find_map(|i| match i {
            Item::Union(u) if u.discriminator == "Item" => Some(u),
            _ => None,
        })
        .expect("Settings is a union");
    union.variants.iter().map(|v| (v.wire.clone(), v.ty.clone())).collect()
}

#[test]
fn an_element_without_its_item_key_is_typed_by_its_name() {
    let module = settings_module("timezone", |s| drop_item_of(s, "TimeZone"));
    let variants = union_variants(&module);
    assert!(variants.iter().any(|(wire, _)| wire == "TimeZone"), "{variants:?}");
    assert!(variants.iter().any(|(wire, _)| wire == "Wallpaper"), "{variants:?}");
    // The element type's docs say how its value was found.
    let (_, ty) = variants.iter().find(|(w, _)| w == "TimeZone").unwrap();
    let doc = module
        .items
        .iter()
        .find_map(|i| match i {
            Item::Struct(s) if &s.name == ty => Some(format!("{:?}", s.doc)),
            _ => None,
        })
        .unwrap();
    assert!(doc.contains("this one's is taken to be `TimeZone`"), "{doc}");
    assert!(module.warnings.is_empty(), "{:?}", module.warnings);
}

#[test]
fn an_array_that_cannot_be_typed_is_a_warning_naming_file_and_key() {
    // Without `Item` in TimeZone, and Wallpaper's value no longer its name,
    // no rule tells the elements apart.
    let module = settings_module("untypable", |s| {
        drop_item_of(s, "TimeZone").replacen(
            "      rangelist:\n      - Wallpaper\n",
            "      rangelist:\n      - WallpaperX\n",
            1,
        )
    });
    assert_eq!(module.warnings.len(), 1, "{:?}", module.warnings);
    let w = &module.warnings[0];
    assert!(w.starts_with("mdm/commands/settings.yaml: the elements of `Settings`"), "{w}");
    assert!(w.contains("stay untyped"), "{w}");
    // The pinned schema itself types everything.
    let schema = load::load(&schema_dir()).unwrap();
    let all: Vec<String> = Family::ALL
        .into_iter()
        .flat_map(|f| family_modules(&schema, f).into_iter().flat_map(|(_, m)| m.warnings))
        .collect();
    assert!(all.is_empty(), "{all:?}");
}
