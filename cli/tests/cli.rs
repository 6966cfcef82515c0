//! The command-line tool, run as a user runs it: on real files from
//! ../shared/fixtures/real (captured by other public MDM projects), on
//! files the tests write, and with bad usage. Exit codes: 0 ok, 1 errors
//! found, 2 usage or unreadable input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "../../codegen/src/test_inputs.rs"]
mod test_inputs;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixtures() -> Option<PathBuf> {
    test_inputs::shared_test_input(&workspace(), "fixtures/real", "cli")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_apple-dm")).args(args).output().expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// An empty file whose name ends as `name` does (`enroll.json`: `.json`),
/// removed when the returned path is dropped.
fn tmp(name: &str) -> tempfile::TempPath {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    let suffix = if ext.is_empty() { String::new() } else { format!(".{ext}") };
    let prefix = format!("apple-dm-cli-{stem}-");
    tempfile::Builder::new().prefix(&prefix).suffix(&suffix).tempfile().unwrap().into_temp_path()
}

#[test]
fn validate_real_profiles_declarations_and_checkins() {
    let Some(f) = fixtures() else { return };
    // A profile with warnings only, a signed profile and a check-in: exit 0.
    let ok = [
        f.join("rtrouton-profiles/BlockApplications.mobileconfig"),
        f.join("encrypted-dns/signed/template-on-demand-default-https.mobileconfig"),
        f.join("nanomdm/Authenticate.1.plist"),
        f.join("zentral/status_report.json"),
    ];
    let mut args = vec!["validate", "--target", "macOS:15.1,supervised"];
    args.extend(ok.iter().map(|p| path(p)));
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("BlockApplications.mobileconfig: profile (XML plist): 0 errors, 3 warnings"), "{out}");
    assert!(out.contains("warning: PayloadContent[0].pathBlackList: deprecated since 10.15"), "{out}");
    assert!(out.contains("profile (XML plist, signed by encrypted-dns.brunch.io (Verified)): 0 errors"), "{out}");
    assert!(out.contains("Authenticate.1.plist: check-in message (XML plist): 0 errors"), "{out}");
    assert!(out.contains("status_report.json: status report (JSON): 0 errors"), "{out}");
    // --deny-warnings turns the profile's warnings into a failure.
    let o = run(&["validate", "--deny-warnings", "-t", "macOS:15.1", path(&ok[0])]);
    assert_eq!(o.status.code(), Some(1));
    // A declaration for the user scope sent to the system scope: exit 1.
    let mail = f.join("kmfddm/declaration_test.declMailTest1.json");
    let o = run(&["validate", "--target", "macOS:14.0,supervised", path(&mail)]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("error: (root): declaration not allowed in the system scope (allowed: user)"));
    // In the user scope it is allowed; KMFDDM's test declaration lacks the
    // mail servers the schema requires.
    let o = run(&["validate", "--target", "macOS:14.0,supervised,user-channel", path(&mail)]);
    assert!(!stdout(&o).contains("scope"), "{}", stdout(&o));
    assert!(stdout(&o).contains("error: Payload.OutgoingServer: required key missing"), "{}", stdout(&o));
}

#[test]
fn validate_json_and_replies() {
    let Some(f) = fixtures() else { return };
    let reply = f.join("zentral/security_info_ios.plist");
    let o = run(&["validate", "--json", "-t", "iOS:17.0", "--request-type", "SecurityInfo", path(&reply)]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON output");
    let first = &json[0];
    assert_eq!(first["kind"], "command response");
    assert_eq!(first["target"], "iOS:17.0");
    assert_eq!(first["ok"], serde_json::Value::Bool(o.status.code() == Some(0)));
    assert!(first["issues"].is_array());
    // Without --request-type the body cannot be checked: said, exit 1.
    let o = run(&["validate", "-t", "iOS:17.0", path(&reply)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("give the RequestType"), "{}", stdout(&o));
}

#[test]
fn usage_and_input_errors_exit_2() {
    let o = run(&["validate", "--target", "macOS:15.1,bogus", "x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown flag `bogus`; the flags are: supervised"), "{}", stderr(&o));
    let o = run(&["validate", "--target", "Windows:11", "x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("use iOS, macOS, tvOS, visionOS or watchOS"), "{}", stderr(&o));
    let o = run(&["validate", "--target", "macOS:15.1", "/nonexistent/file.mobileconfig"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with("error: /nonexistent/file.mobileconfig: "), "{}", stderr(&o));
    let garbage = tmp("garbage.plist");
    std::fs::write(&garbage, b"<plist><dict><key>a</key>").unwrap();
    let o = run(&["validate", "--target", "macOS:15.1", path(&garbage)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a readable XML plist"), "{}", stderr(&o));
    let o = run(&["keys", "macOS"]);
    assert_eq!(o.status.code(), Some(2), "clap's usage error");
    let o = run(&["changes", "macOS", "15.0", "14.0"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["explain", "com.example.nothing"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("names no command"), "{}", stderr(&o));
}

#[test]
fn keys_and_changes() {
    let o = run(&["keys", "macOS", "15.1", "--family", "profiles"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("| com.apple.applicationaccess | `allowCamera` | 10.11 |"), "{out}");
    assert!(!out.contains("## Commands"), "one family only");
    let o = run(&["keys", "iOS", "18.1", "--family", "declarations", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = json["rows"].as_array().unwrap();
    assert!(rows.iter().any(|r| r["name"] == "com.apple.configuration.passcode.settings" && r["key"].is_null()));
    assert_eq!(json["newer_than_schema"], false);
    let o = run(&["keys", "macOS", "99.0", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["newer_than_schema"], true);
    let o = run(&["changes", "macOS", "14.0", "15.1", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "ProfileList" && r["key"] == "→ ProfileList.Source" && r["change"] == "introduced")
    );
}

#[test]
fn explain_keys_and_items() {
    let o = run(&["explain", "com.apple.applicationaccess.allowCamera"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("type: boolean") && out.contains("presence: optional"), "{out}");
    assert!(out.contains("macOS: 10.11+"), "{out}");
    let o = run(&["explain", "--json", "InstallApplication.Options.PurchaseMethod"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["type"], "integer");
    assert_eq!(json["allowed_values"], serde_json::json!(["0", "1"]));
    assert_eq!(json["schema_file"], "mdm/commands/application.install.yaml");
    // The description comes from the schema's YAML.
    if test_inputs::shared_test_input(&workspace(), "apple-device-management", "cli explain").is_some() {
        assert!(json["description"].as_str().is_some_and(|d| !d.is_empty()), "{json}");
    }
    let o = run(&["explain", "--json", "device.identifier.udid"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["family"], "Status items");
    assert_eq!(json["availability"]["macOS"], "13.0+, enrollments: supervised/local, scopes: system/user");
}

#[test]
fn convert_round_trips() {
    let Some(f) = fixtures() else { return };
    let src = f.join("nanomdm/enroll.mobileconfig");
    let bin = tmp("enroll.bplist");
    let o = run(&["convert", path(&src), "--to", "binary", "-o", path(&bin)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(std::fs::read(&bin).unwrap().starts_with(b"bplist00"));
    let o = run(&["convert", path(&bin), "--to", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["PayloadType"], "Configuration");
    let back = tmp("enroll.json");
    std::fs::write(&back, &o.stdout).unwrap();
    let o = run(&["convert", path(&back), "--to", "xml"]);
    let again: plist::Value = plist::Value::from_reader_xml(&o.stdout[..]).unwrap();
    let original: plist::Value = plist::Value::from_file(&src).unwrap();
    assert_eq!(again.as_dictionary().unwrap().get("PayloadUUID"), original.as_dictionary().unwrap().get("PayloadUUID"));
    // Binary to a terminal is refused.
    let o = run(&["convert", path(&src), "--to", "binary"]);
    assert_eq!(o.status.code(), Some(2));
}

#[path = "../../tests/support/xar.rs"]
mod xar;

/// A minimal unsigned product archive: one Distribution file.
fn write_pkg(path: &Path) {
    let distribution = br#"<?xml version="1.0" encoding="utf-8"?>
<installer-gui-script minSpecVersion="2"><title>Tool</title>
<pkg-ref id="com.example.tool.core" version="1.2.3">#core.pkg</pkg-ref>
<product id="com.example.tool" version="1.2"/></installer-gui-script>"#;
    std::fs::write(path, xar::build(&[("Distribution", distribution)], None, 0).bytes).unwrap();
}

#[test]
fn pkg_manifest() {
    let pkg = tmp("tool.pkg");
    write_pkg(&pkg);
    let url = "https://cdn.example.com/tool.pkg";
    // Unsigned: refused (Macs refuse them) unless allowed.
    let o = run(&["pkg-manifest", path(&pkg), "--url", url]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("signed"), "{}", stderr(&o));
    let o = run(&["pkg-manifest", path(&pkg), "--url", url, "--allow-unsigned", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["bundleId"], "com.example.tool");
    assert_eq!(json["bundleVersion"], "1.2");
    assert_eq!(json["url"], url);
    assert_eq!(json["hashType"], "SHA256");
    assert!(stderr(&o).contains("signature: none"), "{}", stderr(&o));
    // The pkg-ref's receipt id instead of the product's.
    let o = run(&[
        "pkg-manifest",
        path(&pkg),
        "--url",
        url,
        "--allow-unsigned",
        "--json",
        "--pkg-ref",
        "com.example.tool.core",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (json["bundleId"].as_str(), json["bundleVersion"].as_str()),
        (Some("com.example.tool.core"), Some("1.2.3"))
    );
    // A damaged package: exit 2 with what is damaged.
    let mut bytes = std::fs::read(&pkg).unwrap();
    bytes.truncate(bytes.len() - 3);
    let cut = tmp("cut.pkg");
    std::fs::write(&cut, bytes).unwrap();
    let o = run(&["pkg-manifest", path(&cut), "--url", url, "--allow-unsigned"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("the package was cut short"), "{}", stderr(&o));
}
