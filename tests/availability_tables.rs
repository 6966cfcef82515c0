//! The generated availability tables against an independent reading of the
//! YAML: another parser (yaml-rust2's tree loader, not the generator's
//! event-based reader) and the inheritance rules written again here, from
//! the schema's documentation, for every command, every key at every depth,
//! request and response, and every OS.

use std::path::PathBuf;

use apple_device_management::availability::{self, Behavior, KeyEntry, KeyTable, OsEntry, Platform};
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
    allowed_enrollments: Vec<String>,
    allowed_scopes: Vec<String>,
    /// `sharedipad: allowed-scopes` (an empty list: none).
    shared_ipad_scopes: Option<Vec<String>>,
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
            allowed_enrollments: Vec::new(),
            allowed_scopes: Vec::new(),
            shared_ipad_scopes: None,
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
        // Declarative management's lists: a stated list replaces the
        // parent's; `sharedipad: allowed-scopes: []` says "none".
        let list = |y: &Yaml| y.as_vec().map(|v| v.iter().filter_map(text).collect::<Vec<_>>());
        if let Some(l) = list(&own["allowed-enrollments"]).filter(|l| !l.is_empty()) {
            e.allowed_enrollments = l;
        }
        if let Some(l) = list(&own["allowed-scopes"]).filter(|l| !l.is_empty()) {
            e.allowed_scopes = l;
        }
        if let Some(l) = list(&own["sharedipad"]["allowed-scopes"]) {
            e.shared_ipad_scopes = Some(l);
        }
        e
    }
}

fn rank(m: Option<Behavior>) -> Option<u8> {
    m.map(|m| match m {
        Behavior::Allowed => 0,
        Behavior::Ignored => 1,
        Behavior::Required => 2,
        Behavior::Forbidden => 3,
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
        allowed_enrollments: got.allowed_enrollments.iter().map(|s| (*s).to_owned()).collect(),
        allowed_scopes: got.allowed_scopes.iter().map(|s| (*s).to_owned()).collect(),
        shared_ipad_scopes: got.shared_ipad_allowed_scopes.map(|l| l.iter().map(|s| (*s).to_owned()).collect()),
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

// ---------------------------------------------------------------------------
// The supported-keys report for the other families, against the same
// independent reading: which items and keys exist on one macOS and one iOS
// version, and since when.

/// The name the report gives a file (the schema's own).
fn schema_name(doc: &Yaml) -> Option<String> {
    let p = &doc["payload"];
    ["payloadtype", "declarationtype", "statusitemtype", "requesttype", "credentialtype"]
        .iter()
        .find_map(|k| p[*k].as_str())
        .map(str::to_owned)
}

fn is_any_key(name: &str) -> bool {
    name == "ANY" || name.starts_with("ANY ") || (name.starts_with('<') && name.ends_with('>'))
}

/// A subkeys entry that is an alias to an enclosing key (a recursive
/// type): yaml-rust2 cannot resolve it, and leaves a bad value.
fn recursive(key: &Yaml) -> bool {
    key.as_hash().is_some_and(|h| h.get(&Yaml::String("subkeys".into())).is_some_and(Yaml::is_badvalue))
}

fn exists(e: &Expected, version: OsVersion) -> bool {
    e.available && e.introduced.is_some_and(|i| i <= version) && e.removed.is_none_or(|r| version < r)
}

/// The report's rows for one level, the way the report documents its
/// paths: keys joined by `.`, array elements skipped, `ANY` map values as
/// `*`, variants of a mixed array as `[Variant]`. Returns the paths under
/// which the schema recurses (checked only to where both readings agree).
#[allow(clippy::too_many_arguments)]
fn report_rows(
    keys: &Yaml,
    parent: &Expected,
    parent_is_array: bool,
    prefix: &str,
    os: &str,
    version: OsVersion,
    rows: &mut Vec<(String, OsVersion)>,
    recursive_at: &mut Vec<String>,
) {
    let keys = keys.as_vec().map(Vec::as_slice).unwrap_or_default();
    for key in keys {
        let name = key["key"].as_str().unwrap();
        let element = parent_is_array || (keys.len() == 1 && is_any_key(name));
        let plain_element = element && parent_is_array && keys.len() == 1;
        let path = if !element {
            if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") }
        } else if !parent_is_array {
            if prefix.is_empty() { "*".to_owned() } else { format!("{prefix}.*") }
        } else if plain_element {
            prefix.to_owned()
        } else {
            format!("{prefix}[{name}]")
        };
        let e = parent.apply(&key["supportedOS"][os]);
        if !plain_element {
            if !e.available {
                continue;
            }
            if exists(&e, version) {
                rows.push((path.clone(), e.introduced.unwrap_or_default()));
            }
        }
        if recursive(key) {
            recursive_at.push(path.clone());
        }
        let is_array = key["type"].as_str() == Some("<array>");
        report_rows(&key["subkeys"], &e, is_array, &path, os, version, rows, recursive_at);
    }
}

fn yaml_files(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

#[cfg(all(feature = "checkin", feature = "profiles", feature = "declarative"))]
#[test]
fn report_rows_match_an_independent_reading_of_every_other_family() {
    use apple_device_management::availability::Family;
    use apple_device_management::report;

    // Keys shared by a family, not items of their own.
    let shared = ["TopLevel.yaml", "CommonPayloadKeys.yaml", "declarationbase.yaml", "statusreason.yaml"];
    let mut compared = 0;
    let mut skipped_recursive = 0;
    for (family, dir) in [
        (Family::Checkin, "mdm/checkin"),
        (Family::Profiles, "mdm/profiles"),
        (Family::Declarations, "declarative/declarations"),
        (Family::Status, "declarative/status"),
    ] {
        let mut files = Vec::new();
        yaml_files(&schema_dir().join(dir), &mut files);
        files.sort();
        for (platform, os, version) in [(Platform::MacOS, "macOS", "15.1"), (Platform::IOS, "iOS", "18.1")] {
            let version: OsVersion = version.parse().unwrap();
            // The independent reading: (name, key path or "", since).
            let mut expected: Vec<(String, String, OsVersion)> = Vec::new();
            let mut recursive_at: Vec<(String, String)> = Vec::new();
            for path in &files {
                if shared.iter().any(|s| path.ends_with(s)) {
                    continue;
                }
                let doc = &YamlLoader::load_from_str(&std::fs::read_to_string(path).unwrap()).unwrap()[0];
                let name = schema_name(doc).unwrap_or_else(|| panic!("{}: no schema name", path.display()));
                let own = &doc["payload"]["supportedOS"][os];
                if own.is_badvalue() {
                    continue;
                }
                let top = Expected::root().apply(own);
                if !exists(&top, version) {
                    continue;
                }
                expected.push((name.clone(), String::new(), top.introduced.unwrap_or_default()));
                let mut rows = Vec::new();
                let mut rec = Vec::new();
                report_rows(&doc["payloadkeys"], &top, false, "", os, version, &mut rows, &mut rec);
                let mut resp = Vec::new();
                report_rows(&doc["responsekeys"], &top, false, "", os, version, &mut resp, &mut rec);
                rows.extend(resp.into_iter().map(|(p, v)| (format!("→ {p}"), v)));
                expected.extend(rows.into_iter().map(|(p, v)| (name.clone(), p, v)));
                recursive_at.extend(rec.into_iter().map(|p| (name.clone(), p)));
            }
            // Below a recursive point the generated tables go on (to depth
            // 16) where this reader stops: compare above it only.
            let below_recursion = |name: &str, key: &str| {
                recursive_at
                    .iter()
                    .any(|(n, p)| n == name && key.trim_start_matches("→ ").starts_with(&format!("{p}.")))
            };
            let got: Vec<(String, String, OsVersion)> = report::supported(&[family], platform, version)
                .into_iter()
                .map(|r| (r.name.to_owned(), r.key.unwrap_or_default(), r.since))
                .filter(|(n, k, _)| {
                    let skip = below_recursion(n, k);
                    skipped_recursive += usize::from(skip);
                    !skip
                })
                .collect();
            let mut e_sorted = expected.clone();
            e_sorted.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
            let mut g_sorted = got.clone();
            g_sorted.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
            let missing: Vec<_> = e_sorted.iter().filter(|r| !g_sorted.contains(r)).take(10).collect();
            let extra: Vec<_> = g_sorted.iter().filter(|r| !e_sorted.contains(r)).take(10).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{family:?} on {platform} {version}: not in the report {missing:?}; only in the report {extra:?}"
            );
            assert_eq!(g_sorted.len(), e_sorted.len());
            compared += g_sorted.len();
        }
    }
    // Every row of the four families on both targets, a few thousand.
    // Every row of the four families on both targets: 3,712 with release 18.1.
    assert!(compared >= 3700, "{compared} rows compared");
    eprintln!("{compared} report rows compared; {skipped_recursive} below recursive keys not compared");
}
