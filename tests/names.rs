//! Every wire name is findable from the docs: each generated field and
//! enum variant carries its key or value as `#[doc(alias = "...")]` (or is
//! spelled exactly like it), and each variant's docs start with its wire
//! value. Checked by walking the key tables and reading the generated
//! source.

#![cfg(feature = "full")]

use std::path::Path;

use apple_device_management::availability::{self, Family, KeyTable, Literal};

fn sources(dir: &Path, out: &mut String) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// Names rustdoc cannot take as an alias (spaces, quotes).
fn aliasable(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || matches!(c, '"' | '\''))
}

fn walk(table: &KeyTable, visit: &mut dyn FnMut(&str, &'static [Literal])) {
    table.walk(&mut |_, key| {
        if !key.element {
            visit(key.name, key.rangelist);
        } else {
            visit("", key.rangelist);
        }
        true
    });
}

#[test]
fn every_wire_name_is_a_doc_alias() {
    let mut text = String::new();
    sources(Path::new(env!("OUT_DIR")), &mut text);
    let (mut keys, mut values) = (0, 0);
    let mut missing = Vec::new();
    for family in Family::ALL {
        for file in availability::files(family) {
            for table in [&file.request, &file.response] {
                walk(table, &mut |name, rangelist| {
                    if aliasable(name) {
                        keys += 1;
                        // An alias; a field or a variant (a value listed as
                        // a subkey) spelled like it; or a tag (`MessageType`,
                        // `code`, Settings' `Item`), written as a string.
                        let found = text.contains(&format!("#[doc(alias = \"{name}\")]"))
                            || text.contains(&format!("pub {name}:"))
                            || text.contains(&format!("\n    {name},"))
                            || text.contains(&format!(", \"{name}\","));
                        if !found {
                            missing.push(format!("{}: key {name}", file.path));
                        }
                    }
                    for lit in rangelist {
                        let Literal::Str(v) = lit else { continue };
                        values += 1;
                        // A variant's docs start with its value; a tag's
                        // value is the tag constant.
                        let doc = format!("/// `{v}`");
                        let tag = format!("\"{v}\"");
                        if !text.contains(&doc) && !text.contains(&tag) {
                            missing.push(format!("{}: value {v} ({name})", file.path));
                        }
                    }
                });
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "{} names not findable, e.g. {:?}", missing.len(), &missing[..missing.len().min(20)]);
    // 3,468 keys and 816 string values with the pinned 18.1 schema.
    assert!(keys > 3_000 && values > 700, "only {keys} keys, {values} values checked");
}
