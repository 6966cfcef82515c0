//! Every payload captured by other public MDM projects
//! (../shared/fixtures/real, see SOURCES.md there) goes through the decoder
//! its content calls for, leniently (as a server decodes what devices send),
//! and must come back unchanged. The test prints a table and checks the
//! outcome of every file.

#![cfg(all(
    feature = "commands",
    feature = "checkin",
    feature = "profiles",
    feature = "declarative",
    feature = "other",
    feature = "cms"
))]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use apple_device_management::checkin::AnyCheckin;
use apple_device_management::commands::{AnyRequest, AnyResponse, decode_response};
use apple_device_management::declarative::AnyDeclaration;
use apple_device_management::declarative::protocol::StatusReport;
use apple_device_management::other::ManifestUrl;
use apple_device_management::profiles::Profile;
use apple_device_management::{
    Command, CommandResponse, Deviation, Mode, RESPONSE_ENVELOPE_KEYS, availability, from_json_lenient,
    from_plist_lenient, signed, to_json_value, to_plist_value,
};

/// ../shared/fixtures/real, or `None` (after one line saying so) when it
/// is not there, outside CI.
fn fixtures(test: &str) -> Option<PathBuf> {
    apple_device_management_codegen::locate::shared_test_input(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        "fixtures/real",
        test,
    )
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "LICENSES") {
                walk(&p, out);
            }
        } else if p.file_name().is_some_and(|n| n != "SOURCES.md") {
            out.push(p);
        }
    }
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    /// Decoded as `kind`, round trip equal, with these deviations.
    Decoded { kind: String, deviations: Vec<String> },
    /// Decoding failed with this error.
    Failed { kind: String, error: String },
}

/// The command whose response keys best match the reply's keys.
fn guess_request_type(dict: &plist::Dictionary) -> Option<&'static str> {
    let keys: Vec<&str> = dict.keys().map(String::as_str).filter(|k| !RESPONSE_ENVELOPE_KEYS.contains(k)).collect();
    if keys.is_empty() {
        return None;
    }
    availability::commands()
        .iter()
        .map(|f| (f.response.top_level().iter().filter(|e| keys.contains(&e.name)).count(), f.name))
        .filter(|(n, _)| *n > 0)
        .max_by_key(|(n, _)| *n)
        .map(|(_, name)| name)
}

fn devs(d: Vec<Deviation>) -> Vec<String> {
    d.iter().map(ToString::to_string).collect()
}

fn plist_round_trip<T>(bytes: &[u8], kind: &str, list: impl Fn(&T) -> Vec<Deviation>) -> Outcome
where
    T: apple_device_management::FieldValue + serde::de::DeserializeOwned,
{
    match from_plist_lenient::<T>(bytes) {
        Err(e) => Outcome::Failed { kind: kind.into(), error: e.to_string() },
        Ok(v) => {
            let original = from_plist_lenient::<plist::Value>(bytes).unwrap();
            assert_eq!(to_plist_value(&v).unwrap(), original, "{kind}: round trip");
            Outcome::Decoded { kind: kind.into(), deviations: devs(list(&v)) }
        }
    }
}

fn json_round_trip<T>(bytes: &[u8], kind: &str, list: impl Fn(&T) -> Vec<Deviation>) -> Outcome
where
    T: apple_device_management::FieldValue + serde::de::DeserializeOwned,
{
    match from_json_lenient::<T>(bytes) {
        Err(e) => Outcome::Failed { kind: kind.into(), error: e.to_string() },
        Ok(v) => {
            let original: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            assert_eq!(to_json_value(&v).unwrap(), original, "{kind}: round trip");
            Outcome::Decoded { kind: kind.into(), deviations: devs(list(&v)) }
        }
    }
}

/// Picks the decoder from the content, decodes, checks the round trip.
fn decode(bytes: &[u8]) -> Outcome {
    let trimmed = bytes.trim_ascii_start();
    // CMS / PKCS#7 SignedData (DER or BER): unwrap, then decode the content.
    if trimmed.first() == Some(&0x30) {
        return match signed::unwrap(bytes) {
            Ok(s) => match decode(&s.content) {
                Outcome::Decoded { kind, deviations } => {
                    Outcome::Decoded { kind: format!("signed {kind}"), deviations }
                }
                failed => failed,
            },
            Err(e) => Outcome::Failed { kind: "signed".into(), error: e.to_string() },
        };
    }
    if trimmed.first() == Some(&b'{') {
        let json: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        // A NanoMDM/MicroMDM webhook event: the Apple payload is base64 inside.
        if let Some(raw) = json.pointer("/checkin_event/raw_payload").or(json.pointer("/acknowledge_event/raw_payload"))
        {
            let raw = apple_device_management::Data::from_base64(raw.as_str().unwrap()).unwrap();
            return match decode(&raw.0) {
                Outcome::Decoded { kind, deviations } => {
                    Outcome::Decoded { kind: format!("webhook {kind}"), deviations }
                }
                failed => failed,
            };
        }
        if json.get("StatusItems").is_some() {
            return json_round_trip::<StatusReport>(bytes, "status report", apple_device_management::deviations);
        }
        if json.get("Type").is_some() {
            return json_round_trip::<AnyDeclaration>(bytes, "declaration", apple_device_management::deviations);
        }
        if json.get("Payload").is_some() || json.get("Item").is_some() {
            return Outcome::Decoded { kind: "JSON (not an Apple format)".into(), deviations: vec![] };
        }
        return Outcome::Decoded { kind: "JSON (not an Apple format)".into(), deviations: vec![] };
    }
    let value = match from_plist_lenient::<plist::Value>(bytes) {
        Ok(v) => v,
        Err(e) => return Outcome::Failed { kind: "plist".into(), error: e.to_string() },
    };
    let Some(dict) = value.as_dictionary() else {
        return Outcome::Failed { kind: "plist".into(), error: "not a dictionary".into() };
    };
    if dict.contains_key("MessageType") {
        let tag = dict.get("MessageType").and_then(|v| v.as_string()).unwrap_or_default();
        return match plist_round_trip::<AnyCheckin>(bytes, "check-in", apple_device_management::deviations) {
            Outcome::Decoded { .. } if !AnyCheckin::TAGS.contains(&tag) => Outcome::Failed {
                kind: "check-in".into(),
                error: format!("MessageType {tag} is not in the schema (kept whole as AnyCheckin::Unrecognized)"),
            },
            Outcome::Decoded { deviations, .. } => Outcome::Decoded { kind: format!("check-in {tag}"), deviations },
            failed => failed,
        };
    }
    if dict.contains_key("Command") && dict.contains_key("CommandUUID") {
        return plist_round_trip::<Command<AnyRequest>>(bytes, "command", apple_device_management::deviations);
    }
    if dict.get("PayloadType").and_then(|v| v.as_string()) == Some("Configuration") {
        return plist_round_trip::<Profile>(bytes, "profile", apple_device_management::deviations);
    }
    if dict.contains_key("items") {
        return plist_round_trip::<ManifestUrl>(bytes, "manifest", apple_device_management::deviations);
    }
    if dict.contains_key("Status") {
        let rt = dict.get("RequestType").and_then(|v| v.as_string()).or_else(|| guess_request_type(dict));
        let kind = format!("response {}", rt.unwrap_or("(generic)"));
        return match decode_response(rt.unwrap_or(""), bytes, Mode::Lenient) {
            Err(e) => Outcome::Failed { kind, error: e.to_string() },
            Ok(r) => {
                assert_eq!(to_plist_value(&r).unwrap(), value, "{kind}: round trip");
                let kind = match &r.body {
                    AnyResponse::Unrecognized(_) => format!("{kind} (untyped body)"),
                    _ => kind,
                };
                Outcome::Decoded { kind, deviations: devs(CommandResponse::deviations(&r)) }
            }
        };
    }
    Outcome::Decoded { kind: "plist (not a message the schema describes)".into(), deviations: vec![] }
}

/// Files that must fail, with the reason (SOURCES.md lists the first
/// three as negative cases; the last two are incomplete test payloads).
const EXPECTED_FAILURES: &[(&str, &str)] = &[
    ("nanomdm/checkin_test.invalidMessage.plist", "MessageType OldManYellsAtCloud.gif is not in the schema"),
    ("commandment/CertificateList/iOS-11.3.1.xml", "invalid data string"),
    ("commandment/TokenUpdate/iOS-11.3.1.xml", "invalid plist at Token: invalid data string"),
    (
        "kmfddm/declaration_test.declMailTest1.json",
        "invalid JSON at Payload.IncomingServer: missing field `ServerType`",
    ),
    ("micromdm/DeviceInformation_empty_queries.plist", "invalid plist at Command: missing field `Queries`"),
];

/// Values real devices send with another kind than the schema says: kept
/// raw, written back unchanged, listed.
const EXPECTED_DEVIATIONS: &[(&str, &str)] = &[
    (
        "commandment/DeviceInformation/10.11.x.xml",
        "QueryResponses.OSUpdateSettings.PreviousScanResult: expected string, found integer",
    ),
    (
        "commandment/DeviceInformation/macOS-10.13.1.xml",
        "QueryResponses.OSUpdateSettings.PreviousScanResult: expected string, found integer",
    ),
    (
        "zentral/device_information.plist",
        "QueryResponses.OSUpdateSettings.PreviousScanResult: expected string, found integer",
    ),
];

#[test]
fn every_real_fixture() {
    let Some(dir) = fixtures("every_real_fixture") else { return };
    let mut files = Vec::new();
    walk(&dir, &mut files);
    assert_eq!(files.len(), 129, "fixtures in ../shared/fixtures/real");
    let mut outcomes: BTreeMap<String, Outcome> = BTreeMap::new();
    for f in &files {
        let rel = f.strip_prefix(&dir).unwrap().display().to_string();
        let bytes = std::fs::read(f).unwrap();
        outcomes.insert(rel, decode(&bytes));
    }
    let mut table = String::from("| file | decoded as | outcome |\n|---|---|---|\n");
    for (file, o) in &outcomes {
        let line = match o {
            Outcome::Decoded { kind, deviations } if deviations.is_empty() => format!("| {file} | {kind} | lossless |"),
            Outcome::Decoded { kind, deviations } => {
                format!("| {file} | {kind} | lossless; deviations: {} |", deviations.join("; "))
            }
            Outcome::Failed { kind, error } => format!("| {file} | {kind} | expected failure: {error} |"),
        };
        table.push_str(&line);
        table.push('\n');
    }
    let decoded = outcomes.values().filter(|o| matches!(o, Outcome::Decoded { .. })).count();
    let with_dev = outcomes
        .values()
        .filter(|o| matches!(o, Outcome::Decoded { deviations, .. } if !deviations.is_empty()))
        .count();
    let failed = outcomes.len() - decoded;
    println!("{table}");
    println!(
        "| files | decoded | lossless | with deviations | expected failures |\n|---|---|---|---|---|\n| {} | {decoded} | {decoded} | {with_dev} | {failed} |",
        outcomes.len()
    );

    for (file, o) in &outcomes {
        let expected_failure = EXPECTED_FAILURES.iter().find(|(f, _)| f == file);
        let expected_devs: Vec<&str> = EXPECTED_DEVIATIONS.iter().filter(|(f, _)| f == file).map(|(_, d)| *d).collect();
        match (o, expected_failure) {
            (Outcome::Failed { error, .. }, Some((_, want))) => assert!(error.contains(want), "{file}: {error}"),
            (Outcome::Failed { error, .. }, None) => panic!("{file} failed: {error}"),
            (Outcome::Decoded { .. }, Some((_, want))) => panic!("{file} decoded, expected failure {want}"),
            (Outcome::Decoded { deviations, .. }, None) => assert_eq!(deviations, &expected_devs, "{file}"),
        }
    }
    assert_eq!((outcomes.len(), decoded, with_dev, failed), (129, 124, 3, 5));
}

#[test]
fn signed_profiles_unwrap_with_their_signer() {
    let Some(dir) = fixtures("signed_profiles_unwrap_with_their_signer") else { return };
    // DER (a server-signed .mobileconfig) and BER with indefinite lengths
    // (an iOS device's OTA phase-2 attributes).
    let der = std::fs::read(dir.join("encrypted-dns/signed/template-on-demand-default-https.mobileconfig")).unwrap();
    assert_eq!(&der[..2], [0x30, 0x82], "DER, definite length");
    let s = signed::unwrap(&der).unwrap();
    assert_eq!(s.signers.len(), 1);
    assert_eq!(s.signers[0].subject, "CN=encrypted-dns.brunch.io");
    assert_eq!(s.signers[0].issuer, "CN=E8, O=Let's Encrypt, C=US");
    assert_eq!(s.signers[0].verification, signed::Verification::Verified);
    assert!(s.is_verified());
    let profile: Profile = apple_device_management::from_plist(&s.content).unwrap();
    assert!(!profile.payload_content.is_empty());

    let ber = std::fs::read(dir.join("zentral/ota_playload_phase_2")).unwrap();
    assert_eq!(&ber[..2], [0x30, 0x80], "BER, indefinite length");
    let s = signed::unwrap(&ber).unwrap();
    assert!(s.signers[0].issuer.contains("Apple iPhone Device CA"), "{:?}", s.signers[0]);
    assert!(s.signers[0].common_name.is_some());
    // A 1024-bit device key: honestly not checked, not "failed".
    assert_eq!(
        s.signers[0].verification,
        signed::Verification::NotChecked(
            "the signer's RSA key has 1024 bits; keys under 2048 bits cannot be verified here".into()
        )
    );
    let attrs: plist::Value = from_plist_lenient(&s.content).unwrap();
    assert!(attrs.as_dictionary().unwrap().contains_key("UDID"));

    // Tampering with the content is detected.
    let mut tampered = der.clone();
    let at = tampered.windows(7).position(|w| w == b"<plist ").unwrap();
    tampered[at + 1] = b'P';
    let t = signed::unwrap(&tampered).unwrap();
    assert!(matches!(t.signers[0].verification, signed::Verification::Failed(_)), "{:?}", t.signers[0]);
    assert!(!t.is_verified());

    // Not CMS at all.
    assert!(matches!(signed::unwrap(b"<plist/>"), Err(signed::SignedError::NotSignedData(_))));
}
