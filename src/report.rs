//! Markdown reports of what each OS version supports, for admins' docs.
//!
//! `cargo run --example supported_keys -- macOS 15.1` prints
//! [`supported_markdown`]; `-- macOS 14.0 15.1` prints [`changes_markdown`].

use std::fmt::Write as _;

use crate::availability::{self, KeyTable, Mode, OsEntry, OsVersion, Platform};

/// True when the entry exists on this version (introduced, not removed),
/// on some channel or enrollment.
fn exists(entry: &OsEntry, listed: bool, version: OsVersion) -> bool {
    listed && entry.introduced.is_some_and(|i| i <= version) && entry.removed.is_none_or(|r| version < r)
}

/// What the entry needs, in a few words.
fn notes(entry: &OsEntry, version: OsVersion) -> String {
    let mut n = Vec::new();
    if let Some(d) = entry.deprecated.filter(|d| *d <= version) {
        n.push(format!("deprecated {d}"));
    }
    match (entry.device_channel, entry.user_channel) {
        (Some(false), Some(true)) => n.push("user channel only".to_owned()),
        (Some(true), Some(true)) => n.push("device and user channel".to_owned()),
        (Some(true), Some(false)) => n.push("device channel only".to_owned()),
        _ => {}
    }
    if entry.supervised {
        n.push("supervised".to_owned());
    }
    if entry.requires_dep {
        n.push("ADE".to_owned());
    }
    if entry.user_approved_mdm {
        n.push("user-approved MDM".to_owned());
    }
    let mode = |m: Mode| match m {
        Mode::Allowed => "allowed",
        Mode::Ignored => "ignored",
        Mode::Required => "required",
        Mode::Forbidden => "forbidden",
    };
    if let Some(m) = entry.user_enrollment.filter(|m| *m != Mode::Allowed) {
        n.push(format!("user enrollment {}", mode(m)));
    }
    if let Some(m) = entry.shared_ipad.filter(|m| *m != Mode::Allowed) {
        n.push(format!("shared iPad {}", mode(m)));
    }
    if entry.beta {
        n.push("beta".to_owned());
    }
    n.join(", ")
}

fn since(entry: &OsEntry) -> String {
    match entry.introduced {
        Some(v) if v == OsVersion::default() => "all".to_owned(),
        Some(v) => v.to_string(),
        None => "n/a".to_owned(),
    }
}

/// A note when `version` is past the newest version the schema knows.
fn newer_than_schema(platform: Platform, version: OsVersion) -> String {
    match availability::newest_version(platform) {
        Some(newest) if version > newest => format!(
            "> **Note:** {platform} {version} is newer than any {platform} version this schema release names \
             (the newest is {newest}). What Apple added after that is not here; build against a newer schema \
             (`DEVICE_MANAGEMENT_SCHEMA`) to see it.\n\n"
        ),
        _ => String::new(),
    }
}

fn header(title: &str) -> String {
    format!(
        "# {title}\n\nGenerated from Apple's device-management schema, release `{}` (commit `{}`), by \
         `cargo run --example supported_keys`.\n\n",
        crate::SCHEMA_RELEASE,
        crate::SCHEMA_COMMIT
    )
}

fn keys_of(table: &KeyTable, prefix: &str, platform: Platform, rows: &mut Vec<(String, &'static OsEntry)>) {
    table.walk(&mut |path, key| {
        let entry = key.on(platform);
        let listed = key.os[platform.index()] != 0;
        if listed && entry.introduced.is_some() {
            rows.push((format!("{prefix}{path}"), entry));
            true
        } else {
            false
        }
    });
}

/// Every command and key that exists on `platform` `version`, as a
/// Markdown table: command, key (response keys marked `→`), the version it
/// came in, and what it needs (channel, supervision, enrollment...).
pub fn supported_markdown(platform: Platform, version: OsVersion) -> String {
    let mut out = header(&format!("MDM commands and keys on {platform} {version}"));
    out.push_str(&newer_than_schema(platform, version));
    out.push_str(
        "A key is listed when it exists on this version on some channel or enrollment; \
         **Needs** says what it requires. Response keys are marked `→`. Paths join keys with `.`, \
         skip array elements, write dictionary values with arbitrary keys as `*` and the variants \
         of a mixed array as `[Variant]`.\n\n",
    );
    let mut commands = 0;
    let mut keys = 0;
    let mut table = String::from("| Command | Key | Since | Needs |\n|---|---|---|---|\n");
    for file in availability::commands() {
        let listed = file.os[platform.index()] != 0;
        let entry = file.on(platform);
        if !exists(entry, listed, version) {
            continue;
        }
        commands += 1;
        let _ = writeln!(table, "| **{}** | | {} | {} |", file.name, since(entry), notes(entry, version));
        let mut rows = Vec::new();
        keys_of(&file.request, "", platform, &mut rows);
        keys_of(&file.response, "→ ", platform, &mut rows);
        for (path, e) in rows {
            if exists(e, true, version) {
                keys += 1;
                let _ = writeln!(table, "| {} | `{}` | {} | {} |", file.name, path, since(e), notes(e, version));
            }
        }
    }
    let _ = writeln!(out, "{commands} commands, {keys} keys.\n");
    out.push_str(&table);
    out
}

#[derive(Default)]
struct Changes {
    introduced: Vec<String>,
    deprecated: Vec<String>,
    removed: Vec<String>,
}

impl Changes {
    fn note(&mut self, name: &str, path: &str, entry: &OsEntry, from: OsVersion, to: OsVersion) {
        let in_window = |v: Option<OsVersion>| v.is_some_and(|v| from < v && v <= to);
        let row = |v: OsVersion| {
            let key = if path.is_empty() { String::new() } else { format!("`{path}`") };
            format!("| {name} | {key} | {v} |")
        };
        if in_window(entry.introduced) {
            self.introduced.push(row(entry.introduced.unwrap_or_default()));
        }
        if in_window(entry.deprecated) {
            self.deprecated.push(row(entry.deprecated.unwrap_or_default()));
        }
        if in_window(entry.removed) {
            self.removed.push(row(entry.removed.unwrap_or_default()));
        }
    }
}

/// What changed on `platform` between two versions: commands and keys
/// introduced, deprecated or removed after `from`, up to and including
/// `to`.
pub fn changes_markdown(platform: Platform, from: OsVersion, to: OsVersion) -> String {
    let mut out = header(&format!("MDM changes on {platform} from {from} to {to}"));
    out.push_str(&newer_than_schema(platform, to));
    let mut c = Changes::default();
    for file in availability::commands() {
        if file.os[platform.index()] == 0 {
            continue;
        }
        c.note(file.name, "", file.on(platform), from, to);
        let mut rows = Vec::new();
        keys_of(&file.request, "", platform, &mut rows);
        keys_of(&file.response, "→ ", platform, &mut rows);
        for (path, e) in rows {
            c.note(file.name, &path, e, from, to);
        }
    }
    for (title, rows) in [("Introduced", &c.introduced), ("Deprecated", &c.deprecated), ("Removed", &c.removed)] {
        let _ = writeln!(out, "## {title} ({})\n", rows.len());
        if rows.is_empty() {
            out.push_str("None.\n\n");
            continue;
        }
        out.push_str("| Command | Key | Version |\n|---|---|---|\n");
        for r in rows {
            out.push_str(r);
            out.push('\n');
        }
        out.push('\n');
    }
    out
}
