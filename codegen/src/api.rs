//! The generated public API as a sorted text listing, and the difference
//! between two listings.
//!
//! One line per item, `path<TAB>what`: each type (`struct`, `enum string`,
//! `enum integer`, `union <tag>`, `type = <T>`), each field with its Rust
//! type and wire key, each enum variant and union variant with its wire
//! value. The listing of the pinned schema is committed
//! (`api/generated-api.txt`, checked by `codegen/tests/api_lock.rs`), so a
//! change in what the generator emits shows up in review; [`diff`] turns
//! two listings into release notes (added, removed, changed).

use std::collections::BTreeMap;

use crate::ir::{Item, Module, Repr, Ty};
use crate::load::Schema;
use crate::model::Family;

/// A type as a reader writes it (`Option<Vec<String>>`).
pub fn ty_text(ty: &Ty) -> String {
    match ty {
        Ty::String => "String".into(),
        Ty::Integer => "i64".into(),
        Ty::Real => "f64".into(),
        Ty::Boolean => "bool".into(),
        Ty::Date => "plist::Date".into(),
        Ty::Data => "Data".into(),
        Ty::Any => "plist::Value".into(),
        Ty::Dictionary => "plist::Dictionary".into(),
        Ty::Named(n) => n.clone(),
        Ty::Path(p) | Ty::RecordPath(p) => p.trim_start_matches("crate::").to_owned(),
        Ty::Vec(t) => format!("Vec<{}>", ty_text(t)),
        Ty::Map(t) => format!("BTreeMap<String, {}>", ty_text(t)),
        Ty::Boxed(t) => format!("Box<{}>", ty_text(t)),
    }
}

/// The Rust module path of a generated module (`commands::install_application`).
fn module_path(m: &Module, dir: &str) -> String {
    crate::emit::module_file(m, dir).trim_end_matches(".rs").replace('/', "::")
}

/// The lines of one module.
fn module_lines(m: &Module, dir: &str, out: &mut Vec<String>) {
    let base = module_path(m, dir);
    if let Some(alias) = &m.alias {
        out.push(format!("{base}::{}\ttype = {}", m.top, ty_text(alias)));
    }
    for item in &m.items {
        match item {
            Item::Struct(s) => {
                out.push(format!("{base}::{}\tstruct", s.name));
                for f in &s.fields {
                    let ty = ty_text(&f.ty);
                    let ty = if f.required { ty } else { format!("Option<{ty}>") };
                    out.push(format!("{base}::{}.{}\t{ty} `{}`", s.name, f.ident, f.wire));
                }
            }
            Item::Enum(e) => {
                let repr = match e.repr {
                    Repr::String => "string",
                    Repr::Integer => "integer",
                };
                out.push(format!("{base}::{}\tenum {repr}", e.name));
                for v in &e.variants {
                    out.push(format!("{base}::{}::{}\t`{}`", e.name, v.ident, v.wire));
                }
            }
            Item::Union(u) => {
                out.push(format!("{base}::{}\tunion by `{}`", u.name, u.discriminator));
                for v in &u.variants {
                    out.push(format!("{base}::{}::{}\t{} `{}`", u.name, v.ident, v.ty, v.wire));
                }
            }
        }
    }
}

/// The sorted listing of every generated public item of `families`.
pub fn listing(schema: &Schema, families: &[Family]) -> String {
    let mut lines = Vec::new();
    for &family in families {
        let dir = crate::family_out(family).dir;
        for (_, m) in crate::family_modules(schema, family) {
            module_lines(&m, dir, &mut lines);
        }
    }
    lines.sort();
    lines.dedup();
    let mut out = String::with_capacity(lines.len() * 80);
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    out
}

fn parse(listing: &str) -> BTreeMap<&str, &str> {
    listing.lines().filter_map(|l| l.split_once('\t')).collect()
}

/// What changed between two listings, as Markdown: counts, then the
/// removed items and the changed ones (what breaks users), then the added.
pub fn diff(old: &str, new: &str) -> String {
    let (old, new) = (parse(old), parse(new));
    let removed: Vec<_> = old.iter().filter(|(k, _)| !new.contains_key(*k)).collect();
    let added: Vec<_> = new.iter().filter(|(k, _)| !old.contains_key(*k)).collect();
    let changed: Vec<_> = old.iter().filter_map(|(k, o)| new.get(k).filter(|n| *n != o).map(|n| (k, o, n))).collect();
    let mut out = format!(
        "{} removed, {} changed, {} added ({} items before, {} after)\n",
        removed.len(),
        changed.len(),
        added.len(),
        old.len(),
        new.len()
    );
    if !removed.is_empty() {
        out.push_str("\n## Removed\n\n");
        for (k, v) in &removed {
            out.push_str(&format!("- `{k}` ({v})\n"));
        }
    }
    if !changed.is_empty() {
        out.push_str("\n## Changed\n\n");
        for (k, o, n) in &changed {
            out.push_str(&format!("- `{k}`: {o} -> {n}\n"));
        }
    }
    if !added.is_empty() {
        out.push_str("\n## Added\n\n");
        for (k, v) in &added {
            out.push_str(&format!("- `{k}` ({v})\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_names_removed_changed_and_added() {
        let old = "a::S\tstruct\na::S.x\tOption<i64> `X`\na::S.y\tString `Y`\n";
        let new = "a::S\tstruct\na::S.x\tOption<String> `X`\na::S.z\tbool `Z`\n";
        let d = diff(old, new);
        assert!(d.starts_with("1 removed, 1 changed, 1 added (3 items before, 3 after)"), "{d}");
        assert!(d.contains("- `a::S.y` (String `Y`)"), "{d}");
        assert!(d.contains("- `a::S.x`: Option<i64> `X` -> Option<String> `X`"), "{d}");
        assert!(d.contains("## Added\n\n- `a::S.z` (bool `Z`)"), "{d}");
        assert_eq!(diff(old, old), "0 removed, 0 changed, 0 added (3 items before, 3 after)\n");
    }
}
