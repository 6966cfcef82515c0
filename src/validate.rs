//! Checking a command against the schema for one target, before sending it.
//!
//! One checker reads the generated tables and walks a compact copy of the
//! payload (a typed command and a `plist::Value` are both copied by
//! serialising them; see `tree.rs`). It
//! reports, with key paths relative to the `Command` dictionary:
//! - the command or a key the target does not support (and why);
//! - keys required on that target but missing;
//! - values of the wrong kind (an `<integer>` where a `<boolean>` belongs
//!   is an error, as Apple Business Manager treats it), outside the
//!   `rangelist`, `range`, `repetition` or `format`;
//! - deprecated and ignored keys, and keys the schema does not know (as
//!   warnings);
//! - the rules Apple states only in prose ([`rules`]).
//!
//! ```
//! use apple_device_management::commands::InstallApplication;
//! use apple_device_management::validate::{Problem, Validate};
//! use apple_device_management::{Platform, Target};
//!
//! let mut app = InstallApplication::default();
//! app.manifest_url = Some("http://example.com/app.plist".into());
//! let report = app.validate(&Target::new(Platform::IOS, "17.0".parse().unwrap()));
//! assert_eq!(report.errors().count(), 1);
//! assert_eq!(report.issues[0].path.to_string(), "ManifestURL");
//! ```

pub mod rules;
mod tree;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};

use crate::availability::{
    self, Bounds, KeyEntry, KeyTable, Literal, OsVersion, Presence, SchemaFile, Support, Target, Unsupported,
};
use crate::envelope::{Command, CommandPayload};
use crate::value::{KeyPath, PathSegment, ValueKind};
use tree::{NodeRef, Tree};

/// How serious an issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Severity {
    /// The command will not work as meant.
    Error,
    /// It will work, but something deserves a look.
    Warning,
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Problem {
    /// The dictionary has no `RequestType`, or one the schema does not have.
    UnknownRequestType(Option<String>),
    /// The target does not support the command.
    CommandNotSupported(Unsupported),
    /// The target does not support the key.
    KeyNotSupported(Unsupported),
    /// A required key is missing.
    MissingRequired,
    /// The value has the wrong kind.
    WrongType {
        /// The schema's kind.
        expected: ValueKind,
        /// The value's kind.
        found: ValueKind,
    },
    /// The value is not one the schema lists.
    NotInRangelist {
        /// The value.
        value: String,
        /// The listed values.
        allowed: &'static [Literal],
    },
    /// A string whose allowed values are listed as subkeys (DeviceInformation
    /// `Queries`) has a value the schema does not list.
    UnknownValue(String),
    /// The number is outside the allowed range.
    OutOfRange {
        /// The value.
        value: f64,
        /// The range.
        bounds: Bounds,
    },
    /// The array has too few or too many elements.
    Repetition {
        /// The number of elements.
        count: usize,
        /// The allowed numbers.
        bounds: Bounds,
    },
    /// The string does not match the key's `format`.
    Format {
        /// The value.
        value: String,
        /// The regular expression.
        pattern: &'static str,
    },
    /// The key is deprecated on the target.
    Deprecated(OsVersion),
    /// The key is accepted but ignored on the target (user enrollment or
    /// shared iPad).
    Ignored,
    /// The schema does not know the key.
    UnknownKey,
    /// A rule Apple states in prose.
    Rule(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::UnknownRequestType(Some(rt)) => write!(f, "unknown RequestType `{rt}`"),
            Problem::UnknownRequestType(None) => f.write_str("no RequestType"),
            Problem::CommandNotSupported(u) => write!(f, "command {u}"),
            Problem::KeyNotSupported(u) => write!(f, "key {u}"),
            Problem::MissingRequired => f.write_str("required key missing"),
            Problem::WrongType { expected, found } => write!(f, "expected {expected}, found {found}"),
            Problem::NotInRangelist { value, allowed } => {
                let list: Vec<String> = allowed.iter().map(ToString::to_string).collect();
                write!(f, "`{value}` is not one of: {}", list.join(", "))
            }
            Problem::UnknownValue(v) => write!(f, "`{v}` is not a value the schema lists"),
            Problem::OutOfRange { value, bounds } => write!(f, "{value} is outside {}", range_text(bounds)),
            Problem::Repetition { count, bounds } => {
                write!(f, "{count} elements, expected {}", range_text(bounds))
            }
            Problem::Format { value, pattern } => write!(f, "`{value}` does not match `{pattern}`"),
            Problem::Deprecated(v) => write!(f, "deprecated since {v}"),
            Problem::Ignored => f.write_str("ignored on this target"),
            Problem::UnknownKey => f.write_str("not in the schema"),
            Problem::Rule(r) => f.write_str(r),
        }
    }
}

fn range_text(b: &Bounds) -> String {
    let n = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    format!("{}..={}", n(b.min), n(b.max))
}

/// One finding.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Issue {
    /// Where, relative to the `Command` dictionary (`(root)` for the
    /// command itself).
    pub path: KeyPath,
    /// How serious.
    pub severity: Severity,
    /// What.
    pub problem: Problem,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}: {}: {}", self.path, self.problem)
    }
}

/// The findings of a validation, in the order they were found.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Report {
    /// Every finding.
    pub issues: Vec<Issue>,
}

impl Report {
    /// True when there is no error (warnings allowed).
    pub fn is_ok(&self) -> bool {
        self.errors().next().is_none()
    }

    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(|i| i.severity == Severity::Error)
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(|i| i.severity == Severity::Warning)
    }

    pub(crate) fn push(&mut self, path: &KeyPath, severity: Severity, problem: Problem) {
        self.issues.push(Issue { path: path.clone(), severity, problem });
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for i in &self.issues {
            writeln!(f, "{i}")?;
        }
        Ok(())
    }
}

/// Validation of a typed payload.
pub trait Validate {
    /// Checks the payload against the schema for a target.
    fn validate(&self, target: &Target) -> Report;
}

impl<P: CommandPayload> Validate for P {
    fn validate(&self, target: &Target) -> Report {
        tree_report(&crate::envelope::PayloadRef(self), self.schema_file(), target)
    }
}

impl<P: CommandPayload> Command<P> {
    /// Checks the command's payload against the schema for a target (paths
    /// relative to the `Command` dictionary).
    pub fn validate(&self, target: &Target) -> Report {
        self.command.validate(target)
    }
}

/// Validates a command given as a plist value: either the whole command
/// (`{CommandUUID, Command: {...}}`) or its `Command` dictionary.
pub fn command(value: &plist::Value, target: &Target) -> Report {
    let Some(dict) = value.as_dictionary() else {
        let mut r = Report::default();
        r.push(
            &KeyPath::root(),
            Severity::Error,
            Problem::WrongType { expected: ValueKind::Dictionary, found: ValueKind::of(value) },
        );
        return r;
    };
    match dict.get("Command").and_then(plist::Value::as_dictionary) {
        Some(inner) if !dict.contains_key("RequestType") => command_payload(inner, target),
        _ => command_payload(dict, target),
    }
}

/// Validates the `Command` dictionary of a command (it holds
/// `RequestType`).
pub fn command_payload(payload: &plist::Dictionary, target: &Target) -> Report {
    let file = payload.get("RequestType").and_then(plist::Value::as_string).and_then(availability::command_schema);
    tree_report(payload, file, target)
}

/// Copies the `Command` dictionary and checks the copy.
fn tree_report<T: serde::Serialize + ?Sized>(payload: &T, file: Option<&SchemaFile>, target: &Target) -> Report {
    Tree::with(payload, |tree| match tree {
        Ok(tree) => command_tree(tree.root(), file, target),
        Err(e) => {
            let mut r = Report::default();
            r.push(&KeyPath::root(), Severity::Error, Problem::Rule(format!("the payload does not encode: {e}")));
            r
        }
    })
}

fn command_tree(payload: NodeRef<'_>, file: Option<&SchemaFile>, target: &Target) -> Report {
    let mut report = Report::default();
    let root = KeyPath::root();
    let Some(file) = file else {
        let rt = payload.get("RequestType").and_then(|n| n.as_str());
        report.push(&root, Severity::Error, Problem::UnknownRequestType(rt.map(str::to_owned)));
        return report;
    };
    match file.support(target) {
        Support::Unsupported(u) => {
            report.push(&root, Severity::Error, Problem::CommandNotSupported(u));
            return report;
        }
        Support::Supported { deprecated: Some(v), .. } => report.push(&root, Severity::Warning, Problem::Deprecated(v)),
        Support::Supported { .. } => {}
    }
    let mut walker = Walker { table: &file.request, target, report: &mut report, path: Vec::with_capacity(8) };
    walker.dict(file.request.top_level(), payload, true);
    rules::check(file.name, &file.request, payload, target, &mut report);
    report
}

const MAX_DEPTH: usize = 64;

/// One step of the path being walked, borrowed until an issue needs it.
#[derive(Clone, Copy)]
enum Step<'t> {
    Key(&'t str),
    Index(usize),
}

struct Walker<'a, 't> {
    table: &'a KeyTable,
    target: &'a Target,
    report: &'a mut Report,
    path: Vec<Step<'t>>,
}

fn kind_ok(expected: ValueKind, value: NodeRef<'_>) -> bool {
    let found = value.kind();
    expected == ValueKind::Any || expected == found || (expected == ValueKind::Real && found == ValueKind::Integer)
}

fn literal_matches(lit: &Literal, value: NodeRef<'_>) -> bool {
    match lit {
        Literal::Str(s) => value.as_str() == Some(*s),
        Literal::Int(i) => value.as_int() == Some(i128::from(*i)),
        Literal::Real(r) => value.number() == Some(*r),
        Literal::Bool(b) => value.as_bool() == Some(*b),
        // A plist has no null; nothing matches it.
        Literal::Null => false,
    }
}

fn outside(value: f64, b: &Bounds) -> bool {
    b.min.is_some_and(|m| value < m) || b.max.is_some_and(|m| value > m)
}

/// Compiled `format` patterns, shared by every validation.
fn pattern_matches(pattern: &'static str, text: &str) -> Option<bool> {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Option<regex_lite::Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    let re = cache.entry(pattern).or_insert_with(|| regex_lite::Regex::new(pattern).ok());
    re.as_ref().map(|re| re.is_match(text))
}

impl<'t> Walker<'_, 't> {
    fn push(&mut self, severity: Severity, problem: Problem) {
        let path = KeyPath(
            self.path
                .iter()
                .map(|s| match *s {
                    Step::Key(k) => PathSegment::Key(k.to_owned()),
                    Step::Index(i) => PathSegment::Index(i),
                })
                .collect(),
        );
        self.report.push(&path, severity, problem);
    }

    fn support(&self, key: &KeyEntry) -> Support {
        availability::check(key.on(self.target.platform), key.os[self.target.platform.index()] != 0, self.target)
    }

    fn dict(&mut self, level: &'static [KeyEntry], dict: NodeRef<'t>, top: bool) {
        // A dictionary of `ANY` keys: every value is an element.
        if let [only] = level
            && only.element
        {
            for (k, v) in dict.entries() {
                self.path.push(Step::Key(k));
                self.value(only, v);
                self.path.pop();
            }
            return;
        }
        for (k, v) in dict.entries() {
            if top && k == "RequestType" {
                continue;
            }
            self.path.push(Step::Key(k));
            match level.iter().find(|e| availability::same_key(e.name, k) && !e.element) {
                Some(e) => self.key(e, v),
                None => self.push(Severity::Warning, Problem::UnknownKey),
            }
            self.path.pop();
        }
        for e in level {
            if e.presence == Presence::Required
                && !e.element
                && dict.get(e.name).is_none()
                && self.support(e).is_supported()
            {
                self.path.push(Step::Key(e.name));
                self.push(Severity::Error, Problem::MissingRequired);
                self.path.pop();
            }
        }
    }

    fn key(&mut self, e: &'static KeyEntry, v: NodeRef<'t>) {
        if self.availability(e) {
            self.value(e, v);
        }
    }

    /// Reports a key (or a listed value) the target does not support, is
    /// deprecated or ignored on; false when it is not supported.
    fn availability(&mut self, e: &'static KeyEntry) -> bool {
        match self.support(e) {
            Support::Unsupported(u) => {
                self.push(Severity::Error, Problem::KeyNotSupported(u));
                false
            }
            Support::Supported { deprecated, ignored } => {
                if let Some(d) = deprecated {
                    self.push(Severity::Warning, Problem::Deprecated(d));
                }
                if ignored {
                    self.push(Severity::Warning, Problem::Ignored);
                }
                true
            }
        }
    }

    fn value(&mut self, e: &'static KeyEntry, v: NodeRef<'t>) {
        if !kind_ok(e.kind, v) {
            self.push(Severity::Error, Problem::WrongType { expected: e.kind, found: v.kind() });
            return;
        }
        if !e.rangelist.is_empty() && !v.is_container() && !e.rangelist.iter().any(|l| literal_matches(l, v)) {
            self.push(Severity::Error, Problem::NotInRangelist { value: v.to_string(), allowed: e.rangelist });
        }
        if let Some(b) = e.range
            && let Some(n) = v.number()
            && outside(n, &b)
        {
            self.push(Severity::Error, Problem::OutOfRange { value: n, bounds: b });
        }
        if let (Some(pattern), Some(s)) = (e.format, v.as_str())
            && pattern_matches(pattern, s) == Some(false)
        {
            self.push(Severity::Error, Problem::Format { value: s.to_owned(), pattern });
        }
        if self.path.len() >= MAX_DEPTH {
            return;
        }
        let children = self.table.children(e);
        match v.kind() {
            ValueKind::Dictionary if !children.is_empty() => self.dict(children, v, false),
            ValueKind::Array => {
                if let Some(b) = e.repetition
                    && outside(v.len() as f64, &b)
                {
                    self.push(Severity::Error, Problem::Repetition { count: v.len(), bounds: b });
                }
                for (i, item) in v.items().enumerate() {
                    self.path.push(Step::Index(i));
                    match children {
                        [] => {}
                        [one] => self.value(one, item),
                        variants => self.union_element(variants, item),
                    }
                    self.path.pop();
                }
            }
            // A string whose allowed values are its subkeys (a catalogue).
            ValueKind::String if !children.is_empty() => {
                let s = v.as_str().unwrap_or_default();
                match children.iter().find(|c| c.name == s) {
                    None => self.push(Severity::Warning, Problem::UnknownValue(s.to_owned())),
                    // Unsupported, deprecated (the IMEI query since iOS 16)
                    // or ignored, as for a key.
                    Some(c) => {
                        self.availability(c);
                    }
                }
            }
            _ => {}
        }
    }

    /// An element of an array whose subkeys are variants told apart by a
    /// single-valued key (Settings' `Item`).
    fn union_element(&mut self, variants: &'static [KeyEntry], item: NodeRef<'t>) {
        let Some(d) = item.as_dict() else {
            self.push(Severity::Error, Problem::WrongType { expected: ValueKind::Dictionary, found: item.kind() });
            return;
        };
        let chosen = variants.iter().find(|variant| {
            self.table
                .children(variant)
                .iter()
                .any(|c| matches!(c.rangelist, [lit] if d.get(c.name).is_some_and(|v| literal_matches(lit, v))))
        });
        match chosen {
            Some(variant) => self.key(variant, item),
            None => self.push(Severity::Warning, Problem::UnknownValue(item.to_string())),
        }
    }
}
