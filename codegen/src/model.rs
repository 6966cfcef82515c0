//! The schema model: Apple's YAML files read into Rust structs.
//!
//! This is a faithful reading of the format described in the upstream
//! `docs/schema.md`. Nothing is decided here about Rust types; that happens
//! in [`crate::ir`]. Fields that a newer schema adds are kept in `other`
//! maps rather than rejected, so the generator keeps working on releases it
//! has not seen.

use std::collections::BTreeMap;
use std::fmt;

use crate::yaml::{Node, Scalar};

/// The area of the schema a file belongs to, from its directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// `mdm/commands`
    Commands,
    /// `mdm/checkin`
    Checkin,
    /// `mdm/errors`
    Errors,
    /// `mdm/profiles`
    Profiles,
    /// `declarative/declarations/**`
    Declarations,
    /// `declarative/status`
    Status,
    /// `declarative/protocol`
    Protocol,
    /// `other`
    Other,
}

impl Family {
    /// Every family, in a fixed order.
    pub const ALL: [Family; 8] = [
        Family::Commands,
        Family::Checkin,
        Family::Errors,
        Family::Profiles,
        Family::Declarations,
        Family::Status,
        Family::Protocol,
        Family::Other,
    ];

    /// The directory (relative to the schema root) that holds the family.
    pub fn dir(self) -> &'static str {
        match self {
            Family::Commands => "mdm/commands",
            Family::Checkin => "mdm/checkin",
            Family::Errors => "mdm/errors",
            Family::Profiles => "mdm/profiles",
            Family::Declarations => "declarative/declarations",
            Family::Status => "declarative/status",
            Family::Protocol => "declarative/protocol",
            Family::Other => "other",
        }
    }

    /// The family of a schema-relative path such as `mdm/commands/x.yaml`.
    pub fn of_path(path: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| path.starts_with(f.dir()) && path[f.dir().len()..].starts_with('/'))
    }
}

/// The five operating systems the schema knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Os {
    IOS,
    MacOS,
    TvOS,
    VisionOS,
    WatchOS,
}

impl Os {
    /// All platforms, in the schema's order.
    pub const ALL: [Os; 5] = [Os::IOS, Os::MacOS, Os::TvOS, Os::VisionOS, Os::WatchOS];

    /// The name used in `supportedOS`.
    pub fn schema_name(self) -> &'static str {
        match self {
            Os::IOS => "iOS",
            Os::MacOS => "macOS",
            Os::TvOS => "tvOS",
            Os::VisionOS => "visionOS",
            Os::WatchOS => "watchOS",
        }
    }

    fn from_schema_name(name: &str) -> Option<Os> {
        Os::ALL.into_iter().find(|os| os.schema_name() == name)
    }
}

/// A `type:` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueType {
    String,
    Integer,
    Real,
    Boolean,
    Date,
    Data,
    Array,
    Dictionary,
    Any,
    /// A type this generator does not know; generated as an untyped value.
    Unknown(String),
}

impl ValueType {
    fn parse(s: &str) -> ValueType {
        match s {
            "<string>" => ValueType::String,
            "<integer>" => ValueType::Integer,
            "<real>" => ValueType::Real,
            "<boolean>" => ValueType::Boolean,
            "<date>" => ValueType::Date,
            "<data>" => ValueType::Data,
            "<array>" => ValueType::Array,
            "<dictionary>" => ValueType::Dictionary,
            "<any>" => ValueType::Any,
            other => ValueType::Unknown(other.to_owned()),
        }
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            ValueType::String => "string",
            ValueType::Integer => "integer",
            ValueType::Real => "real",
            ValueType::Boolean => "boolean",
            ValueType::Date => "date",
            ValueType::Data => "data",
            ValueType::Array => "array",
            ValueType::Dictionary => "dictionary",
            ValueType::Any => "any",
            ValueType::Unknown(s) => s,
        };
        f.write_str(s)
    }
}

/// `presence:`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Required,
    Optional,
    /// Not stated (usual for array elements).
    Unspecified,
}

/// Per-OS availability of a payload or key, exactly as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OsSupport {
    pub introduced: Option<String>,
    pub deprecated: Option<String>,
    pub removed: Option<String>,
    pub accessrights: Option<String>,
    pub devicechannel: Option<bool>,
    pub userchannel: Option<bool>,
    pub supervised: Option<bool>,
    pub requiresdep: Option<bool>,
    pub userapprovedmdm: Option<bool>,
    pub allowmanualinstall: Option<bool>,
    pub multiple: Option<bool>,
    pub beta: Option<bool>,
    pub always_skippable: Option<bool>,
    pub sharedipad: Option<ModeBlock>,
    pub userenrollment: Option<ModeBlock>,
    pub allowed_enrollments: Vec<String>,
    pub allowed_scopes: Vec<String>,
    /// Fields this generator does not know, as text.
    pub other: BTreeMap<String, String>,
}

/// A `sharedipad:` or `userenrollment:` block.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModeBlock {
    pub mode: Option<String>,
    pub behavior: Option<String>,
    pub devicechannel: Option<bool>,
    pub userchannel: Option<bool>,
    /// `None`: not stated; `Some([])`: no scope (the declaration is not
    /// available on shared iPad).
    pub allowed_scopes: Option<Vec<String>>,
}

/// A `supportedOS:` map. An OS that is missing is not supported.
pub type SupportedOs = BTreeMap<Os, OsSupport>;

/// `range:` or `repetition:`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bounds {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// The subkeys of a key.
#[derive(Debug, Clone, PartialEq)]
pub enum Subkeys {
    /// The list as written (or as expanded from a non-recursive alias).
    List(Vec<Key>),
    /// An alias to the subkeys list of an enclosing key: a recursive type.
    Recursive { anchor: usize },
}

/// One key object (`payloadkeys`, `responsekeys`, `subkeys` items).
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: String,
    pub title: Option<String>,
    pub ty: ValueType,
    pub subtype: Option<String>,
    pub presence: Presence,
    pub rangelist: Vec<Scalar>,
    pub range: Option<Bounds>,
    pub default: Option<Scalar>,
    pub format: Option<String>,
    pub repetition: Option<Bounds>,
    pub combinetype: Option<String>,
    pub assettypes: Vec<String>,
    pub content: Option<String>,
    pub subkeytype: Option<String>,
    pub subkeys: Subkeys,
    /// The anchor id on this key's `subkeys` list (0 when none).
    pub subkeys_anchor: usize,
    pub supported_os: Option<SupportedOs>,
    /// The 1-based line of the key in its file.
    pub line: usize,
}

impl Key {
    /// The listed subkeys (empty for a recursive alias).
    pub fn subkey_list(&self) -> &[Key] {
        match &self.subkeys {
            Subkeys::List(keys) => keys,
            Subkeys::Recursive { .. } => &[],
        }
    }
}

/// The `payload:` object.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Payload {
    pub requesttype: Option<String>,
    pub payloadtype: Option<String>,
    pub declarationtype: Option<String>,
    pub statusitemtype: Option<String>,
    pub credentialtype: Option<String>,
    pub apply: Option<String>,
    pub content: Option<String>,
    pub supported_os: SupportedOs,
}

/// One schema file.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaFile {
    /// Path relative to the schema root, `/`-separated.
    pub path: String,
    pub family: Family,
    pub title: String,
    pub description: Option<String>,
    pub payload: Payload,
    pub payload_keys: Vec<Key>,
    pub response_keys: Vec<Key>,
    /// Top-level `notes` (26.x files): a title (often empty) and Markdown
    /// prose each.
    pub notes: Vec<Note>,
}

/// One of a file's `notes`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Note {
    pub title: String,
    pub content: String,
}

/// A structural problem in a schema file, with the line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError {
    pub line: usize,
    pub message: String,
}

type Result<T> = std::result::Result<T, ModelError>;

fn err<T>(node: &Node, message: impl Into<String>) -> Result<T> {
    Err(ModelError { line: node.line(), message: message.into() })
}

fn text(node: &Node, field: &str) -> Result<String> {
    match node.scalar() {
        Some(Scalar::Str(s)) => Ok(s),
        // Plain scalars such as `11.0` or `5` are versions or names, not numbers.
        Some(_) => Ok(node.as_str().unwrap_or_default().to_owned()),
        None => err(node, format!("`{field}` must be a scalar, found {}", crate::yaml::describe(node))),
    }
}

fn opt_text(map: &Node, field: &str) -> Result<Option<String>> {
    match map.get(field) {
        None => Ok(None),
        Some(n) if n.is_null() => Ok(None),
        Some(n) => text(n, field).map(Some),
    }
}

fn opt_bool(map: &Node, field: &str) -> Result<Option<bool>> {
    match map.get(field) {
        None => Ok(None),
        Some(n) => match n.as_bool() {
            Some(b) => Ok(Some(b)),
            None => err(n, format!("`{field}` must be true or false")),
        },
    }
}

fn text_list(map: &Node, field: &str) -> Result<Vec<String>> {
    match map.get(field) {
        None => Ok(Vec::new()),
        Some(n @ Node::Seq { items, .. }) => {
            items.iter().map(|i| text(i, field)).collect::<Result<_>>().map_err(|e| ModelError { line: n.line(), ..e })
        }
        // Apple's docs call these strings; accept a single scalar too.
        Some(n) => Ok(vec![text(n, field)?]),
    }
}

fn bounds(node: &Node) -> Result<Bounds> {
    let num = |field: &str| -> Result<Option<f64>> {
        match node.get(field).map(|n| (n, n.scalar())) {
            None => Ok(None),
            Some((_, Some(Scalar::Int(i)))) => Ok(Some(i as f64)),
            Some((_, Some(Scalar::Real(r)))) => Ok(Some(r)),
            Some((n, _)) => err(n, format!("`{field}` must be a number")),
        }
    };
    Ok(Bounds { min: num("min")?, max: num("max")? })
}

fn mode_block(node: &Node) -> Result<ModeBlock> {
    Ok(ModeBlock {
        mode: opt_text(node, "mode")?,
        behavior: opt_text(node, "behavior")?,
        devicechannel: opt_bool(node, "devicechannel")?,
        userchannel: opt_bool(node, "userchannel")?,
        allowed_scopes: match node.get("allowed-scopes") {
            None => None,
            Some(_) => Some(text_list(node, "allowed-scopes")?),
        },
    })
}

const KNOWN_OS_FIELDS: &[&str] = &[
    "introduced",
    "deprecated",
    "removed",
    "accessrights",
    "devicechannel",
    "userchannel",
    "supervised",
    "requiresdep",
    "userapprovedmdm",
    "allowmanualinstall",
    "multiple",
    "beta",
    "always-skippable",
    "sharedipad",
    "userenrollment",
    "allowed-enrollments",
    "allowed-scopes",
];

fn os_support(node: &Node) -> Result<OsSupport> {
    if !matches!(node, Node::Map { .. }) && !node.is_null() {
        return err(node, "an OS entry in `supportedOS` must be a mapping");
    }
    let mut other = BTreeMap::new();
    for (k, v) in node.entries() {
        if !KNOWN_OS_FIELDS.contains(&k.as_str()) {
            other.insert(k.clone(), crate::yaml::describe(v).into_owned());
        }
    }
    Ok(OsSupport {
        introduced: opt_text(node, "introduced")?,
        deprecated: opt_text(node, "deprecated")?,
        removed: opt_text(node, "removed")?,
        accessrights: match node.get("accessrights") {
            Some(Node::Seq { items, .. }) => {
                Some(items.iter().map(|i| text(i, "accessrights")).collect::<Result<Vec<_>>>()?.join(", "))
            }
            _ => opt_text(node, "accessrights")?,
        },
        devicechannel: opt_bool(node, "devicechannel")?,
        userchannel: opt_bool(node, "userchannel")?,
        supervised: opt_bool(node, "supervised")?,
        requiresdep: opt_bool(node, "requiresdep")?,
        userapprovedmdm: opt_bool(node, "userapprovedmdm")?,
        allowmanualinstall: opt_bool(node, "allowmanualinstall")?,
        multiple: opt_bool(node, "multiple")?,
        beta: opt_bool(node, "beta")?,
        always_skippable: opt_bool(node, "always-skippable")?,
        sharedipad: node.get("sharedipad").map(mode_block).transpose()?,
        userenrollment: node.get("userenrollment").map(mode_block).transpose()?,
        allowed_enrollments: text_list(node, "allowed-enrollments")?,
        allowed_scopes: text_list(node, "allowed-scopes")?,
        other,
    })
}

fn supported_os(node: &Node) -> Result<SupportedOs> {
    let mut out = SupportedOs::new();
    for (name, entry) in node.entries() {
        // An OS this generator does not know is skipped, not fatal: a newer
        // schema may add one.
        if let Some(os) = Os::from_schema_name(name) {
            out.insert(os, os_support(entry)?);
        }
    }
    Ok(out)
}

fn scalar_value(node: &Node, field: &str) -> Result<Scalar> {
    match node.scalar() {
        Some(s) => Ok(s),
        None => err(node, format!("`{field}` values must be scalars")),
    }
}

fn key(node: &Node) -> Result<Key> {
    if !matches!(node, Node::Map { .. }) {
        return err(node, "a key object must be a mapping");
    }
    let name = match node.get("key") {
        Some(n) => text(n, "key")?,
        None => return err(node, "a key object has no `key`"),
    };
    let ty = match node.get("type") {
        Some(n) => ValueType::parse(&text(n, "type")?),
        None => return err(node, format!("key `{name}` has no `type`")),
    };
    let presence = match opt_text(node, "presence")?.as_deref() {
        Some("required") => Presence::Required,
        Some("optional") => Presence::Optional,
        // `absent` and anything newer: treat as not stated.
        _ => Presence::Unspecified,
    };
    let (subkeys, subkeys_anchor) = match node.get("subkeys") {
        None => (Subkeys::List(Vec::new()), 0),
        Some(Node::BackRef { anchor, .. }) => (Subkeys::Recursive { anchor: *anchor }, 0),
        Some(list @ Node::Seq { items, .. }) => {
            (Subkeys::List(items.iter().map(key).collect::<Result<_>>()?), list.anchor())
        }
        Some(n) if n.is_null() => (Subkeys::List(Vec::new()), 0),
        Some(n) => return err(n, format!("`subkeys` of `{name}` must be a list")),
    };
    let rangelist = match node.get("rangelist") {
        None => Vec::new(),
        Some(n) => n.items().iter().map(|i| scalar_value(i, "rangelist")).collect::<Result<_>>()?,
    };
    Ok(Key {
        title: opt_text(node, "title")?,
        ty,
        subtype: opt_text(node, "subtype")?.or(opt_text(node, "valuetype")?),
        presence,
        rangelist,
        range: node.get("range").map(bounds).transpose()?,
        default: node.get("default").map(|n| scalar_value(n, "default")).transpose()?,
        format: opt_text(node, "format")?,
        repetition: node.get("repetition").map(bounds).transpose()?,
        combinetype: opt_text(node, "combinetype")?,
        assettypes: text_list(node, "assettypes")?,
        content: opt_text(node, "content")?,
        subkeytype: opt_text(node, "subkeytype")?,
        subkeys,
        subkeys_anchor,
        supported_os: node.get("supportedOS").map(supported_os).transpose()?,
        line: node.line(),
        name,
    })
}

fn keys(root: &Node, field: &str) -> Result<Vec<Key>> {
    match root.get(field) {
        None => Ok(Vec::new()),
        Some(n) if n.is_null() => Ok(Vec::new()),
        Some(Node::Seq { items, .. }) => items.iter().map(key).collect(),
        Some(n) => err(n, format!("`{field}` must be a list")),
    }
}

/// `notes:`, a list of `{title, content}` mappings.
fn notes(root: &Node) -> Result<Vec<Note>> {
    match root.get("notes") {
        None => Ok(Vec::new()),
        Some(n) if n.is_null() => Ok(Vec::new()),
        Some(Node::Seq { items, .. }) => items
            .iter()
            .map(|item| {
                if !matches!(item, Node::Map { .. }) {
                    return err(item, "a note must be a mapping with `title` and `content`");
                }
                Ok(Note {
                    title: opt_text(item, "title")?.unwrap_or_default(),
                    content: opt_text(item, "content")?.unwrap_or_default(),
                })
            })
            .collect(),
        Some(n) => err(n, "`notes` must be a list"),
    }
}

impl SchemaFile {
    /// Reads a parsed YAML document as a schema file.
    pub fn from_node(path: &str, family: Family, root: &Node) -> Result<SchemaFile> {
        if !matches!(root, Node::Map { .. }) {
            return err(root, "a schema file must be a mapping at the top level");
        }
        let payload_node = root.get("payload");
        let payload = match payload_node {
            None => Payload::default(),
            Some(p) => Payload {
                requesttype: opt_text(p, "requesttype")?,
                payloadtype: opt_text(p, "payloadtype")?,
                declarationtype: opt_text(p, "declarationtype")?,
                statusitemtype: opt_text(p, "statusitemtype")?,
                credentialtype: opt_text(p, "credentialtype")?,
                apply: opt_text(p, "apply")?,
                content: opt_text(p, "content")?,
                supported_os: p.get("supportedOS").map(supported_os).transpose()?.unwrap_or_default(),
            },
        };
        Ok(SchemaFile {
            path: path.to_owned(),
            family,
            title: opt_text(root, "title")?.unwrap_or_default(),
            description: opt_text(root, "description")?,
            payload,
            payload_keys: keys(root, "payloadkeys")?,
            response_keys: keys(root, "responsekeys")?,
            notes: notes(root)?,
        })
    }

    /// The file name without directory and `.yaml`.
    pub fn stem(&self) -> &str {
        let name = self.path.rsplit('/').next().unwrap_or(&self.path);
        name.strip_suffix(".yaml").or_else(|| name.strip_suffix(".yml")).unwrap_or(name)
    }
}
