//! Reports of what each OS version supports, for admins' docs: every
//! command, check-in message, profile payload, declaration and status item
//! (as far as their cargo features are on), with their keys.
//!
//! [`supported`] and [`changes`] give rows as data (the CLI prints them as
//! JSON); [`supported_markdown`] and [`changes_markdown`] render them.
//! `cargo run --example supported_keys --features full -- macOS 15.1`
//! prints the first, `-- macOS 14.0 15.1` the second.

use std::fmt::Write as _;

use crate::availability::{self, Behavior, Family, KeyTable, OsEntry, OsVersion, Platform, SchemaFile};
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
    let mode = |m: Behavior| match m {
        Behavior::Allowed => "allowed",
        Behavior::Ignored => "ignored",
        Behavior::Required => "required",
        Behavior::Forbidden => "forbidden",
    };
    if let Some(m) = entry.user_enrollment.filter(|m| *m != Behavior::Allowed) {
        n.push(format!("user enrollment {}", mode(m)));
    }
    if let Some(m) = entry.shared_ipad.filter(|m| *m != Behavior::Allowed) {
        n.push(format!("shared iPad {}", mode(m)));
    }
    if !entry.allowed_enrollments.is_empty() {
        n.push(format!("enrollments: {}", entry.allowed_enrollments.join("/")));
    }
    if !entry.allowed_scopes.is_empty() {
        n.push(format!("scopes: {}", entry.allowed_scopes.join("/")));
    }
    match entry.shared_ipad_allowed_scopes {
        Some([]) => n.push("not on shared iPad".to_owned()),
        Some(list) => n.push(format!("shared iPad scopes: {}", list.join("/"))),
        None => {}
    }
    if entry.beta {
        n.push("beta".to_owned());
    }
    n.join(", ")
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
         `cargo run --example supported_keys --features full`.\n\n",
        crate::SCHEMA_RELEASE,
        crate::SCHEMA_COMMIT
    )
}

/// The families the reports cover, in report order: commands, check-in
/// messages, profile payloads, declarations, status items.
pub const FAMILIES: [Family; 5] =
    [Family::Commands, Family::Checkin, Family::Profiles, Family::Declarations, Family::Status];

/// What the reports call a family's items.
pub fn family_title(family: Family) -> &'static str {
    match family {
        Family::Commands => "Commands",
        Family::Checkin => "Check-in messages",
        Family::Errors => "Errors",
        Family::Profiles => "Profile payloads",
        Family::Declarations => "Declarations",
        Family::Status => "Status items",
        Family::Protocol => "Declarative protocol",
        Family::Other => "Other",
    }
}

/// The schema files a report lists: not the keys every profile, payload or
/// declaration has (`TopLevel`, `CommonPayloadKeys`, `DeclarationBase`),
/// nor the reason type status values share (`statusreason.yaml`).
fn report_files(family: Family) -> impl Iterator<Item = &'static SchemaFile> {
    availability::files(family).iter().filter(|f| !SHARED_KEYS.contains(&f.path))
}

/// The files of keys shared by a whole family.
pub(crate) const SHARED_KEYS: [&str; 4] = [
    "mdm/profiles/TopLevel.yaml",
    "mdm/profiles/CommonPayloadKeys.yaml",
    "declarative/declarations/declarationbase.yaml",
    "declarative/status/statusreason.yaml",
];

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

/// The keys of a file with their entries; response keys prefixed `→ `.
fn file_keys(file: &SchemaFile, platform: Platform) -> Vec<(String, &'static OsEntry)> {
    let mut rows = Vec::new();
    keys_of(&file.request, "", platform, &mut rows);
    keys_of(&file.response, "→ ", platform, &mut rows);
    rows
}

/// One row of [`supported`]: an item (command, payload...) or one of its
/// keys.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SupportedRow {
    /// The family.
    pub family: Family,
    /// The item's schema name (`RequestType`, `PayloadType`, declaration
    /// `Type`, status item name).
    pub name: &'static str,
    /// The key's display path (see [`KeyTable::walk`]), `→ `-prefixed for
    /// a response key; `None` for the item itself.
    pub key: Option<String>,
    /// The version it came in (`0.0` for "all versions").
    pub since: OsVersion,
    /// What it needs, in a few words (channel, supervision, enrollment,
    /// deprecation...).
    pub needs: String,
}

/// Every item and key of `families` that exists on `platform` `version`
/// (on some channel or enrollment), in schema order.
pub fn supported(families: &[Family], platform: Platform, version: OsVersion) -> Vec<SupportedRow> {
    let mut out = Vec::new();
    for &family in families {
        for file in report_files(family) {
            let listed = file.os[platform.index()] != 0;
            let entry = file.on(platform);
            if !exists(entry, listed, version) {
                continue;
            }
            let row = |key: Option<String>, e: &OsEntry| SupportedRow {
                family,
                name: file.name,
                key,
                since: e.introduced.unwrap_or_default(),
                needs: notes(e, version),
            };
            out.push(row(None, entry));
            for (path, e) in file_keys(file, platform) {
                if exists(e, true, version) {
                    out.push(row(Some(path), e));
                }
            }
        }
    }
    out
}

fn since_text(v: OsVersion) -> String {
    if v == OsVersion::default() { "all".to_owned() } else { v.to_string() }
}

/// Every command, check-in message, profile payload, declaration and
/// status item, with its keys, that exists on `platform` `version`, as
/// Markdown: one section per family, with the version each came in and
/// what it needs (channel, supervision, enrollment...).
pub fn supported_markdown(platform: Platform, version: OsVersion) -> String {
    supported_markdown_for(&FAMILIES, platform, version)
}

/// [`supported_markdown`] for some families only.
pub fn supported_markdown_for(families: &[Family], platform: Platform, version: OsVersion) -> String {
    let mut out = header(&format!("What {platform} {version} supports"));
    out.push_str(&newer_than_schema(platform, version));
    out.push_str(
        "An item or key is listed when it exists on this version on some channel or enrollment; \
         **Needs** says what it requires. Response keys are marked `→`. Paths join keys with `.`, \
         skip array elements, write dictionary values with arbitrary keys as `*` and the variants \
         of a mixed array as `[Variant]`.\n\n",
    );
    let rows = supported(families, platform, version);
    let mut summary = Vec::new();
    let mut body = String::new();
    for &family in families {
        let rows: Vec<&SupportedRow> = rows.iter().filter(|r| r.family == family).collect();
        let items = rows.iter().filter(|r| r.key.is_none()).count();
        let keys = rows.len() - items;
        let title = family_title(family);
        summary.push(format!("{items} {} ({keys} keys)", title.to_lowercase()));
        let _ = writeln!(body, "## {title} ({items})\n");
        if rows.is_empty() {
            body.push_str("None (or the family's cargo feature is off).\n\n");
            continue;
        }
        body.push_str("| Name | Key | Since | Needs |\n|---|---|---|---|\n");
        for r in rows {
            let _ = match &r.key {
                None => writeln!(body, "| **{}** | | {} | {} |", r.name, since_text(r.since), r.needs),
                Some(k) => writeln!(body, "| {} | `{k}` | {} | {} |", r.name, since_text(r.since), r.needs),
            };
        }
        body.push('\n');
    }
    let _ = writeln!(out, "{}.\n", summary.join("; "));
    out.push_str(&body);
    out
}

/// What happened to an item or key between two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ChangeKind {
    /// Introduced.
    Introduced,
    /// Deprecated.
    Deprecated,
    /// Removed.
    Removed,
}

/// One row of [`changes`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ChangeRow {
    /// What happened.
    pub kind: ChangeKind,
    /// The family.
    pub family: Family,
    /// The item's schema name.
    pub name: &'static str,
    /// The key's display path; `None` for the item itself.
    pub key: Option<String>,
    /// The version it happened in.
    pub version: OsVersion,
}

/// What changed on `platform` between two versions, for `families`: items
/// and keys introduced, deprecated or removed after `from`, up to and
/// including `to`.
pub fn changes(families: &[Family], platform: Platform, from: OsVersion, to: OsVersion) -> Vec<ChangeRow> {
    let mut out = Vec::new();
    let in_window = |v: Option<OsVersion>| v.filter(|v| from < *v && *v <= to);
    for &family in families {
        for file in report_files(family) {
            if file.os[platform.index()] == 0 {
                continue;
            }
            let mut note = |key: Option<String>, e: &OsEntry| {
                for (kind, v) in [
                    (ChangeKind::Introduced, e.introduced),
                    (ChangeKind::Deprecated, e.deprecated),
                    (ChangeKind::Removed, e.removed),
                ] {
                    if let Some(version) = in_window(v) {
                        out.push(ChangeRow { kind, family, name: file.name, key: key.clone(), version });
                    }
                }
            };
            note(None, file.on(platform));
            for (path, e) in file_keys(file, platform) {
                note(Some(path), e);
            }
        }
    }
    out
}

/// What changed on `platform` between two versions, for every family, as
/// Markdown: items and keys introduced, deprecated or removed after
/// `from`, up to and including `to`.
pub fn changes_markdown(platform: Platform, from: OsVersion, to: OsVersion) -> String {
    changes_markdown_for(&FAMILIES, platform, from, to)
}

/// [`changes_markdown`] for some families only.
pub fn changes_markdown_for(families: &[Family], platform: Platform, from: OsVersion, to: OsVersion) -> String {
    let mut out = header(&format!("Changes on {platform} from {from} to {to}"));
    out.push_str(&newer_than_schema(platform, to));
    let rows = changes(families, platform, from, to);
    for (kind, title) in [
        (ChangeKind::Introduced, "Introduced"),
        (ChangeKind::Deprecated, "Deprecated"),
        (ChangeKind::Removed, "Removed"),
    ] {
        let rows: Vec<&ChangeRow> = rows.iter().filter(|r| r.kind == kind).collect();
        let _ = writeln!(out, "## {title} ({})\n", rows.len());
        if rows.is_empty() {
            out.push_str("None.\n\n");
            continue;
        }
        out.push_str("| Family | Name | Key | Version |\n|---|---|---|---|\n");
        for r in rows {
            let key = r.key.as_deref().map(|k| format!("`{k}`")).unwrap_or_default();
            let _ = writeln!(out, "| {} | {} | {key} | {} |", family_title(r.family), r.name, r.version);
        }
        out.push('\n');
    }
    out
}
