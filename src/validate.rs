//! Checking what you send or receive against the schema, for one target:
//! commands, check-in messages, configuration profiles (every payload, by
//! its `PayloadType`), declarations and status reports.
//!
//! One checker reads the generated tables and walks the document: a typed
//! value in place (`crate::view`), a `plist::Value` through a compact copy
//! (`tree.rs`); both are a `Node` to it (`crate::node`). It reports, with key paths from the
//! document's top (a command's from its `Command` dictionary):
//! - a command, payload, declaration, status item or key the target does
//!   not support, and why (OS version, channel or scope, supervision,
//!   enrollment, declarative management's `allowed-enrollments` and
//!   `allowed-scopes`);
//! - keys required on that target but missing;
//! - values of the wrong kind (an `<integer>` where a `<boolean>` belongs
//!   is an error, as Apple Business Manager treats it), outside the
//!   `rangelist`, `range`, `repetition` or `format`;
//! - deprecated and ignored keys and values, and keys the schema does not
//!   know (as warnings);
//! - the rules Apple states only in prose ([`rules`]), within a payload
//!   and across a profile's payloads.
//!
//! Typed values implement [`Validate`]; [`document`] takes any
//! `plist::Value` and finds out what it is ([`DocumentKind::detect`]).
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
//!
//! A profile, untyped:
//!
//! ```
//! use apple_device_management::validate;
//! use apple_device_management::{Platform, Target};
//!
//! let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
//! <plist version="1.0"><dict>
//!   <key>PayloadType</key><string>Configuration</string>
//!   <key>PayloadVersion</key><integer>1</integer>
//!   <key>PayloadIdentifier</key><string>com.example.profile</string>
//!   <key>PayloadUUID</key><string>6F1D4C3A-0B7E-4C43-9F1E-4D6A3C2B1A00</string>
//!   <key>PayloadContent</key><array><dict>
//!     <key>PayloadType</key><string>com.apple.applicationaccess</string>
//!     <key>PayloadVersion</key><integer>1</integer>
//!     <key>PayloadIdentifier</key><string>com.example.profile.restrictions</string>
//!     <key>PayloadUUID</key><string>0C1A2B3C-4D5E-4F60-8172-93A4B5C6D7E8</string>
//!     <key>allowAirDrop</key><false/>
//!   </dict></array>
//! </dict></plist>"#;
//! let profile = plist::Value::from_reader_xml(&xml[..]).unwrap();
//! // allowAirDrop needs a supervised device (with the `profiles` feature,
//! // which carries the profiles' tables).
//! let report = validate::document(&profile, &Target::new(Platform::IOS, "17.0".parse().unwrap()));
//! # if cfg!(feature = "profiles") {
//! assert_eq!(report.issues[0].path.to_string(), "PayloadContent[0].allowAirDrop");
//! assert_eq!(report.issues[0].problem.to_string(), "key needs a supervised device");
//! # }
//! ```

pub mod rules;
mod tree;
mod verdicts;
mod walk;

use std::fmt;
use std::sync::OnceLock;

use smallvec::SmallVec;

use crate::availability::{self, Bounds, Family, Literal, OsVersion, SchemaFile, Target, Unsupported};
use crate::envelope::{Command, CommandPayload};
use crate::node::Node;
use crate::value::{KeyPath, ValueKind};
use tree::{NodeRef, Tree};
use walk::{Level, Step, Walker};

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
    /// The document has no type key (`RequestType`, `MessageType`,
    /// `PayloadType`, a declaration's `Type`), or a type the schema does not
    /// have; for a status report, a status item the schema does not have.
    UnknownType {
        /// What names the type: `RequestType`, `MessageType`,
        /// `PayloadType`, `Type` or `status item`.
        key: &'static str,
        /// The type found (`None`: the key is missing or not a string).
        value: Option<String>,
    },
    /// The target does not support the command, check-in message, profile
    /// payload, declaration or status item at this path.
    NotSupported {
        /// `command`, `check-in message`, `payload`, `declaration` or
        /// `status item`.
        what: &'static str,
        /// Why.
        why: Unsupported,
    },
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
    /// A key with both a list of values and a range (`0`, or 1 to 180
    /// minutes): the value is neither listed nor within the range.
    NotListedOrInRange {
        /// The value.
        value: String,
        /// The listed values.
        allowed: &'static [Literal],
        /// The range.
        bounds: Bounds,
    },
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
            Problem::UnknownType { key, value: Some(v) } => write!(f, "unknown {key} `{v}`"),
            Problem::UnknownType { key, value: None } => write!(f, "no {key}"),
            Problem::NotSupported { what, why } => write!(f, "{what} {why}"),
            Problem::KeyNotSupported(u) => write!(f, "key {u}"),
            Problem::MissingRequired => f.write_str("required key missing"),
            Problem::WrongType { expected, found } => write!(f, "expected {expected}, found {found}"),
            Problem::NotInRangelist { value, allowed } => {
                let list: Vec<String> = allowed.iter().map(ToString::to_string).collect();
                write!(f, "`{value}` is not one of: {}", list.join(", "))
            }
            Problem::UnknownValue(v) => write!(f, "`{v}` is not a value the schema lists"),
            Problem::NotListedOrInRange { value, allowed, bounds } => {
                let list: Vec<String> = allowed.iter().map(ToString::to_string).collect();
                write!(f, "`{value}` is neither one of: {} nor within {}", list.join(", "), range_text(bounds))
            }
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

    #[inline]
    pub(crate) fn push(&mut self, path: KeyPath, severity: Severity, problem: Problem) {
        // A report that has one issue often has many (a DeviceInformation
        // command's queries): room for a few to start with, not four.
        if self.issues.capacity() == 0 {
            self.issues.reserve(16);
        }
        self.issues.push(Issue { path, severity, problem });
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

/// Validation of a typed value.
pub trait Validate {
    /// Checks the value against the schema for a target.
    fn validate(&self, target: &Target) -> Report;
}

impl<P: CommandPayload> Validate for P {
    fn validate(&self, target: &Target) -> Report {
        viewed(self.view_command(), DocumentKind::Command, target)
    }
}

impl<P: CommandPayload> Command<P> {
    /// Checks the command's payload against the schema for a target (paths
    /// relative to the `Command` dictionary).
    pub fn validate(&self, target: &Target) -> Report {
        self.command.validate(target)
    }
}

impl<B: crate::ResponseBody> crate::CommandResponse<B> {
    /// Checks a device's reply in place, as [`command_response`] checks
    /// its plist form: the envelope's `Status`, and the body against the
    /// response keys of the command with this `RequestType`. With `None`,
    /// the command is the one the body's type names (a reply decoded by
    /// [`decode_response`](crate::commands::decode_response) knows it),
    /// else the reply's own `RequestType` (macOS sends it).
    ///
    /// ```
    /// use apple_device_management::commands::decode_response;
    /// use apple_device_management::{DecodeMode, Platform, Target};
    ///
    /// let reply = br#"<plist version="1.0"><dict>
    ///   <key>Status</key><string>Acknowledged</string>
    ///   <key>UDID</key><string>0000FE00-1234</string>
    ///   <key>QueryResponses</key><dict><key>OSVersion</key><integer>17</integer></dict>
    /// </dict></plist>"#;
    /// let reply = decode_response("DeviceInformation", reply, DecodeMode::Lenient)?;
    /// let report = reply.validate(None, &Target::new(Platform::IOS, "17.4".parse()?));
    /// // OSVersion is a string: the integer the device sent is reported.
    /// assert_eq!(report.errors().count(), 1);
    /// assert_eq!(report.issues[0].path.to_string(), "QueryResponses.OSVersion");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn validate(&self, request_type: Option<&str>, target: &Target) -> Report {
        let mut report = Report::default();
        let request_type = request_type.or_else(|| self.body.as_ref().and_then(|b| b.body_request_type()));
        if let Some(d) = dict_or_report(crate::view::View::Map(self), &mut report) {
            response_doc(d, request_type, target, &mut report);
        }
        report
    }
}

/// Implements [`Validate`] for typed documents: checked in place, as that
/// kind of document.
macro_rules! validate_as {
    ($kind:ident: $($(#[$attr:meta])* [$($generic:tt)*] $ty:ty),* $(,)?) => {$(
        $(#[$attr])*
        impl<$($generic)*> Validate for $ty {
            fn validate(&self, target: &Target) -> Report {
                viewed(crate::record::FieldValue::view(self), DocumentKind::$kind, target)
            }
        }
    )*};
}

validate_as!(Profile:
    #[cfg(feature = "profiles")] [] crate::profiles::Profile,
);
validate_as!(Payload:
    #[cfg(feature = "profiles")] [T: crate::profiles::PayloadBody] crate::profiles::Payload<T>,
    #[cfg(feature = "profiles")] [] crate::profiles::AnyPayload,
);
validate_as!(Declaration:
    #[cfg(feature = "declarative")] [T: crate::declarative::DeclarationPayload] crate::declarative::Declaration<T>,
    #[cfg(feature = "declarative")] [] crate::declarative::AnyDeclaration,
);
validate_as!(StatusReport:
    #[cfg(feature = "declarative")] [] crate::declarative::protocol::StatusReport,
);
validate_as!(Checkin:
    #[cfg(feature = "checkin")] [] crate::checkin::AnyCheckin,
);

/// What a document is, as far as validation is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DocumentKind {
    /// A command: its `Command` dictionary (with `RequestType`), or the
    /// whole command (`CommandUUID` and `Command`).
    Command,
    /// A device's reply to a command (`Status` with `UDID`,
    /// `EnrollmentID` or `CommandUUID`). Its keys are checked against the
    /// command's response keys when the reply names its `RequestType`
    /// (macOS replies do) or when it is given ([`command_response`]).
    CommandResponse,
    /// A check-in message (`MessageType`).
    Checkin,
    /// A configuration profile (`.mobileconfig`): `PayloadType`
    /// `Configuration`, or `PayloadContent`.
    Profile,
    /// One profile payload (a `PayloadType` other than `Configuration`).
    Payload,
    /// A declaration (`Type`, `Identifier`, `Payload`).
    Declaration,
    /// A declarative-management status report (`StatusItems`).
    StatusReport,
}

impl DocumentKind {
    /// Tells what a document is by its keys: `MessageType` (check-in),
    /// `Status` with `UDID`, `EnrollmentID` or `CommandUUID` (a reply),
    /// `RequestType` or a `Command` dictionary (command), `StatusItems`
    /// (status report), `Type` with `Payload` or `Identifier`
    /// (declaration), `PayloadContent` or `PayloadType` `Configuration`
    /// (profile), another `PayloadType` (payload). `None` for anything
    /// else.
    pub fn detect(value: &plist::Value) -> Option<DocumentKind> {
        let d = value.as_dictionary()?;
        let text = |k: &str| d.get(k).and_then(plist::Value::as_string);
        let reply = text("Status").is_some()
            && (d.contains_key("UDID") || d.contains_key("EnrollmentID") || d.contains_key("CommandUUID"));
        Some(if d.contains_key("MessageType") {
            DocumentKind::Checkin
        } else if reply && !d.contains_key("Command") {
            DocumentKind::CommandResponse
        } else if d.contains_key("RequestType") || d.get("Command").is_some_and(|c| c.as_dictionary().is_some()) {
            DocumentKind::Command
        } else if d.contains_key("StatusItems") {
            DocumentKind::StatusReport
        } else if text("Type").is_some() && (d.contains_key("Payload") || d.contains_key("Identifier")) {
            DocumentKind::Declaration
        } else if d.contains_key("PayloadContent") || text("PayloadType") == Some("Configuration") {
            DocumentKind::Profile
        } else if d.contains_key("PayloadType") {
            DocumentKind::Payload
        } else {
            return None;
        })
    }

    /// A name for messages: `command`, `check-in message`, `profile`,
    /// `payload`, `declaration`, `status report`.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Command => "command",
            DocumentKind::CommandResponse => "command response",
            DocumentKind::Checkin => "check-in message",
            DocumentKind::Profile => "profile",
            DocumentKind::Payload => "payload",
            DocumentKind::Declaration => "declaration",
            DocumentKind::StatusReport => "status report",
        }
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Validates any document, after telling what it is
/// ([`DocumentKind::detect`]); one that is none of them is an error at
/// `(root)`.
pub fn document(value: &plist::Value, target: &Target) -> Report {
    match DocumentKind::detect(value) {
        Some(kind) => as_kind(value, kind, target),
        None => {
            let mut r = Report::default();
            let what = match value.as_dictionary() {
                Some(_) => {
                    "not a command, command response, check-in message, profile, payload, declaration or \
                            status report: none of RequestType, Status, MessageType, PayloadType, PayloadContent, \
                            Type or StatusItems"
                }
                None => "a document is a dictionary",
            };
            r.push(KeyPath::root(), Severity::Error, Problem::Rule(what.to_owned()));
            r
        }
    }
}

/// Validates a document as the given kind.
pub fn as_kind(value: &plist::Value, kind: DocumentKind, target: &Target) -> Report {
    typed(value, kind, target)
}

/// Validates a command given as a plist value: either the whole command
/// (`{CommandUUID, Command: {...}}`) or its `Command` dictionary. Paths are
/// relative to the `Command` dictionary.
pub fn command(value: &plist::Value, target: &Target) -> Report {
    typed(value, DocumentKind::Command, target)
}

/// Validates the `Command` dictionary of a command (it holds
/// `RequestType`).
pub fn command_payload(payload: &plist::Dictionary, target: &Target) -> Report {
    typed(payload, DocumentKind::Command, target)
}

/// Validates a device's reply to a command: the envelope's `Status`, and
/// the body against the response keys of the command with this
/// `RequestType` (when `None`, the reply's own `RequestType`, which macOS
/// sends). Required response keys are checked only in an Acknowledged
/// reply, as decoding does.
pub fn command_response(value: &plist::Value, request_type: Option<&str>, target: &Target) -> Report {
    with_tree(value, |root, report| {
        if let Some(d) = dict_or_report(root, report) {
            response_doc(d, request_type, target, report);
        }
    })
}

/// Validates a check-in message by its `MessageType`.
pub fn checkin(value: &plist::Value, target: &Target) -> Report {
    typed(value, DocumentKind::Checkin, target)
}

/// Validates a configuration profile: its top level, then every payload by
/// its `PayloadType`, then the rules across payloads (unique
/// `PayloadIdentifier` and `PayloadUUID`, payload types of which only one
/// may be installed). Paths start at the profile
/// (`PayloadContent[2].allowCamera`).
pub fn profile(value: &plist::Value, target: &Target) -> Report {
    typed(value, DocumentKind::Profile, target)
}

/// Validates one profile payload by its `PayloadType`.
pub fn payload(value: &plist::Value, target: &Target) -> Report {
    typed(value, DocumentKind::Payload, target)
}

/// Validates a declaration: its `Type` (with its `allowed-enrollments`
/// and `allowed-scopes`), the declaration keys and its `Payload`.
pub fn declaration(value: &plist::Value, target: &Target) -> Report {
    typed(value, DocumentKind::Declaration, target)
}

/// Validates a status report: its keys, and every status item in
/// `StatusItems` against the item's schema. The target's channel is the
/// report's scope (device channel: `system`).
pub fn status_report(value: &plist::Value, target: &Target) -> Report {
    typed(value, DocumentKind::StatusReport, target)
}

/// Validates a dictionary against any schema file's request keys (an
/// `other/` file such as a ManifestURL manifest, or any file you picked).
pub fn against(file: &SchemaFile, value: &plist::Value, target: &Target) -> Report {
    with_tree(value, |root, report| {
        let Some(d) = dict_or_report(root, report) else { return };
        if supported(file, "document", &[], target, report) {
            Walker::new(&file.request, target, report, &[]).document(&[top(file)], d, &[], true);
        }
    })
}

/// Copies a serialisable value and checks the copy as `kind`.
fn typed<T: serde::Serialize + ?Sized>(value: &T, kind: DocumentKind, target: &Target) -> Report {
    with_tree(value, |root, report| check_as(root, kind, target, report))
}

/// Checks a typed value in place as `kind`: what checking its copy would
/// report, without the copy.
fn viewed(root: crate::view::View<'_>, kind: DocumentKind, target: &Target) -> Report {
    let mut report = Report::default();
    check_as(root, kind, target, &mut report);
    report
}

fn check_as<'t>(root: impl Node<'t>, kind: DocumentKind, target: &Target, report: &mut Report) {
    let Some(d) = dict_or_report(root, report) else { return };
    match kind {
        DocumentKind::Command => command_doc(d, target, report),
        DocumentKind::CommandResponse => response_doc(d, None, target, report),
        DocumentKind::Checkin => checkin_doc(d, target, report),
        DocumentKind::Profile => profile_doc(d, target, report),
        DocumentKind::Payload => {
            payload_doc(d, &[], target, report);
        }
        DocumentKind::Declaration => declaration_doc(d, target, report),
        DocumentKind::StatusReport => status_report_doc(d, target, report),
    }
}

fn with_tree<T: serde::Serialize + ?Sized>(value: &T, check: impl FnOnce(NodeRef<'_>, &mut Report)) -> Report {
    let mut report = Report::default();
    Tree::with(value, |tree| match tree {
        Ok(tree) => check(tree.root(), &mut report),
        Err(e) => {
            report.push(KeyPath::root(), Severity::Error, Problem::Rule(format!("the document does not encode: {e}")))
        }
    });
    report
}

fn dict_or_report<'t, N: Node<'t>>(root: N, report: &mut Report) -> Option<N> {
    let d = root.as_dict();
    if d.is_none() {
        report.push(
            KeyPath::root(),
            Severity::Error,
            Problem::WrongType { expected: ValueKind::Dictionary, found: root.kind() },
        );
    }
    d
}

/// Reports a payload the target does not support (error) or that is
/// deprecated there (warning); true when it is supported.
fn supported(file: &SchemaFile, what: &'static str, at: &[Step<'_>], target: &Target, report: &mut Report) -> bool {
    Walker::new(&file.request, target, report, at).supported(file, what)
}

fn unknown_type(key: &'static str, value: Option<&str>, at: &[Step<'_>], report: &mut Report) {
    report.push(walk::key_path(at), Severity::Error, Problem::UnknownType { key, value: value.map(str::to_owned) });
}

/// A file's top-level request keys, as a walker level.
fn top(file: &SchemaFile) -> Level<'_> {
    Level::top(&file.request)
}

fn command_doc<'t>(d: impl Node<'t>, target: &Target, report: &mut Report) {
    // The whole command: check its Command dictionary.
    let d = match d.get("Command").and_then(|c| c.as_dict()) {
        Some(inner) if d.get("RequestType").is_none() => inner,
        _ => d,
    };
    let rt = d.get("RequestType").and_then(|n| n.as_str());
    let Some(file) = rt.and_then(availability::command_schema) else {
        return unknown_type("RequestType", rt, &[], report);
    };
    // One walker (and one loan of the target's verdicts) for the command
    // and its keys.
    let mut walker = Walker::new(&file.request, target, report, &[]);
    if walker.supported(file, "command") {
        walker.document(&[top(file)], d, &["RequestType"], true);
        drop(walker);
        rules::check(file.name, &file.request, d, &[], target, report);
    }
}

/// The keys of a reply's envelope (not in any command's response keys).
use crate::envelope::RESPONSE_ENVELOPE_KEYS as ENVELOPE_KEYS;

const STATUSES: &[Literal] = &[
    Literal::Str("Acknowledged"),
    Literal::Str("Error"),
    Literal::Str("CommandFormatError"),
    Literal::Str("Idle"),
    Literal::Str("NotNow"),
];

fn response_doc<'t>(d: impl Node<'t>, request_type: Option<&str>, target: &Target, report: &mut Report) {
    let status = d.get("Status");
    match status.map(|s| (s, s.as_str())) {
        None => report.push(KeyPath::parse("Status"), Severity::Error, Problem::MissingRequired),
        Some((s, None)) => report.push(
            KeyPath::parse("Status"),
            Severity::Error,
            Problem::WrongType { expected: ValueKind::String, found: s.kind() },
        ),
        Some((_, Some(text))) if !STATUSES.iter().any(|l| matches!(l, Literal::Str(s) if *s == text)) => report.push(
            KeyPath::parse("Status"),
            Severity::Error,
            Problem::NotInRangelist { value: text.to_owned(), allowed: STATUSES },
        ),
        Some(_) => {}
    }
    let rt = request_type.or_else(|| d.get("RequestType").and_then(|n| n.as_str()));
    // A reply with only the envelope (NotNow, Idle, most errors) has no
    // body to check.
    if d.entries().all(|(k, _)| ENVELOPE_KEYS.contains(&k)) && rt.is_none() {
        return;
    }
    let Some(rt) = rt else {
        report.push(
            KeyPath::root(),
            Severity::Error,
            Problem::Rule(
                "the reply does not say which command it answers: give the RequestType of the command \
                 (validate::command_response; the CLI's --request-type)"
                    .to_owned(),
            ),
        );
        return;
    };
    let Some(file) = availability::command_schema(rt) else {
        return unknown_type("RequestType", Some(rt), &[], report);
    };
    if !supported(file, "command", &[], target, report) {
        return;
    }
    let walker = Walker::new(&file.response, target, report, &[]);
    let acknowledged = status.and_then(|s| s.as_str()) == Some("Acknowledged");
    let mut walker = if acknowledged { walker } else { walker.without_required() };
    walker.document(&[Level::top(&file.response)], d, ENVELOPE_KEYS, true);
}

fn checkin_doc<'t>(d: impl Node<'t>, target: &Target, report: &mut Report) {
    let mt = d.get("MessageType").and_then(|n| n.as_str());
    let Some(file) = mt.and_then(|mt| availability::schema_file(Family::Checkin, mt)) else {
        return unknown_type("MessageType", mt, &[], report);
    };
    if supported(file, "check-in message", &[], target, report) {
        Walker::new(&file.request, target, report, &[]).document(&[top(file)], d, &[], true);
    }
}

const TOP_LEVEL: &str = "mdm/profiles/TopLevel.yaml";
const COMMON_PAYLOAD_KEYS: &str = "mdm/profiles/CommonPayloadKeys.yaml";

fn profile_doc<'t, N: Node<'t>>(d: N, target: &Target, report: &mut Report) {
    let Some(top_level) = availability::schema_file_by_path(TOP_LEVEL) else {
        report.push(KeyPath::root(), Severity::Error, Problem::Rule(FAMILY_OFF.replace("{}", "profiles")));
        return;
    };
    Walker::new(&top_level.request, target, report, &[]).document(&[top(top_level)], d, &["PayloadContent"], true);
    let mut seen: Vec<Seen<N>> = Vec::new();
    if let Some(content) = d.get("PayloadContent") {
        if content.kind() != ValueKind::Array {
            let at = [Step::Known("PayloadContent")];
            report.push(
                walk::key_path(&at),
                Severity::Error,
                Problem::WrongType { expected: ValueKind::Array, found: content.kind() },
            );
        }
        for (i, item) in content.items().enumerate() {
            let at = [Step::Known("PayloadContent"), Step::Index(i)];
            let Some(p) = item.as_dict() else {
                report.push(
                    walk::key_path(&at),
                    Severity::Error,
                    Problem::WrongType { expected: ValueKind::Dictionary, found: item.kind() },
                );
                continue;
            };
            let file = payload_doc(p, &at, target, report);
            seen.push(Seen { index: i, payload: p, file });
        }
    }
    rules::profile(d, &seen, target, report);
}

/// A payload of a profile, as the cross-payload rules see it.
pub(crate) struct Seen<N> {
    pub(crate) index: usize,
    pub(crate) payload: N,
    /// The payload type's (first) schema file, when the schema has it.
    pub(crate) file: Option<&'static SchemaFile>,
}

const FAMILY_OFF: &str = "this build has no schema for this family: enable the `{}` feature";

/// Checks one payload dictionary; returns its (first) schema file.
fn payload_doc<'t>(
    p: impl Node<'t>,
    at: &[Step<'t>],
    target: &Target,
    report: &mut Report,
) -> Option<&'static SchemaFile> {
    // Asked for once per payload: the path's lookup was a tenth of
    // validating a profile.
    static COMMON: OnceLock<Option<&'static SchemaFile>> = OnceLock::new();
    let Some(common) = *COMMON.get_or_init(|| availability::schema_file_by_path(COMMON_PAYLOAD_KEYS)) else {
        report.push(walk::key_path(at), Severity::Error, Problem::Rule(FAMILY_OFF.replace("{}", "profiles")));
        return None;
    };
    let pt = p.get("PayloadType").and_then(|n| n.as_str());
    // Every file that describes this PayloadType (com.apple.MCX has six).
    let files: SmallVec<[&'static SchemaFile; 2]> = match pt {
        Some(pt) => availability::schema_files_named(Family::Profiles, pt)
            .iter()
            .copied()
            .filter(|f| f.path != TOP_LEVEL && f.path != COMMON_PAYLOAD_KEYS)
            .collect(),
        None => SmallVec::new(),
    };
    let Some(first) = files.first().copied() else {
        // A PayloadType the schema lacks: on macOS any preference domain
        // (com.google.Chrome) is a custom-settings payload; a warning.
        match pt {
            Some(_) => report.push(
                walk::key_path(at),
                Severity::Warning,
                Problem::UnknownType { key: "PayloadType", value: pt.map(str::to_owned) },
            ),
            None => unknown_type("PayloadType", None, at, report),
        }
        // The common keys can still be checked; the others are unknown.
        Walker::new(&common.request, target, report, at).document(&[top(common)], p, &[], false);
        return None;
    };
    let mut walker = Walker::new(&common.request, target, report, at);
    if !walker.supported(first, "payload") {
        return Some(first);
    }
    // Of several files, those that know one of the payload's keys (else the
    // first): their required keys are the ones that apply.
    let mut chosen: SmallVec<[&'static SchemaFile; 2]> = match files[..] {
        [_] => files,
        _ => {
            let mut keys: Vec<&str> = Vec::new();
            p.each_entry(|k, _| keys.push(k));
            files
                .iter()
                .copied()
                .filter(|f| keys.iter().any(|k| f.request.lookup(f.request.top_level(), k, |_| true).is_some()))
                .collect()
        }
    };
    if chosen.is_empty() {
        chosen.push(first);
    }
    let mut levels: SmallVec<[Level<'_>; 3]> = SmallVec::new();
    levels.push(top(common));
    levels.extend(chosen.iter().map(|f| top(f)));
    walker.document(&levels, p, &[], true);
    drop(walker);
    for f in &chosen {
        rules::check(f.name, &f.request, p, at, target, report);
    }
    Some(first)
}

const DECLARATION_BASE: &str = "declarative/declarations/declarationbase.yaml";
const STATUS_REPORT: &str = "declarative/protocol/statusreport.yaml";

fn declaration_doc<'t>(d: impl Node<'t>, target: &Target, report: &mut Report) {
    let Some(base) = availability::schema_file_by_path(DECLARATION_BASE) else {
        report.push(KeyPath::root(), Severity::Error, Problem::Rule(FAMILY_OFF.replace("{}", "declarative")));
        return;
    };
    let ty = d.get("Type").and_then(|n| n.as_str());
    let file =
        ty.and_then(|t| availability::schema_file(Family::Declarations, t)).filter(|f| f.path != DECLARATION_BASE);
    if file.is_none() {
        unknown_type("Type", ty, &[], report);
    }
    if let Some(file) = file
        && !supported(file, "declaration", &[], target, report)
    {
        return;
    }
    let before = report.issues.len();
    // The keys every declaration has do not depend on the scope (the base
    // states no scopes, and a channel check would refuse the user scope).
    let base_target = target.clone().with_channel(crate::Channel::Device);
    Walker::new(&base.request, &base_target, report, &[]).document(&[top(base)], d, &[], true);
    // Servers store declarations without ServerToken and add it when
    // serving them (Fleet's and KMFDDM's files): its absence is a warning.
    for issue in &mut report.issues[before..] {
        if issue.problem == Problem::MissingRequired && issue.path.to_string() == "ServerToken" {
            issue.severity = Severity::Warning;
        }
    }
    rules::declaration(d, target, report);
    let (Some(file), Some(payload)) = (file, d.get("Payload").and_then(|p| p.as_dict())) else { return };
    let at = [Step::Known("Payload")];
    Walker::new(&file.request, target, report, &at).document(&[top(file)], payload, &[], true);
    rules::check(file.name, &file.request, payload, &at, target, report);
}

fn status_report_doc<'t>(d: impl Node<'t>, target: &Target, report: &mut Report) {
    let Some(file) = availability::schema_file_by_path(STATUS_REPORT) else {
        report.push(KeyPath::root(), Severity::Error, Problem::Rule(FAMILY_OFF.replace("{}", "declarative")));
        return;
    };
    // A report's own keys do not depend on the scope it comes from.
    let any_scope = target.clone().with_channel(crate::Channel::Device);
    Walker::new(&file.request, &any_scope, report, &[]).document(&[top(file)], d, &["StatusItems"], true);
    match d.get("StatusItems") {
        Some(items) if items.as_dict().is_some() => {
            let mut at = vec![Step::Known("StatusItems")];
            status_items(items, &mut at, &mut String::new(), target, report);
        }
        Some(items) => report.push(
            walk::key_path(&[Step::Known("StatusItems")]),
            Severity::Error,
            Problem::WrongType { expected: ValueKind::Dictionary, found: items.kind() },
        ),
        None => {}
    }
    // Errors name status items too.
    for (i, e) in d.get("Errors").into_iter().flat_map(|e| e.items()).enumerate() {
        if let Some(name) = e.as_dict().and_then(|e| e.get("StatusItem")).and_then(|n| n.as_str())
            && availability::schema_file(Family::Status, name).is_none()
        {
            let at = [Step::Known("Errors"), Step::Index(i), Step::Known("StatusItem")];
            report.push(
                walk::key_path(&at),
                Severity::Warning,
                Problem::UnknownType { key: "status item", value: Some(name.to_owned()) },
            );
        }
    }
}

/// Walks the StatusItems tree: the path of keys, joined by `.`, names the
/// status item (`device.identifier.udid`).
fn status_items<'t>(
    node: impl Node<'t>,
    at: &mut Vec<Step<'t>>,
    name: &mut String,
    target: &Target,
    report: &mut Report,
) {
    for (k, v) in node.entries() {
        let len = name.len();
        if !name.is_empty() {
            name.push('.');
        }
        name.push_str(k);
        at.push(Step::Key(k));
        match availability::schema_file(Family::Status, name) {
            Some(file) => {
                if supported(file, "status item", at, target, report)
                    && let Some(e) = file.request.top_level().first()
                {
                    // The item's value is checked against the item's key;
                    // its availability is the item's.
                    let mut w = Walker::new(&file.request, target, report, at);
                    w.entry(e, v);
                }
            }
            None if v.as_dict().is_some() => status_items(v, at, name, target, report),
            None => report.push(
                walk::key_path(at),
                Severity::Warning,
                Problem::UnknownType { key: "status item", value: Some(name.clone()) },
            ),
        }
        at.pop();
        name.truncate(len);
    }
}
