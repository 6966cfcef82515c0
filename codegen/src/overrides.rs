//! Fixes to Apple's schema, all in one place. The YAML is never edited.
//!
//! Each rule names a schema file, a key path inside it and what to do, with
//! a comment giving the evidence. A key path is the chain of `key:` names
//! from a top-level key down, joined by `/`, prefixed with `payload:` or
//! `response:` (array elements and `ANY` map values appear under their own
//! `key:` names, as in the YAML).
//!
//! When moving to a new Apple release, run the generator's tests: a rule
//! whose key no longer exists fails `every_override_matches_a_key`.

/// What a rule does to the key it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Use a hand-written scalar runtime type, given by its path in the
    /// runtime crate. The schema type stays what the wire kind is checked
    /// against.
    RuntimeType(&'static str),
    /// Use a dictionary type given by its path (generated elsewhere or
    /// hand-written), whose nested values are checked like a struct's.
    RecordType(&'static str),
    /// Generate the key as optional although the schema says `required`
    /// (devices are seen to omit it).
    Optional,
}

/// One fix.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The schema file, relative to the schema root.
    pub file: &'static str,
    /// The key path (see the module docs).
    pub path: &'static str,
    /// What to do.
    pub action: Action,
}

/// The `ManagementFlags` bitflags type of the runtime crate.
pub const MANAGEMENT_FLAGS: &str = "crate::flags::ManagementFlags";

/// Every rule.
pub const RULES: &[Rule] = &[
    // ManagementFlags is documented as "the bitwise OR of" 1 (remove the app
    // with the MDM profile) and 4 (prevent backup of app data), but typed a
    // plain <integer>, with rangelist [1, 4, 5] here (5 = 1 | 4). A bitflags
    // type says what it is and keeps bits a newer OS may add.
    Rule {
        file: "mdm/commands/application.install.yaml",
        path: "payload:ManagementFlags",
        action: Action::RuntimeType(MANAGEMENT_FLAGS),
    },
    // Same flags; the enterprise command lists only [1].
    Rule {
        file: "mdm/commands/application.install.enterprise.yaml",
        path: "payload:ManagementFlags",
        action: Action::RuntimeType(MANAGEMENT_FLAGS),
    },
    // The ManagedApplicationList reply reports the flags an app was
    // installed with (no rangelist in the schema).
    Rule {
        file: "mdm/commands/application.managed.list.yaml",
        path: "response:ManagedApplicationList/ANY app identifier/ManagementFlags",
        action: Action::RuntimeType(MANAGEMENT_FLAGS),
    },
    // A profile's PayloadContent is an array of payloads whose keys depend on
    // their PayloadType (schema: dictionaries of ANY). Decode each by its
    // PayloadType.
    Rule {
        file: "mdm/profiles/TopLevel.yaml",
        path: "payload:PayloadContent/PayloadContentItem",
        action: Action::RecordType("crate::profiles::AnyPayload"),
    },
    // A status report's StatusItems is a tree whose paths are the status
    // item names (schema: a dictionary without subkeys).
    Rule {
        file: "declarative/protocol/statusreport.yaml",
        path: "payload:StatusItems",
        action: Action::RecordType("crate::declarative::status::StatusItems"),
    },
];

/// The action for a key path in a file, if a rule matches.
pub fn lookup(file: &str, path: &str) -> Option<Action> {
    RULES.iter().find(|r| r.file == file && r.path == path).map(|r| r.action)
}
