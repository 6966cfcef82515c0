//! The generated availability tables against an independent reading of the
//! YAML: another parser (yaml-rust2's tree loader, not the generator's
//! event-based reader) and the inheritance rules written again here, from
//! the schema's documentation, for every command, every key at every depth,
//! request and response, and every OS.

use std::path::PathBuf;

use apple_device_management::availability::{self, KeyEntry, KeyTable, Mode, OsEntry, Platform};
use apple_device_management::{OsVersion, ValueKind};
use yaml_rust2::{Yaml, YamlLoader};

const OSES: [&str; 5] = ["iOS", "macOS", "tvOS", "visionOS", "watchOS"];

/// The schema the crate was generated from (build.rs says where it was).
fn schema_dir() -> PathBuf {
    PathBuf::from(env!("APPLE_DM_SCHEMA_DIR"))
}

/// What the test expects on one OS.
#[derive(Debug, Clone, PartialEq)]
struct Expected {
    available: bool,
    introduced: Option<OsVersion>,
    deprecated: Option<OsVersion>,
    removed: Option<OsVersion>,
    device_channel: Option<bool>,
    user_channel: Option<bool>,
    supervised: bool,
    requires_dep: bool,
    user_approved_mdm: bool,
    user_enrollment: Option<u8>,
    shared_ipad: Option<u8>,
    access_rights: Option<String>,
}

fn text(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        _ => None,
    }
}

fn version(y: &Yaml) -> Option<OsVersion> {
    let t = text(y)?;
    if t == "all" {
        return Some(OsVersion::default());
    }
    t.parse().ok()
}

fn flag(y: &Yaml) -> Option<bool> {
    y.as_bool()
}

/// allowed 0, ignored 1, required 2, forbidden 3.
fn mode_rank(y: &Yaml) -> Option<u8> {
    match y["mode"].as_str()? {
        "allowed" => Some(0),
        "ignored" => Some(1),
        "required" => Some(2),
        "forbidden" => Some(3),
        _ => None,
    }
}

impl Expected {
    fn root() -> Expected {
        Expected {
            available: true,
            introduced: Some(OsVersion::default()),
            deprecated: None,
            removed: None,
            device_channel: None,
            user_channel: None,
            supervised: false,
            requires_dep: false,
            user_approved_mdm: false,
            user_enrollment: None,
            shared_ipad: None,
            access_rights: None,
        }
    }

    /// The schema: a key updates its parent's values with the fields it
    /// states, but can never be more available than its parent.
    fn apply(&self, own: &Yaml) -> Expected {
        if own.is_badvalue() || !self.available {
            return self.clone();
        }
        let mut e = self.clone();
        match text(&own["introduced"]).as_deref() {
            Some("n/a") => {
                e.available = false;
                e.introduced = None;
            }
            Some(_) => {
                if let Some(v) = version(&own["introduced"]) {
                    e.introduced = Some(v.max(self.introduced.unwrap_or_default()));
                }
            }
            None => {}
        }
        let sooner = |mine: Option<OsVersion>, theirs: &Yaml| match (mine, version(theirs)) {
            (Some(a), Some(b)) => Some(if b < a { b } else { a }),
            (a, b) => b.or(a),
        };
        e.deprecated = sooner(self.deprecated, &own["deprecated"]);
        e.removed = sooner(self.removed, &own["removed"]);
        let chan = |mine: Option<bool>, theirs: Option<bool>| if mine == Some(false) { mine } else { theirs.or(mine) };
        e.device_channel = chan(self.device_channel, flag(&own["devicechannel"]));
        e.user_channel = chan(self.user_channel, flag(&own["userchannel"]));
        e.supervised |= flag(&own["supervised"]) == Some(true);
        e.requires_dep |= flag(&own["requiresdep"]) == Some(true);
        e.user_approved_mdm |= flag(&own["userapprovedmdm"]) == Some(true);
        let strict = |mine: Option<u8>, theirs: Option<u8>| match (mine, theirs) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        e.user_enrollment = strict(self.user_enrollment, mode_rank(&own["userenrollment"]));
        e.shared_ipad = strict(self.shared_ipad, mode_rank(&own["sharedipad"]));
        if let Some(a) = own["accessrights"].as_str() {
            e.access_rights = Some(a.to_owned());
        }
        e
    }
}

fn rank(m: Option<Mode>) -> Option<u8> {
    m.map(|m| match m {
        Mode::Allowed => 0,
        Mode::Ignored => 1,
        Mode::Required => 2,
        Mode::Forbidden => 3,
        _ => unreachable!("the schema has four modes"),
    })
}

fn compare(where_: &str, os: &str, expected: &Option<Expected>, listed: bool, got: &OsEntry) {
    let Some(e) = expected else {
        assert!(!listed, "{where_} {os}: expected not listed");
        return;
    };
    assert!(listed, "{where_} {os}: expected listed");
    let actual = Expected {
        available: got.introduced.is_some(),
        introduced: got.introduced,
        deprecated: got.deprecated,
        removed: got.removed,
        device_channel: got.device_channel,
        user_channel: got.user_channel,
        supervised: got.supervised,
        requires_dep: got.requires_dep,
        user_approved_mdm: got.user_approved_mdm,
        user_enrollment: rank(got.user_enrollment),
        shared_ipad: rank(got.shared_ipad),
        access_rights: got.access_rights.map(str::to_owned),
    };
    if !e.available {
        // Not available: nothing else matters.
        assert!(!actual.available, "{where_} {os}: expected n/a, got {actual:?}");
        return;
    }
    assert_eq!(&actual, e, "{where_} {os}");
}

fn kind(t: &str) -> ValueKind {
    match t {
        "<string>" => ValueKind::String,
        "<integer>" => ValueKind::Integer,
        "<real>" => ValueKind::Real,
        "<boolean>" => ValueKind::Boolean,
        "<date>" => ValueKind::Date,
        "<data>" => ValueKind::Data,
        "<array>" => ValueKind::Array,
        "<dictionary>" => ValueKind::Dictionary,
        _ => ValueKind::Any,
    }
}

/// Walks the YAML keys and the table rows of one level together.
fn walk(
    file: &str,
    table: &KeyTable,
    rows: &[KeyEntry],
    keys: &Yaml,
    parent: &[Option<Expected>; 5],
    path: &str,
    n: &mut usize,
) {
    let keys = keys.as_vec().map(Vec::as_slice).unwrap_or_default();
    assert_eq!(rows.len(), keys.len(), "{file} {path}: number of keys");
    for (row, key) in rows.iter().zip(keys) {
        let name = key["key"].as_str().unwrap();
        let here = format!("{file} {path}{name}");
        assert_eq!(row.name, name, "{here}");
        assert_eq!(row.kind, kind(key["type"].as_str().unwrap()), "{here}: type");
        *n += 1;
        let mut avail: [Option<Expected>; 5] = Default::default();
        for (i, os) in OSES.iter().enumerate() {
            avail[i] = parent[i].as_ref().map(|p| p.apply(&key["supportedOS"][*os]));
            let platform = Platform::ALL[i];
            compare(&here, os, &avail[i], row.os[i] != 0, row.on(platform));
        }
        walk(file, table, table.children(row), &key["subkeys"], &avail, &format!("{path}{name}/"), n);
    }
}

#[test]
fn tables_match_an_independent_reading_of_every_command() {
    let dir = schema_dir().join("mdm/commands");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut keys = 0;
    let mut checked_files = 0;
    for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "yaml")) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let doc = &YamlLoader::load_from_str(&std::fs::read_to_string(path).unwrap()).unwrap()[0];
        let rt = doc["payload"]["requesttype"].as_str().unwrap();
        let file = availability::command_schema(rt).unwrap_or_else(|| panic!("{name}: {rt} not in the tables"));
        assert_eq!(file.path, format!("mdm/commands/{name}"));
        let mut payload: [Option<Expected>; 5] = Default::default();
        for (i, os) in OSES.iter().enumerate() {
            let own = &doc["payload"]["supportedOS"][*os];
            // An OS the payload does not list is unsupported.
            payload[i] = (!own.is_badvalue()).then(|| Expected::root().apply(own));
            compare(&name, os, &payload[i], file.os[i] != 0, file.on(Platform::ALL[i]));
        }
        walk(&name, &file.request, file.request.top_level(), &doc["payloadkeys"], &payload, "", &mut keys);
        walk(&name, &file.response, file.response.top_level(), &doc["responsekeys"], &payload, "response:", &mut keys);
        checked_files += 1;
    }
    assert_eq!(checked_files, 66);
    assert_eq!(availability::commands().len(), 66);
    // 878 physical keys, more once the anchors of device.restrictions.list are expanded.
    assert!(keys >= 878, "{keys} keys checked");
}
