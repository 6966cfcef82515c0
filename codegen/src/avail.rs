//! Availability: `supportedOS` resolved down the key path, and the static
//! tables the runtime's one checker reads.
//!
//! The schema's rules (its `docs/schema.md`, and the survey in
//! `shared/docs/schema-survey.md` §3):
//! - the payload lists the OSes it supports; an OS it does not list is
//!   unsupported;
//! - a key inherits its parent's entry (the payload's, for a top-level key)
//!   per OS and per field, and overrides only the fields it states;
//! - `introduced: n/a` means not available;
//! - a child never becomes available where its parent is not: `n/a` and
//!   not-listed are final, `introduced` is the later of the two, `removed`
//!   and `deprecated` the earlier, a channel a parent forbids stays
//!   forbidden, a requirement a parent sets (supervision, ADE, user-approved
//!   MDM) stays, and the stricter user-enrollment / shared-iPad mode wins.

use std::collections::HashMap;

use crate::model::{Key, ModeBlock, Os, OsSupport, Presence, SchemaFile, Subkeys, SupportedOs, ValueType};
use crate::overrides::{self, Action};
use crate::yaml::Scalar;

/// A version as written in the schema (`10.13.6`, `17.4`, `18`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Version(pub u16, pub u16, pub u16);

impl Version {
    /// Parses a version; `all` is version 0 (always). `n/a` and text that
    /// is not a version give `None`.
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.trim();
        if text == "all" {
            return Some(Version(0, 0, 0));
        }
        let mut parts = text.split('.').map(|p| p.parse::<u16>().ok());
        let major = parts.next()??;
        let minor = parts.next().unwrap_or(Some(0))?;
        let patch = parts.next().unwrap_or(Some(0))?;
        if parts.next().is_some() {
            return None;
        }
        Some(Version(major, minor, patch))
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.2 == 0 { write!(f, "{}.{}", self.0, self.1) } else { write!(f, "{}.{}.{}", self.0, self.1, self.2) }
    }
}

/// `allowed` < `ignored` < `required` < `forbidden`: the stricter wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    Allowed,
    Ignored,
    Required,
    Forbidden,
}

impl Mode {
    fn parse(text: Option<&str>) -> Option<Mode> {
        match text? {
            "allowed" => Some(Mode::Allowed),
            "ignored" => Some(Mode::Ignored),
            "required" => Some(Mode::Required),
            "forbidden" => Some(Mode::Forbidden),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Mode::Allowed => "Allowed",
            Mode::Ignored => "Ignored",
            Mode::Required => "Required",
            Mode::Forbidden => "Forbidden",
        }
    }
}

/// The availability of a payload or key on one OS, inheritance applied.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Resolved {
    /// `None`: `n/a`.
    pub introduced: Option<Version>,
    pub deprecated: Option<Version>,
    pub removed: Option<Version>,
    pub access_rights: Option<String>,
    pub device_channel: Option<bool>,
    pub user_channel: Option<bool>,
    pub supervised: bool,
    pub requires_dep: bool,
    pub user_approved_mdm: bool,
    pub allow_manual_install: Option<bool>,
    pub multiple: Option<bool>,
    pub beta: bool,
    pub user_enrollment: Option<Mode>,
    pub user_enrollment_behavior: Option<String>,
    pub shared_ipad: Option<Mode>,
    pub shared_ipad_device_channel: Option<bool>,
    pub shared_ipad_user_channel: Option<bool>,
    pub allowed_enrollments: Vec<String>,
    pub allowed_scopes: Vec<String>,
    /// On shared iPad: the scopes allowed there (`None`: as elsewhere).
    pub shared_ipad_allowed_scopes: Option<Vec<String>>,
}

fn earlier(a: Option<Version>, b: Option<Version>) -> Option<Version> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// A channel flag: a parent's `false` stays `false`.
fn channel(parent: Option<bool>, own: Option<bool>) -> Option<bool> {
    match (parent, own) {
        (Some(false), _) => Some(false),
        (p, o) => o.or(p),
    }
}

fn mode(parent: Option<Mode>, own: Option<&ModeBlock>) -> Option<Mode> {
    let own = own.and_then(|b| Mode::parse(b.mode.as_deref()));
    match (parent, own) {
        (Some(p), Some(o)) => Some(p.max(o)),
        (p, o) => o.or(p),
    }
}

impl Resolved {
    /// The entry of a payload for one OS (no parent).
    pub fn top(own: &OsSupport) -> Resolved {
        let base = Resolved { introduced: Some(Version::default()), ..Resolved::default() };
        base.child(Some(own))
    }

    /// This entry with a child's own fields applied.
    pub fn child(&self, own: Option<&OsSupport>) -> Resolved {
        let Some(own) = own else { return self.clone() };
        if self.introduced.is_none() {
            // n/a is final.
            return self.clone();
        }
        let introduced = match own.introduced.as_deref() {
            None => self.introduced,
            Some("n/a") => None,
            // A version that does not parse is kept as the parent's.
            Some(v) => match Version::parse(v) {
                Some(v) => self.introduced.map(|p| p.max(v)),
                None => self.introduced,
            },
        };
        let version = |v: &Option<String>| v.as_deref().filter(|v| *v != "n/a").and_then(Version::parse);
        Resolved {
            introduced,
            deprecated: earlier(self.deprecated, version(&own.deprecated)),
            removed: earlier(self.removed, version(&own.removed)),
            access_rights: own.accessrights.clone().or_else(|| self.access_rights.clone()),
            device_channel: channel(self.device_channel, own.devicechannel),
            user_channel: channel(self.user_channel, own.userchannel),
            supervised: self.supervised || own.supervised == Some(true),
            requires_dep: self.requires_dep || own.requiresdep == Some(true),
            user_approved_mdm: self.user_approved_mdm || own.userapprovedmdm == Some(true),
            allow_manual_install: own.allowmanualinstall.or(self.allow_manual_install),
            multiple: own.multiple.or(self.multiple),
            beta: own.beta.unwrap_or(self.beta),
            user_enrollment: mode(self.user_enrollment, own.userenrollment.as_ref()),
            user_enrollment_behavior: own
                .userenrollment
                .as_ref()
                .and_then(|b| b.behavior.clone())
                .or_else(|| self.user_enrollment_behavior.clone()),
            shared_ipad: mode(self.shared_ipad, own.sharedipad.as_ref()),
            shared_ipad_device_channel: channel(
                self.shared_ipad_device_channel,
                own.sharedipad.as_ref().and_then(|b| b.devicechannel),
            ),
            shared_ipad_user_channel: channel(
                self.shared_ipad_user_channel,
                own.sharedipad.as_ref().and_then(|b| b.userchannel),
            ),
            allowed_enrollments: if own.allowed_enrollments.is_empty() {
                self.allowed_enrollments.clone()
            } else {
                own.allowed_enrollments.clone()
            },
            allowed_scopes: if own.allowed_scopes.is_empty() {
                self.allowed_scopes.clone()
            } else {
                own.allowed_scopes.clone()
            },
            shared_ipad_allowed_scopes: own
                .sharedipad
                .as_ref()
                .and_then(|b| b.allowed_scopes.clone())
                .or_else(|| self.shared_ipad_allowed_scopes.clone()),
        }
    }

    /// One line for rustdoc: `17.0+, deprecated 18.0, supervised, user enrollment: forbidden`.
    pub fn describe(&self) -> String {
        let Some(intro) = self.introduced else { return "not available".to_owned() };
        let mut parts = vec![if intro == Version::default() { "all versions".to_owned() } else { format!("{intro}+") }];
        if let Some(d) = self.deprecated {
            parts.push(format!("deprecated {d}"));
        }
        if let Some(r) = self.removed {
            parts.push(format!("removed {r}"));
        }
        match (self.device_channel, self.user_channel) {
            (Some(false), Some(true)) => parts.push("user channel only".into()),
            (Some(true) | None, Some(false)) => parts.push("device channel only".into()),
            _ => {}
        }
        if self.supervised {
            parts.push("supervised".into());
        }
        if self.requires_dep {
            parts.push("ADE only".into());
        }
        if self.user_approved_mdm {
            parts.push("user-approved MDM".into());
        }
        if let Some(m) = self.user_enrollment.filter(|m| *m != Mode::Allowed) {
            parts.push(format!("user enrollment: {}", m.name().to_lowercase()));
        }
        if let Some(m) = self.shared_ipad.filter(|m| *m != Mode::Allowed) {
            parts.push(format!("shared iPad: {}", m.name().to_lowercase()));
        }
        if self.beta {
            parts.push("beta".into());
        }
        parts.join(", ")
    }
}

/// Per-OS entries of a payload or key; `None` for an OS that is not listed.
pub type Availability = [Option<Resolved>; 5];

/// The payload's availability.
pub fn payload(os: &SupportedOs) -> Availability {
    Os::ALL.map(|o| os.get(&o).map(Resolved::top))
}

/// A key's availability under its parent's.
pub fn key(parent: &Availability, key: &Key) -> Availability {
    let mut out = parent.clone();
    for (i, os) in Os::ALL.iter().enumerate() {
        if let Some(p) = &parent[i] {
            out[i] = Some(p.child(key.supported_os.as_ref().and_then(|s| s.get(os))));
        }
    }
    out
}

/// Rustdoc lines, one per OS: `iOS: 18.1+`.
pub fn doc_lines(a: &Availability) -> Vec<String> {
    Os::ALL
        .iter()
        .zip(a)
        .map(|(os, r)| match r {
            Some(r) => format!("- {}: {}", os.schema_name(), r.describe()),
            None => format!("- {}: not supported", os.schema_name()),
        })
        .collect()
}

/// The table rows of one file, breadth first so that each key's children
/// are contiguous.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub name: String,
    pub ty: ValueType,
    pub presence: Presence,
    /// An array element or `ANY` map value: its name is not a wire key.
    pub element: bool,
    pub os: [u16; 5],
    pub rangelist: Vec<Scalar>,
    pub range: Option<(Option<f64>, Option<f64>)>,
    pub repetition: Option<(Option<f64>, Option<f64>)>,
    pub format: Option<String>,
    pub default: Option<Scalar>,
    pub deprecated_anywhere: bool,
    /// `(first, count)` of the children rows.
    pub children: (u16, u16),
}

/// A pool of distinct resolved entries; index 0 means "not listed".
#[derive(Debug, Default)]
pub struct Pool {
    entries: Vec<Resolved>,
    index: HashMap<Resolved, u16>,
}

impl Pool {
    fn intern(&mut self, a: &Availability) -> [u16; 5] {
        a.clone().map(|r| match r {
            None => 0,
            Some(r) => {
                if let Some(i) = self.index.get(&r) {
                    return *i;
                }
                self.entries.push(r.clone());
                let i = u16::try_from(self.entries.len()).expect("fewer than 65,535 distinct entries");
                self.index.insert(r, i);
                i
            }
        })
    }
}

/// The table of one section (request or response keys) of a file.
/// `prefix` is the section's override prefix (`payload:`, `response:`): the
/// tables get the same schema fixes as the types (a key made optional, a
/// level unwrapped, values added), so validation agrees with decoding.
pub fn rows(
    pool: &mut Pool,
    parent: &Availability,
    keys: &[Key],
    rules: &overrides::FileRules,
    prefix: &str,
) -> (Vec<Row>, (u16, u16)) {
    let mut rows: Vec<Row> = Vec::new();
    let mut anchors: HashMap<usize, (u16, u16)> = HashMap::new();
    let mut pending: Vec<Pending> = Vec::new();
    // A top level of one `ANY` key (the Ethernet payloads): any key, each
    // value an element, as at any other level.
    let top_element = keys.len() == 1 && crate::ir::is_any_key(&keys[0].name);
    let top = push_level(pool, &mut rows, parent, keys, top_element, rules, prefix, &mut pending);
    let mut next = 0;
    while next < pending.len() {
        let p = pending[next].clone();
        next += 1;
        let range = match &p.subkeys {
            Subkeys::Recursive { anchor } => anchors.get(anchor).copied().unwrap_or((0, 0)),
            Subkeys::List(list) => {
                let element = matches!(rows[p.row].ty, ValueType::Array)
                    || (list.len() == 1 && crate::ir::is_any_key(&list[0].name));
                let r = push_level(pool, &mut rows, &p.avail, list, element, rules, &p.path, &mut pending);
                if p.anchor != 0 {
                    anchors.insert(p.anchor, r);
                }
                r
            }
        };
        rows[p.row].children = range;
    }
    (rows, top)
}

/// A row whose children are still to be written.
#[derive(Clone)]
struct Pending {
    row: usize,
    subkeys: Subkeys,
    anchor: usize,
    avail: Availability,
    /// The override path prefix of the children (`payload:A/B/`).
    path: String,
}

#[allow(clippy::too_many_arguments)]
fn push_level(
    pool: &mut Pool,
    rows: &mut Vec<Row>,
    parent: &Availability,
    keys: &[Key],
    element: bool,
    rules: &overrides::FileRules,
    prefix: &str,
    pending: &mut Vec<Pending>,
) -> (u16, u16) {
    let first = u16::try_from(rows.len()).expect("fewer than 65,535 keys in a file");
    for k in keys {
        let a = key(parent, k);
        let path = format!("{prefix}{}", k.name);
        let fix = rules.lookup(&path);
        let bounds = |b: &Option<crate::model::Bounds>| b.as_ref().map(|b| (b.min, b.max));
        let mut rangelist = k.rangelist.clone();
        let mut range = bounds(&k.range);
        match fix {
            Some(Action::ExtraValues(extra)) => rangelist.extend(extra.iter().map(|v| Scalar::Str((*v).to_owned()))),
            // Apple's prose only: the schema states neither a list nor a range.
            Some(Action::IntegerRange { listed, min, max }) if rangelist.is_empty() && range.is_none() => {
                rangelist.extend(listed.iter().map(|v| Scalar::Int(*v)));
                range = Some((min.map(|v| v as f64), max.map(|v| v as f64)));
            }
            _ => {}
        }
        rows.push(Row {
            name: k.name.clone(),
            ty: k.ty.clone(),
            presence: if fix == Some(Action::Optional) { Presence::Optional } else { k.presence },
            element,
            os: pool.intern(&a),
            rangelist,
            range,
            repetition: bounds(&k.repetition),
            format: k.format.clone().filter(|f| !f.trim().is_empty()),
            default: k.default.clone(),
            deprecated_anywhere: a.iter().flatten().any(|r| r.deprecated.is_some()),
            children: (0, 0),
        });
        // An unwrapped level is not on the wire: its children are the key's.
        let (subkeys, anchor, path) = match (fix, k.subkey_list()) {
            (Some(Action::Unwrap), [only]) if only.ty == ValueType::Dictionary => {
                (only.subkeys.clone(), only.subkeys_anchor, format!("{path}/{}/", only.name))
            }
            _ => (k.subkeys.clone(), k.subkeys_anchor, format!("{path}/")),
        };
        let has_children = match &subkeys {
            Subkeys::List(l) => !l.is_empty(),
            Subkeys::Recursive { .. } => true,
        };
        if has_children {
            pending.push(Pending { row: rows.len() - 1, subkeys, anchor, avail: a, path });
        }
    }
    (first, u16::try_from(keys.len()).expect("fewer than 65,535 keys"))
}

// The tables are data: they are written as text, one row per line, through
// the short `const fn` constructors of `src/tables.rs`, rather than as
// tokens formatted by prettyplease (which took most of the generator's time
// and quadrupled their size).

fn version_text(v: Option<Version>) -> String {
    match v {
        Some(Version(a, b, c)) => format!("v({a}, {b}, {c})"),
        None => "None".to_owned(),
    }
}

fn opt_text<T: std::fmt::Debug>(v: Option<T>) -> String {
    match v {
        Some(v) => format!("Some({v:?})"),
        None => "None".to_owned(),
    }
}

fn mode_text(v: Option<Mode>) -> String {
    match v {
        Some(m) => format!("Some(Behavior::{})", m.name()),
        None => "None".to_owned(),
    }
}

fn str_list(v: &[String]) -> String {
    format!("&[{}]", v.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", "))
}

/// The pool as a static array (index 0 is a placeholder: "not listed").
pub fn pool_text(pool: &Pool) -> String {
    let mut out = String::from(
        "/// Every distinct resolved per-OS entry; index 0 stands for \"not listed\".\n\
         pub static OS_ENTRIES: &[OsEntry] = &[\n    OsEntry::NOT_LISTED,\n",
    );
    for r in &pool.entries {
        out.push_str(&format!(
            "    e({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}),\n",
            version_text(r.introduced),
            version_text(r.deprecated),
            version_text(r.removed),
            opt_text(r.access_rights.as_deref()),
            opt_text(r.device_channel),
            opt_text(r.user_channel),
            r.supervised,
            r.requires_dep,
            r.user_approved_mdm,
            opt_text(r.allow_manual_install),
            opt_text(r.multiple),
            r.beta,
            mode_text(r.user_enrollment),
            opt_text(r.user_enrollment_behavior.as_deref()),
            mode_text(r.shared_ipad),
            opt_text(r.shared_ipad_device_channel),
            opt_text(r.shared_ipad_user_channel),
            str_list(&r.allowed_enrollments),
            str_list(&r.allowed_scopes),
            match &r.shared_ipad_allowed_scopes {
                Some(list) => format!("Some({})", str_list(list)),
                None => "None".to_owned(),
            },
        ));
    }
    out.push_str("];\n");
    out
}

fn literal_text(s: &Scalar) -> String {
    match s {
        Scalar::Str(v) => format!("L::Str({v:?})"),
        Scalar::Int(i) => format!("L::Int({i})"),
        Scalar::Real(r) => format!("L::Real({r:?})"),
        Scalar::Bool(b) => format!("L::Bool({b})"),
        Scalar::Null => "L::Null".to_owned(),
    }
}

fn bounds_text(b: Option<(Option<f64>, Option<f64>)>) -> String {
    match b {
        None => "None".to_owned(),
        Some((min, max)) => format!("Some(Bounds {{ min: {}, max: {} }})", opt_text(min), opt_text(max)),
    }
}

fn kind_text(t: &ValueType) -> &'static str {
    match t {
        ValueType::String => "ValueKind::String",
        ValueType::Integer => "ValueKind::Integer",
        ValueType::Real => "ValueKind::Real",
        ValueType::Boolean => "ValueKind::Boolean",
        ValueType::Date => "ValueKind::Date",
        ValueType::Data => "ValueKind::Data",
        ValueType::Array => "ValueKind::Array",
        ValueType::Dictionary => "ValueKind::Dictionary",
        ValueType::Any | ValueType::Unknown(_) => "ValueKind::Any",
    }
}

fn rows_text(rows: &[Row], top: (u16, u16)) -> String {
    let mut out = format!("KeyTable {{ top: ({}, {}), rows: &[\n", top.0, top.1);
    for r in rows {
        let presence = match r.presence {
            Presence::Required => "P::Required",
            Presence::Optional => "P::Optional",
            Presence::Unspecified => "P::Unspecified",
        };
        let os = r.os.map(|i| i.to_string()).join(", ");
        let rangelist = r.rangelist.iter().map(literal_text).collect::<Vec<_>>().join(", ");
        out.push_str(&format!(
            "            k({:?}, {}, {}, {}, [{}], &[{}], {}, {}, {}, {}, ({}, {})),\n",
            r.name,
            kind_text(&r.ty),
            presence,
            r.element,
            os,
            rangelist,
            bounds_text(r.range),
            bounds_text(r.repetition),
            opt_text(r.format.as_deref()),
            match &r.default {
                Some(d) => format!("Some({})", literal_text(d)),
                None => "None".to_owned(),
            },
            r.children.0,
            r.children.1,
        ));
    }
    out.push_str("        ], fingerprints: &[");
    let fingerprints = rows.iter().map(|r| fingerprint(&r.name).to_string()).collect::<Vec<_>>().join(", ");
    out.push_str(&fingerprints);
    out.push_str("], index: &[");
    let index = long_level_index(rows, top).iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
    out.push_str(&index);
    out.push_str("], required: &[");
    let required = required_rows(rows).iter().map(|w| format!("{w:#x}")).collect::<Vec<_>>().join(", ");
    out.push_str(&required);
    out.push_str("], unions: &[");
    let unions = union_index(rows)
        .iter()
        .map(|UnionRows { first, key, values }| {
            let values = values.iter().map(|(v, i)| format!("({v:?}, {i})")).collect::<Vec<_>>().join(", ");
            format!("u({first}, {key:?}, &[{values}])")
        })
        .collect::<Vec<_>>()
        .join(", ");
    out.push_str(&unions);
    out.push_str("] }");
    out
}

/// The unions' variants by the value of the key that tells them apart,
/// for validation to find an element's variant in one search where it
/// would read each variant's keys in turn (`availability::UnionIndex`).
/// A union is an array's level of two or more rows (its variants: Settings'
/// elements); it is indexed when every single-valued key of its variants
/// has one name and a string value. A value listed by several variants
/// names the first, as reading the variants in order finds it.
fn union_index(rows: &[Row]) -> Vec<UnionRows> {
    let level = |(first, count): (u16, u16)| {
        let first = usize::from(first);
        rows.get(first..first + usize::from(count)).unwrap_or_default()
    };
    let mut out: Vec<UnionRows> = Vec::new();
    for r in rows {
        if r.ty != ValueType::Array || r.children.1 < 2 || out.iter().any(|u| u.first == r.children.0) {
            continue;
        }
        let mut key: Option<&str> = None;
        let mut values: Vec<(String, u16)> = Vec::new();
        let indexed = level(r.children).iter().enumerate().all(|(i, variant)| {
            // Single-valued: one listed value and no range (a key listing
            // `0` beside a range of 30 and up holds more than one value).
            level(variant.children).iter().filter(|c| c.rangelist.len() == 1 && c.range.is_none()).all(|c| {
                let (Scalar::Str(value), Ok(i)) = (&c.rangelist[0], u16::try_from(i)) else { return false };
                if *key.get_or_insert(&c.name) != c.name {
                    return false;
                }
                values.push((value.clone(), i));
                true
            })
        });
        let Some(key) = key.filter(|_| indexed) else { continue };
        // By the value's fingerprint (what the search compares), the
        // value, then the variant: the first variant of a value is kept.
        values.sort_by(|a, b| (fingerprint(&a.0), &a.0, a.1).cmp(&(fingerprint(&b.0), &b.0, b.1)));
        values.dedup_by(|later, first| later.0 == first.0);
        out.push(UnionRows { first: r.children.0, key: key.to_owned(), values });
    }
    out.sort_by_key(|u| u.first);
    out
}

/// One union's index, as [`union_index`] finds it.
#[derive(Debug, PartialEq)]
struct UnionRows {
    /// The variants' first row.
    first: u16,
    /// The key that tells them apart.
    key: String,
    /// `(value, variant)`, sorted by the value's [`fingerprint`], then the
    /// value.
    values: Vec<(String, u16)>,
}

/// The rows that are required keys (not elements), as the bits of
/// 64-bit words: bit `i % 64` of word `i / 64` for row `i`. A walk asks
/// after the required keys of every level it checks; with these it need
/// not read every row.
fn required_rows(rows: &[Row]) -> Vec<u64> {
    let mut words = vec![0u64; rows.len().div_ceil(64)];
    for (i, r) in rows.iter().enumerate() {
        if r.presence == Presence::Required && !r.element {
            words[i / 64] |= 1 << (i % 64);
        }
    }
    // No trailing empty words: a row past the end reads as not required.
    while words.last() == Some(&0) {
        words.pop();
    }
    words
}

/// Levels of up to this many keys are scanned row by row at run time, as
/// `availability::SHORT_LEVEL` says; longer ones are looked up in the
/// index (a unit test there looks up every key of every level).
const SHORT_LEVEL: usize = 16;

/// The hashed index of a table's long levels: an open-addressed table of
/// `row + 1` (0: an empty slot), at most half full, probed linearly from
/// [`slot_hash`] of a name's fingerprint and its level's first row. Rows
/// go in in schema order, so that of the rows of a level with the same
/// name, a lookup meets the first one first. Empty when no level is long.
fn long_level_index(rows: &[Row], top: (u16, u16)) -> Vec<u16> {
    let mut levels: Vec<(u16, u16)> = std::iter::once(top)
        .chain(rows.iter().map(|r| r.children))
        .filter(|l| usize::from(l.1) > SHORT_LEVEL)
        .collect();
    levels.sort_unstable();
    levels.dedup();
    let count: usize = levels.iter().map(|l| usize::from(l.1)).sum();
    if count == 0 {
        return Vec::new();
    }
    assert!(rows.len() < usize::from(u16::MAX), "a key table of {} rows does not fit the u16 index", rows.len());
    let mut slots = vec![0u16; (count * 2).next_power_of_two()];
    let mask = slots.len() - 1;
    for (first, len) in levels {
        let start = usize::from(first);
        for (row, r) in rows.iter().enumerate().skip(start).take(usize::from(len)) {
            let mut slot = slot_hash(fingerprint(&r.name), start) & mask;
            while slots[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            slots[slot] = u16::try_from(row + 1).expect("checked above");
        }
    }
    slots
}

/// Where a lookup of a name in a level starts probing, as
/// `availability::slot_hash` computes it at run time.
fn slot_hash(fingerprint: u32, first_row: usize) -> usize {
    let key = u64::from(fingerprint) | (first_row as u64) << 32;
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize
}

/// A name's fingerprint: its length and its first and last bytes, as
/// `availability::fingerprint` computes it at run time (a unit test there
/// checks every row). A lookup in a long level probes the index from it
/// and compares names only where the fingerprints agree.
fn fingerprint(name: &str) -> u32 {
    let b = name.as_bytes();
    let len = u32::try_from(b.len().min(0xffff)).unwrap_or(0xffff);
    len | u32::from(b.first().copied().unwrap_or(0)) << 16 | u32::from(b.last().copied().unwrap_or(0)) << 24
}

/// A file's whole table entry, as text.
pub fn file_text(pool: &mut Pool, file: &SchemaFile, name: &str) -> String {
    let payload_avail = payload(&file.payload.supported_os);
    let os = pool.intern(&payload_avail);
    let rules = overrides::FileRules::new(file);
    let (req, req_top) = rows(pool, &payload_avail, &file.payload_keys, &rules, "payload:");
    let (resp, resp_top) = rows(pool, &payload_avail, &file.response_keys, &rules, "response:");
    format!(
        "    SchemaFile {{\n        path: {:?},\n        name: {:?},\n        title: {:?},\n        os: [{}],\n        \
         request: {},\n        response: {},\n    }},\n",
        file.path,
        name,
        file.title,
        os.map(|i| i.to_string()).join(", "),
        rows_text(&req, req_top),
        rows_text(&resp, resp_top),
    )
}

/// Every key's availability, by the key path the IR and the overrides use
/// (`payload:Attributes/VPNUUID`).
pub fn path_map(file: &SchemaFile) -> HashMap<String, Availability> {
    let mut out = HashMap::new();
    let top = payload(&file.payload.supported_os);
    fill(&mut out, &top, &file.payload_keys, "payload:");
    fill(&mut out, &top, &file.response_keys, "response:");
    out
}

fn fill(out: &mut HashMap<String, Availability>, parent: &Availability, keys: &[Key], prefix: &str) {
    for k in keys {
        let a = key(parent, k);
        let path = format!("{prefix}{}", k.name);
        fill(out, &a, k.subkey_list(), &format!("{path}/"));
        out.insert(path, a);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(introduced: Option<&str>) -> OsSupport {
        OsSupport { introduced: introduced.map(str::to_owned), ..OsSupport::default() }
    }

    #[test]
    fn versions() {
        assert_eq!(Version::parse("10.13.6"), Some(Version(10, 13, 6)));
        assert_eq!(Version::parse("18"), Some(Version(18, 0, 0)));
        assert_eq!(Version::parse("all"), Some(Version(0, 0, 0)));
        assert_eq!(Version::parse("n/a"), None);
        assert!(Version::parse("10.13.6").unwrap() > Version::parse("10.13").unwrap());
        assert_eq!(Version(17, 4, 0).to_string(), "17.4");
    }

    #[test]
    fn children_never_widen() {
        let parent = Resolved::top(&OsSupport {
            introduced: Some("11.0".into()),
            devicechannel: Some(true),
            userchannel: Some(false),
            supervised: Some(true),
            ..OsSupport::default()
        });
        // Earlier introduced, user channel on, supervision off: all ignored.
        let child = parent.child(Some(&OsSupport {
            introduced: Some("10.0".into()),
            userchannel: Some(true),
            supervised: Some(false),
            ..OsSupport::default()
        }));
        assert_eq!(child.introduced, Some(Version(11, 0, 0)));
        assert_eq!(child.user_channel, Some(false));
        assert!(child.supervised);
        // n/a is final.
        let na = parent.child(Some(&os(Some("n/a"))));
        assert_eq!(na.introduced, None);
        assert_eq!(na.child(Some(&os(Some("12.0")))).introduced, None);
        // Later introduced narrows.
        assert_eq!(parent.child(Some(&os(Some("14.2")))).introduced, Some(Version(14, 2, 0)));
    }

    #[test]
    fn stricter_mode_wins() {
        let ue = |m: &str| OsSupport {
            userenrollment: Some(ModeBlock { mode: Some(m.into()), ..ModeBlock::default() }),
            ..os(None)
        };
        let parent = Resolved::top(&OsSupport { introduced: Some("13.0".into()), ..ue("forbidden") });
        assert_eq!(parent.child(Some(&ue("allowed"))).user_enrollment, Some(Mode::Forbidden));
        let parent = Resolved::top(&OsSupport { introduced: Some("13.0".into()), ..ue("allowed") });
        assert_eq!(parent.child(Some(&ue("forbidden"))).user_enrollment, Some(Mode::Forbidden));
    }

    fn row(name: &str, ty: ValueType, children: (u16, u16), rangelist: Vec<Scalar>) -> Row {
        Row {
            name: name.to_owned(),
            ty,
            presence: Presence::Optional,
            element: false,
            os: [0; 5],
            rangelist,
            range: None,
            repetition: None,
            format: None,
            default: None,
            deprecated_anywhere: false,
            children,
        }
    }

    /// An array of three variants told apart by `Item` (one lists no
    /// `Item`, two list the same value: the first is kept) is indexed,
    /// by the values' fingerprints (`Alpha`'s last byte is the lower).
    /// One whose variants' single-valued keys have two names, or a value
    /// that is not a string, is not; an array of one element is no union.
    #[test]
    fn unions_are_indexed_by_their_one_single_valued_key() {
        use ValueType::{Array, Dictionary, Integer, String as Str};
        let item = |v: &str| row("Item", Str, (0, 0), vec![Scalar::Str(v.to_owned())]);
        let union = |variant_children: [(u16, u16); 3]| {
            vec![
                row("Settings", Array, (1, 3), vec![]),
                row("A", Dictionary, variant_children[0], vec![]),
                row("B", Dictionary, variant_children[1], vec![]),
                row("C", Dictionary, variant_children[2], vec![]),
            ]
        };
        // A: Item = "Zed" and a free key; B: no single-valued key;
        // C: Item = "Alpha" and "Zed".
        let mut rows = union([(4, 2), (6, 1), (7, 2)]);
        rows.extend([item("Zed"), row("Free", Str, (0, 0), vec![]), row("Other", Str, (0, 0), vec![])]);
        rows.extend([item("Alpha"), item("Zed")]);
        assert_eq!(
            union_index(&rows),
            vec![UnionRows {
                first: 1,
                key: "Item".to_owned(),
                values: vec![("Alpha".to_owned(), 2), ("Zed".to_owned(), 0)]
            }]
        );
        assert!(rows_text(&rows, (0, 1)).contains(r#"unions: &[u(1, "Item", &[("Alpha", 2), ("Zed", 0)])]"#));
        // A key listing one value beside a range is not single-valued
        // (Settings' session timeouts: `0`, or 30 and up): still indexed.
        rows[5] = row("Timeout", Integer, (0, 0), vec![Scalar::Int(0)]);
        rows[5].range = Some((Some(30.0), None));
        assert_eq!(union_index(&rows).len(), 1);
        // Without the range, an integer single value: not indexed.
        rows[5].range = None;
        assert_eq!(union_index(&rows), vec![]);
        rows[5] = row("Free", Str, (0, 0), vec![]);
        // C's second single-valued key has another name: not indexed.
        rows[8] = row("Kind", Str, (0, 0), vec![Scalar::Str("Zed".to_owned())]);
        assert_eq!(union_index(&rows), vec![]);
        // An integer value: not indexed.
        rows[8] = row("Item", Integer, (0, 0), vec![Scalar::Int(3)]);
        assert_eq!(union_index(&rows), vec![]);
        // No variant with a single-valued key: nothing to index.
        let mut rows = union([(4, 1), (4, 1), (4, 1)]);
        rows.push(row("Free", Str, (0, 0), vec![]));
        assert_eq!(union_index(&rows), vec![]);
        // One element: an array, not a union.
        rows[0].children = (1, 1);
        assert_eq!(union_index(&rows), vec![]);
    }
}
