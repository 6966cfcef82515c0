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
    /// Add values the schema's `rangelist` lacks but real files use.
    ExtraValues(&'static [&'static str]),
    /// The dictionary's only subkey is a level that is not on the wire: the
    /// key's value is that subkey's value.
    Unwrap,
    /// The key must hold this value: another is a deviation when decoding
    /// leniently and an error strictly (the value is still kept). The
    /// generator already does this for every required string key whose
    /// value list has one value (a profile's top-level `PayloadType` is
    /// `Configuration`); this is for keys the schema does not fix itself.
    Fixed(&'static str),
    /// The values an integer key takes, which Apple states only in its
    /// prose: the `listed` values, or one in `min..=max` (either bound
    /// open when `None`), written into the validation tables as Apple's
    /// own files write "0, or 1 to 180" (`rangelist` plus `range`, the MCX
    /// sleep timers). The key's Rust type stays an integer. Not applied,
    /// and reported by [`unmatched`], once the schema states a list or a
    /// range of its own.
    IntegerRange { listed: &'static [i64], min: Option<i64>, max: Option<i64> },
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
    // ConsentText is, in Apple's own prose and in every profile that uses it,
    // the language dictionary itself: `<key>ConsentText</key><dict><key>default
    // </key><string>...</string><key>en</key>...`. The YAML nests the
    // languages under a required `ConsentTextItem` key that no profile has, so
    // a real profile with consent text was refused.
    Rule { file: "mdm/profiles/TopLevel.yaml", path: "payload:ConsentText", action: Action::Unwrap },
    // A status report's StatusItems is a tree whose paths are the status
    // item names (schema: a dictionary without subkeys).
    Rule {
        file: "declarative/protocol/statusreport.yaml",
        path: "payload:StatusItems",
        action: Action::RecordType("crate::declarative::status::StatusItems"),
    },
];

// Keys marked `required` that real devices omit. Evidence: the captured
// payloads in shared/fixtures/real (SOURCES.md lists each deviation). Most of
// them are already optional under the generator's general rule (a required
// key with availability conditions of its own is an `Option`); they are
// listed so that a schema release dropping those conditions cannot make
// real messages fail again.
const fn optional(file: &'static str, path: &'static str) -> Rule {
    Rule { file, path, action: Action::Optional }
}

/// Keys real devices omit although the schema marks them required.
pub const OPTIONAL: &[Rule] = &[
    // AvailableOSUpdates replies from macOS 10.12.5 and 10.13.1 (commandment
    // fixtures) have no Build; iOS 11.3.1 lacks the macOS-only keys.
    optional("mdm/commands/system.update.available.yaml", "response:AvailableOSUpdates/AvailableOSUpdatesItem/Build"),
    optional(
        "mdm/commands/system.update.available.yaml",
        "response:AvailableOSUpdates/AvailableOSUpdatesItem/ProductName",
    ),
    optional(
        "mdm/commands/system.update.available.yaml",
        "response:AvailableOSUpdates/AvailableOSUpdatesItem/DownloadSize",
    ),
    optional(
        "mdm/commands/system.update.available.yaml",
        "response:AvailableOSUpdates/AvailableOSUpdatesItem/InstallSize",
    ),
    optional(
        "mdm/commands/system.update.available.yaml",
        "response:AvailableOSUpdates/AvailableOSUpdatesItem/IsSecurityResponse",
    ),
    // TokenUpdate from iOS 9.3.5 and macOS 10.12.6 (nanomdm), 10.11 (micromdm,
    // commandment): no NotOnConsole, EnrollmentID, EnrollmentUserID or
    // UserLongName on the device channel.
    optional("mdm/checkin/tokenupdate.yaml", "payload:NotOnConsole"),
    optional("mdm/checkin/tokenupdate.yaml", "payload:EnrollmentID"),
    optional("mdm/checkin/tokenupdate.yaml", "payload:EnrollmentUserID"),
    optional("mdm/checkin/tokenupdate.yaml", "payload:UserLongName"),
    // CheckOut from macOS 10.11 (micromdm, commandment): no EnrollmentID.
    optional("mdm/checkin/checkout.yaml", "payload:EnrollmentID"),
    // Authenticate from iOS 9.3.5 and 11.3.1 (nanomdm, commandment): no
    // DeviceName, Model or ModelName.
    optional("mdm/checkin/authenticate.yaml", "payload:DeviceName"),
    optional("mdm/checkin/authenticate.yaml", "payload:Model"),
    optional("mdm/checkin/authenticate.yaml", "payload:ModelName"),
    // ManagedApplicationList items from iOS 11.3.1 and 12.1 (commandment,
    // zentral): no UnusedRedemptionCode or ExternalVersionIdentifier.
    optional(
        "mdm/commands/application.managed.list.yaml",
        "response:ManagedApplicationList/ANY app identifier/UnusedRedemptionCode",
    ),
    optional(
        "mdm/commands/application.managed.list.yaml",
        "response:ManagedApplicationList/ANY app identifier/ExternalVersionIdentifier",
    ),
    // ProfileList from iOS 11.3.1 (commandment): payloads without PayloadUUID.
    optional(
        "mdm/commands/profile.list.yaml",
        "response:ProfileList/ProfileListItem/PayloadContent/PayloadContentItem/PayloadUUID",
    ),
    // Payloads without PayloadVersion: widely deployed security-vendor
    // profiles (endpoint-protection PPPC and system-extension payloads) omit
    // it, and macOS installs them; the profile's own (top-level)
    // PayloadVersion is what versions the profile format.
    optional("mdm/profiles/CommonPayloadKeys.yaml", "payload:PayloadVersion"),
    // A TCC (PPPC) entry has `Authorization` or `Allowed`, "not both" says the
    // YAML's own text for Authorization; since macOS 11 profile tools write
    // only `Authorization` (`AllowStandardUserToSetSystemService`), yet the
    // YAML marks `Allowed` required. The aliased service lists (Calendar,
    // Camera, ...) share this key.
    optional(
        "mdm/profiles/com.apple.TCC.configuration-profile-policy.yaml",
        "payload:Services/AddressBook/IdentityDict/Allowed",
    ),
    // A Dock tile as macOS writes it (`defaults read com.apple.dock`, and the
    // profiles made from it) labels a file tile with `file-label`, not
    // `label`; every static/persistent item list shares this tile type.
    optional("mdm/profiles/com.apple.dock.yaml", "payload:static-others/StaticItem/tile-data/label"),
];

/// Values real files use that the schema's value lists lack.
pub const EXTRA_VALUES: &[Rule] = &[
    // The asset kind of an installer package in a ManifestURL manifest.
    // Apple's own InstallApplication docs, Jamf's deploy-package and every
    // munki/micromdm manifest (fixtures: commandment munkitools-3.1.0.3430)
    // use `software-package`; the schema lists only the image kinds.
    Rule {
        file: "other/manifesturl.yaml",
        path: "payload:items/items-item/assets/assets-item/kind",
        action: Action::ExtraValues(&["software-package"]),
    },
];

/// Ranges Apple states only in a key's prose.
pub const RANGES: &[Rule] = &[
    // "The minimum value is 30 seconds. Setting this value to '0' removes
    // the timeout." (both keys' `content`, Settings' SharedDeviceConfiguration
    // item). Checked by hand in the walk's prose rules until the tables
    // could say it; as a table range it is checked where the key is found
    // (a separate pass over every Settings item was 18% of validating a
    // Settings command of 200 items, counted by callgrind).
    Rule {
        file: "mdm/commands/settings.yaml",
        path: "payload:Settings/SharedDeviceConfiguration/UserSessionTimeout",
        action: Action::IntegerRange { listed: &[0], min: Some(30), max: None },
    },
    Rule {
        file: "mdm/commands/settings.yaml",
        path: "payload:Settings/SharedDeviceConfiguration/TemporarySessionTimeout",
        action: Action::IntegerRange { listed: &[0], min: Some(30), max: None },
    },
];

// Integers: every `<integer>` is an i64, so values beyond 32 bits
// (InstalledApplicationList BundleSize 23048830844 on macOS, zentral
// fixture) decode; u64 values beyond i64 are kept raw as deviations.

/// A key path as rules compare it: a map's placeholder key is one
/// segment whatever Apple calls it (`ANY app identifier` in 18.x,
/// `<app identifier>` up to 16.4), so a rule matches what the key *is*
/// across those spellings.
fn normalized(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            let (prefix, name) = match segment.split_once(':') {
                Some((p, n)) if p == "payload" || p == "response" => (format!("{p}:"), n),
                _ => (String::new(), segment),
            };
            if crate::ir::is_any_key(name) { format!("{prefix}*") } else { segment.to_owned() }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The action for a key path in a file, if a rule matches it exactly (up to
/// the spelling of map placeholders). The generator uses [`FileRules`],
/// which also matches copies of shared lists.
pub fn lookup(file: &str, path: &str) -> Option<Action> {
    let path = normalized(path);
    all().find(|r| r.file == file && normalized(r.path) == path).map(|r| r.action)
}

/// The rules of one file, matched on what a key is. A subkeys list the
/// YAML shares through an anchor (TCC's service lists, the Dock's tile
/// type) is one type wherever it appears, so a rule written for a key of
/// one copy applies to the same key in every copy, whichever copy the
/// generator happens to walk first.
#[derive(Debug, Clone)]
pub struct FileRules {
    /// Each rule's path, canonical (see [`FileRules::canonical`]).
    rules: Vec<(String, Action)>,
    /// (prefix of a copy of a shared list, prefix of its first copy in path
    /// order), longest copy prefix first.
    copies: Vec<(String, String)>,
}

impl FileRules {
    /// The rules for `file`, with the copies of its shared lists.
    pub fn new(file: &crate::model::SchemaFile) -> FileRules {
        let rules: Vec<(String, Action)> =
            all().filter(|r| r.file == file.path).map(|r| (normalized(r.path), r.action)).collect();
        let mut copies = Vec::new();
        if !rules.is_empty() {
            let mut sites: std::collections::BTreeMap<usize, Vec<String>> = std::collections::BTreeMap::new();
            fn walk(
                keys: &[crate::model::Key],
                prefix: &str,
                sites: &mut std::collections::BTreeMap<usize, Vec<String>>,
            ) {
                for k in keys {
                    let p = format!("{prefix}{}/", k.name);
                    if k.subkeys_anchor != 0 {
                        sites.entry(k.subkeys_anchor).or_default().push(normalized(&p));
                    }
                    walk(k.subkey_list(), &p, sites);
                }
            }
            walk(&file.payload_keys, "payload:", &mut sites);
            walk(&file.response_keys, "response:", &mut sites);
            for mut prefixes in sites.into_values() {
                prefixes.sort();
                let first = prefixes[0].clone();
                copies.extend(prefixes.into_iter().skip(1).map(|p| (p, first.clone())));
            }
            copies.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        }
        let mut out = FileRules { rules, copies };
        // A rule written for any copy is kept at the first copy's path.
        out.rules = out.rules.iter().map(|(p, a)| (out.canonical(p), *a)).collect();
        out
    }

    /// A normalized path with every copy of a shared list replaced by its
    /// first copy (nested copies too).
    fn canonical(&self, path: &str) -> String {
        let mut path = normalized(path);
        // Each step moves to a prefix that sorts earlier, so this ends; the
        // bound only guards against a malformed schema.
        for _ in 0..16 {
            match self.copies.iter().find(|(copy, _)| path.starts_with(copy.as_str())) {
                Some((copy, first)) => path = format!("{first}{}", &path[copy.len()..]),
                None => break,
            }
        }
        path
    }

    /// The action for a key path, if a rule matches it or the same key in
    /// another copy of a shared list.
    pub fn lookup(&self, path: &str) -> Option<Action> {
        if self.rules.is_empty() {
            return None;
        }
        let path = self.canonical(path);
        self.rules.iter().find(|(p, _)| *p == path).map(|(_, a)| *a)
    }
}

/// The rules for files of `schema` that match no key there: a fix that no
/// longer applies (Apple renamed or removed the key). Each is a sentence
/// naming the file, the key path and the fix; `build.rs` prints them as
/// `cargo:warning`s. Files the schema does not have are not reported.
///
/// An [`Action::IntegerRange`] whose key has a value list or a range of
/// its own is reported too: Apple now states the values, the fix is not
/// applied, and whether the two agree is for a person to read.
pub fn unmatched(schema: &crate::load::Schema, families: &[crate::model::Family]) -> Vec<String> {
    fn paths<'k>(keys: &'k [crate::model::Key], prefix: &str, out: &mut Vec<(String, &'k crate::model::Key)>) {
        for k in keys {
            let p = format!("{prefix}{}", k.name);
            paths(k.subkey_list(), &format!("{p}/"), out);
            out.push((normalized(&p), k));
        }
    }
    let mut out = Vec::new();
    for rule in all() {
        let Some(file) = schema.files.iter().find(|f| f.path == rule.file && families.contains(&f.family)) else {
            continue;
        };
        let mut all = Vec::new();
        paths(&file.payload_keys, "payload:", &mut all);
        paths(&file.response_keys, "response:", &mut all);
        let wanted = normalized(rule.path);
        let why = match all.iter().find(|(p, _)| *p == wanted) {
            None => "matches no key of this schema",
            Some((_, k))
                if matches!(rule.action, Action::IntegerRange { .. })
                    && (!k.rangelist.is_empty() || k.range.is_some()) =>
            {
                "is for a key whose values this schema states itself (compare the two)"
            }
            Some(_) => continue,
        };
        out.push(format!(
            "{}: the schema fix {:?} for `{}` (codegen/src/overrides.rs) {why} and is not applied",
            rule.file, rule.action, rule.path
        ));
    }
    out
}

/// Every rule, of every table.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    RULES.iter().chain(OPTIONAL).chain(EXTRA_VALUES).chain(RANGES)
}
