//! Checking a command against the schema for one target, before sending it.
//!
//! One checker reads the generated tables and walks a `plist::Value`; a
//! typed command is encoded first and goes through the same walk. It
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

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};

use crate::availability::{
    self, Bounds, KeyEntry, KeyTable, Literal, OsVersion, Presence, Support, Target, Unsupported,
};
use crate::envelope::{Command, CommandPayload};
use crate::value::{KeyPath, ValueKind};

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
        match crate::envelope::payload_value(self) {
            Ok(plist::Value::Dictionary(d)) => command_payload(&d, target),
            Ok(_) | Err(_) => {
                let mut r = Report::default();
                r.push(&KeyPath::root(), Severity::Error, Problem::Rule("the payload does not encode".into()));
                r
            }
        }
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
    let mut report = Report::default();
    let root = KeyPath::root();
    let rt = payload.get("RequestType").and_then(plist::Value::as_string);
    let Some(file) = rt.and_then(availability::command_schema) else {
        report.push(&root, Severity::Error, Problem::UnknownRequestType(rt.map(str::to_owned)));
        return report;
    };
    if let Support::Unsupported(u) = file.support(target) {
        report.push(&root, Severity::Error, Problem::CommandNotSupported(u));
        return report;
    }
    if let Support::Supported { deprecated: Some(v), .. } = file.support(target) {
        report.push(&root, Severity::Warning, Problem::Deprecated(v));
    }
    let mut walker = Walker { table: &file.request, target, report: &mut report, depth: 0 };
    walker.dict(file.request.top_level(), payload, &mut KeyPath::root(), true);
    rules::check(file.name, payload, target, &mut report);
    report
}

const MAX_DEPTH: usize = 64;

struct Walker<'a> {
    table: &'a KeyTable,
    target: &'a Target,
    report: &'a mut Report,
    depth: usize,
}

fn kind_ok(expected: ValueKind, value: &plist::Value) -> bool {
    let found = ValueKind::of(value);
    expected == ValueKind::Any || expected == found || (expected == ValueKind::Real && found == ValueKind::Integer)
}

fn literal_matches(lit: &Literal, value: &plist::Value) -> bool {
    match (lit, value) {
        (Literal::Str(s), plist::Value::String(v)) => s == v,
        (Literal::Int(i), plist::Value::Integer(v)) => v.as_signed() == Some(*i),
        (Literal::Real(r), plist::Value::Real(v)) => r == v,
        (Literal::Real(r), plist::Value::Integer(v)) => v.as_signed().map(|v| v as f64) == Some(*r),
        (Literal::Bool(b), plist::Value::Boolean(v)) => b == v,
        _ => false,
    }
}

fn number(value: &plist::Value) -> Option<f64> {
    match value {
        plist::Value::Integer(i) => i.as_signed().map(|v| v as f64).or_else(|| i.as_unsigned().map(|v| v as f64)),
        plist::Value::Real(r) => Some(*r),
        _ => None,
    }
}

fn outside(value: f64, b: &Bounds) -> bool {
    b.min.is_some_and(|m| value < m) || b.max.is_some_and(|m| value > m)
}

fn display_value(value: &plist::Value) -> String {
    match value {
        plist::Value::String(s) => s.clone(),
        other => number(other).map(|n| n.to_string()).unwrap_or_else(|| format!("{other:?}")),
    }
}

/// Compiled `format` patterns, shared by every validation.
fn pattern_matches(pattern: &'static str, text: &str) -> Option<bool> {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Option<regex_lite::Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    let re = cache.entry(pattern).or_insert_with(|| regex_lite::Regex::new(pattern).ok());
    re.as_ref().map(|re| re.is_match(text))
}

impl Walker<'_> {
    fn push(&mut self, path: &KeyPath, severity: Severity, problem: Problem) {
        self.report.push(path, severity, problem);
    }

    fn support(&self, key: &KeyEntry) -> Support {
        availability::check(key.on(self.target.platform), key.os[self.target.platform.index()] != 0, self.target)
    }

    fn dict(&mut self, level: &'static [KeyEntry], dict: &plist::Dictionary, path: &mut KeyPath, top: bool) {
        // A dictionary of `ANY` keys: every value is an element.
        if let [only] = level
            && only.element
        {
            for (k, v) in dict {
                path.push_key(k);
                self.value(only, v, path);
                path.pop();
            }
            return;
        }
        for (k, v) in dict {
            if top && k == "RequestType" {
                continue;
            }
            path.push_key(k);
            match level.iter().find(|e| e.name == k && !e.element) {
                Some(e) => self.key(e, v, path),
                None => self.push(path, Severity::Warning, Problem::UnknownKey),
            }
            path.pop();
        }
        for e in level {
            if e.presence == Presence::Required
                && !e.element
                && !dict.contains_key(e.name)
                && self.support(e).is_supported()
            {
                path.push_key(e.name);
                self.push(path, Severity::Error, Problem::MissingRequired);
                path.pop();
            }
        }
    }

    fn key(&mut self, e: &'static KeyEntry, v: &plist::Value, path: &mut KeyPath) {
        match self.support(e) {
            Support::Unsupported(u) => {
                self.push(path, Severity::Error, Problem::KeyNotSupported(u));
                return;
            }
            Support::Supported { deprecated, ignored } => {
                if let Some(d) = deprecated {
                    self.push(path, Severity::Warning, Problem::Deprecated(d));
                }
                if ignored {
                    self.push(path, Severity::Warning, Problem::Ignored);
                }
            }
        }
        self.value(e, v, path);
    }

    fn value(&mut self, e: &'static KeyEntry, v: &plist::Value, path: &mut KeyPath) {
        if !kind_ok(e.kind, v) {
            self.push(path, Severity::Error, Problem::WrongType { expected: e.kind, found: ValueKind::of(v) });
            return;
        }
        if !e.rangelist.is_empty()
            && !matches!(v, plist::Value::Array(_) | plist::Value::Dictionary(_))
            && !e.rangelist.iter().any(|l| literal_matches(l, v))
        {
            self.push(path, Severity::Error, Problem::NotInRangelist { value: display_value(v), allowed: e.rangelist });
        }
        if let (Some(b), Some(n)) = (e.range, number(v))
            && outside(n, &b)
        {
            self.push(path, Severity::Error, Problem::OutOfRange { value: n, bounds: b });
        }
        if let (Some(pattern), plist::Value::String(s)) = (e.format, v)
            && pattern_matches(pattern, s) == Some(false)
        {
            self.push(path, Severity::Error, Problem::Format { value: s.clone(), pattern });
        }
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        let children = self.table.children(e);
        match v {
            plist::Value::Dictionary(d) if !children.is_empty() => self.dict(children, d, path, false),
            plist::Value::Array(items) => {
                if let Some(b) = e.repetition
                    && outside(items.len() as f64, &b)
                {
                    self.push(path, Severity::Error, Problem::Repetition { count: items.len(), bounds: b });
                }
                for (i, item) in items.iter().enumerate() {
                    path.push_index(i);
                    match children {
                        [] => {}
                        [one] => self.value(one, item, path),
                        variants => self.union_element(variants, item, path),
                    }
                    path.pop();
                }
            }
            // A string whose allowed values are its subkeys (a catalogue).
            plist::Value::String(s) if !children.is_empty() => match children.iter().find(|c| c.name == s) {
                None => self.push(path, Severity::Warning, Problem::UnknownValue(s.clone())),
                Some(c) => {
                    if let Support::Unsupported(u) = self.support(c) {
                        self.push(path, Severity::Error, Problem::KeyNotSupported(u));
                    }
                }
            },
            _ => {}
        }
        self.depth -= 1;
    }

    /// An element of an array whose subkeys are variants told apart by a
    /// single-valued key (Settings' `Item`).
    fn union_element(&mut self, variants: &'static [KeyEntry], item: &plist::Value, path: &mut KeyPath) {
        let Some(d) = item.as_dictionary() else {
            self.push(
                path,
                Severity::Error,
                Problem::WrongType { expected: ValueKind::Dictionary, found: ValueKind::of(item) },
            );
            return;
        };
        let chosen = variants.iter().find(|variant| {
            self.table
                .children(variant)
                .iter()
                .any(|c| matches!(c.rangelist, [lit] if d.get(c.name).is_some_and(|v| literal_matches(lit, v))))
        });
        match chosen {
            Some(variant) => self.key(variant, item, path),
            None => self.push(path, Severity::Warning, Problem::UnknownValue(format!("{item:?}"))),
        }
    }
}
