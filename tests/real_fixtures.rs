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

// The generator's own helper, compiled into this test (no dev-dependency on
// the generator, so that examples do not compile it).
#[path = "../codegen/src/test_inputs.rs"]
mod test_inputs;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use apple_device_management::checkin::AnyCheckin;
use apple_device_management::commands::{AnyRequest, AnyResponse, decode_raw_response, decode_response};
use apple_device_management::declarative::AnyDeclaration;
use apple_device_management::declarative::protocol::StatusReport;
use apple_device_management::other::ManifestUrl;
use apple_device_management::profiles::Profile;
use apple_device_management::validate::{self, DocumentKind, Validate};
use apple_device_management::{
    Command, CommandResponse, DecodeMode, Deviation, Platform, RESPONSE_ENVELOPE_KEYS, RawResponse, Target,
    from_json_lenient, from_plist_lenient, signed, to_json_value, to_plist_binary, to_plist_value, to_plist_xml,
};

/// ../shared/fixtures/real, or `None` (after one line saying so) when it
/// is not there, outside CI.
fn fixtures(test: &str) -> Option<PathBuf> {
    test_inputs::shared_test_input(Path::new(env!("CARGO_MANIFEST_DIR")), "fixtures/real", test)
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

/// The "kind" column of SOURCES.md for every file, by its path below
/// fixtures/real (`command response DeviceInformation Status=Acknowledged`,
/// `command response (generic) Status=NotNow`, ...).
fn source_kinds(dir: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(dir.join("SOURCES.md")).unwrap();
    let mut folder = String::new();
    let mut out = BTreeMap::new();
    for line in text.lines() {
        if let Some(f) = line.strip_prefix("- Folder: `") {
            folder = f.trim_end_matches('`').trim_end_matches('/').to_owned();
        }
        let cols: Vec<&str> = line.split('|').map(str::trim).collect();
        if line.starts_with("| `") && cols.len() >= 9 {
            out.insert(format!("{folder}/{}", cols[1].trim_matches('`')), cols[6].to_owned());
        }
    }
    out
}

/// Replies SOURCES.md calls generic whose notes or file name say which
/// command they answer. The other generic replies carry no command keys
/// and are decoded as the reply to every one of the 66 commands.
const GENERIC_ANSWERS: &[(&str, &str)] = &[
    ("commandment/Errors/iOS-11.3.1-AvailableOSUpdatesFailure.xml", "AvailableOSUpdates"),
    ("commandment/Errors/iOS-11.3.1-RemoveProfile-Unmanaged.xml", "RemoveProfile"),
    ("commandment/InstallApplication/iOS-11.3.1-alreadyprompting.xml", "InstallApplication"),
    ("micromdm/Errors/error_invalid_request_type.plist", "OSUpdateStatus"),
];

/// The commands a reply answers, as a server knows them: from the
/// RequestType it sent (here: SOURCES.md), never from the reply's keys.
fn answered_request_types(file: &str, kind: &str) -> Vec<&'static str> {
    if let Some((_, rt)) = GENERIC_ANSWERS.iter().find(|(f, _)| *f == file) {
        return vec![rt];
    }
    let named = kind.strip_prefix("command response ").and_then(|r| r.split_whitespace().next());
    match named {
        Some(rt) if !rt.starts_with('(') => {
            let known = AnyRequest::REQUEST_TYPES.iter().find(|t| **t == rt);
            vec![known.unwrap_or_else(|| panic!("{file}: SOURCES.md names {rt}, not a request type"))]
        }
        _ => AnyRequest::REQUEST_TYPES.to_vec(),
    }
}

/// Decodes a reply as the answer to `rt`, through `decode_response` and
/// through the envelope-first path (RawResponse, then the body), checks
/// that both agree and that encoding gives back the same value.
fn decode_reply(bytes: &[u8], value: &plist::Value, rt: &str) -> Result<CommandResponse<AnyResponse>, String> {
    let r = decode_response(rt, bytes, DecodeMode::Lenient).map_err(|e| e.to_string())?;
    assert_eq!(to_plist_value(&r).unwrap(), *value, "{rt}: round trip");
    encodes_as_the_plist_crate(&r, value, rt);
    let raw: RawResponse = from_plist_lenient(bytes).unwrap();
    assert_eq!((&raw.status, &raw.command_uuid), (&r.status, &r.command_uuid), "{rt}: envelope");
    assert_eq!(decode_raw_response(rt, &raw, DecodeMode::Lenient).unwrap(), r, "{rt}: envelope first, then the body");
    Ok(r)
}

/// This crate's plist writers give what the plist crate's give for the
/// decoded value: the same XML bytes, and a binary plist of the same length
/// that decodes to the original.
fn encodes_as_the_plist_crate<T: serde::Serialize>(v: &T, original: &plist::Value, what: &str) {
    let mut theirs = Vec::new();
    plist::to_writer_xml(&mut theirs, v).unwrap();
    assert_eq!(to_plist_xml(v).unwrap().as_bytes(), theirs, "{what}: XML as the plist crate writes it");
    let bin = to_plist_binary(v).unwrap();
    assert_eq!(plist::Value::from_reader(std::io::Cursor::new(&bin)).unwrap(), *original, "{what}: binary");
    let mut theirs = Vec::new();
    plist::to_writer_binary(&mut theirs, v).unwrap();
    assert_eq!(bin.len(), theirs.len(), "{what}: binary length");
}

/// Validating the decoded value reports what validating the plist it
/// encodes to reports (read back untyped, checked as the same kind of
/// document), for an iOS and a macOS target: the checker sees what would
/// be sent. Reports are compared as text, so that a NaN real compares.
fn validates_as_written<T: Validate + serde::Serialize>(v: &T, kind: DocumentKind, what: &str) {
    let written: plist::Value = plist::from_bytes(to_plist_xml(v).unwrap().as_bytes()).unwrap();
    for target in
        [Target::new(Platform::IOS, "17.0".parse().unwrap()), Target::new(Platform::MacOS, "15.0".parse().unwrap())]
    {
        let typed = v.validate(&target);
        assert_eq!(
            format!("{typed:?}"),
            format!("{:?}", validate::as_kind(&written, kind, &target)),
            "{what}: typed and untyped validation"
        );
    }
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
            encodes_as_the_plist_crate(&v, &original, kind);
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

/// Picks the decoder from the content (for a reply: from the command it
/// answers, `request_types`), decodes, checks the round trip.
fn decode(bytes: &[u8], request_types: &[&str]) -> Outcome {
    let trimmed = bytes.trim_ascii_start();
    // CMS / PKCS#7 SignedData (DER or BER): unwrap, then decode the content.
    if trimmed.first() == Some(&0x30) {
        return match signed::unwrap(bytes) {
            Ok(s) => match decode(&s.content, request_types) {
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
            return match decode(&raw.0, request_types) {
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
        if let Ok(checkin) = from_plist_lenient::<AnyCheckin>(bytes) {
            validates_as_written(&checkin, DocumentKind::Checkin, "check-in");
        }
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
        if let Ok(profile) = from_plist_lenient::<Profile>(bytes) {
            validates_as_written(&profile, DocumentKind::Profile, "profile");
        }
        return plist_round_trip::<Profile>(bytes, "profile", apple_device_management::deviations);
    }
    if dict.contains_key("items") {
        return plist_round_trip::<ManifestUrl>(bytes, "manifest", apple_device_management::deviations);
    }
    if dict.contains_key("Status") {
        assert!(!request_types.is_empty(), "a reply without the command it answers");
        let kind = match request_types {
            [one] => format!("response to {one}"),
            all => format!("response to each of the {} commands", all.len()),
        };
        let mut deviations = None;
        for rt in request_types {
            let r = match decode_reply(bytes, &value, rt) {
                Ok(r) => r,
                Err(error) => return Outcome::Failed { kind, error: format!("as {rt}: {error}") },
            };
            if !r.is_acknowledged() {
                // An envelope-only reply: no body, nothing missing.
                let only_envelope = dict.keys().all(|k| RESPONSE_ENVELOPE_KEYS.contains(&k.as_str()));
                assert_eq!(r.body.is_none(), only_envelope, "{rt}: body");
            }
            let d = devs(CommandResponse::deviations(&r));
            if request_types.len() > 1 {
                assert!(d.is_empty() || r.is_acknowledged(), "{rt}: {d:?}");
            }
            deviations.get_or_insert(d);
        }
        return Outcome::Decoded { kind, deviations: deviations.unwrap_or_default() };
    }
    Outcome::Decoded { kind: "plist (not a message the schema describes)".into(), deviations: vec![] }
}

/// Files that must fail, with the reason (SOURCES.md lists them as
/// negative cases).
const EXPECTED_FAILURES: &[(&str, &str)] = &[
    ("nanomdm/checkin_test.invalidMessage.plist", "MessageType OldManYellsAtCloud.gif is not in the schema"),
    ("commandment/CertificateList/iOS-11.3.1.xml", "invalid data string"),
    ("commandment/TokenUpdate/iOS-11.3.1.xml", "invalid plist at Token: invalid data string"),
];

/// Values real devices send with another kind than the schema says: kept
/// raw, written back unchanged, listed.
const EXPECTED_DEVIATIONS: &[(&str, &str)] = &[
    // Two incomplete test payloads: a required key is missing, kept as a
    // listed deviation (not written back).
    (
        "kmfddm/declaration_test.declMailTest1.json",
        "Payload.OutgoingServer: required key is missing (the schema expects a dictionary)",
    ),
    (
        "kmfddm/declaration_test.declMailTest1.json",
        "Payload.IncomingServer.ServerType: required key is missing (the schema expects a string)",
    ),
    (
        "kmfddm/declaration_test.declMailTest1.json",
        "Payload.IncomingServer.HostName: required key is missing (the schema expects a string)",
    ),
    (
        "kmfddm/declaration_test.declMailTest1.json",
        "Payload.IncomingServer.AuthenticationMethod: required key is missing (the schema expects a string)",
    ),
    (
        "micromdm/DeviceInformation_empty_queries.plist",
        "Command.Queries: required key is missing (the schema expects an array)",
    ),
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
    let kinds = source_kinds(&dir);
    for f in &files {
        let rel = f.strip_prefix(&dir).unwrap().display().to_string();
        let kind = kinds.get(&rel).unwrap_or_else(|| panic!("{rel} is not in SOURCES.md"));
        let bytes = std::fs::read(f).unwrap();
        outcomes.insert(rel.clone(), decode(&bytes, &answered_request_types(&rel, kind)));
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
    assert_eq!((outcomes.len(), decoded, with_dev, failed), (129, 126, 5, 3));
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

/// The token-level plist decoder alone and the plist crate alone give the
/// same outcome for every real fixture (the decoded value, its round trip
/// and its deviations), and the token-level decoder declines none of the
/// plists the plist crate reads.
#[test]
fn the_token_decoder_reads_every_real_fixture_as_the_plist_crate_does() {
    use apple_device_management::__private::{PlistDecoder, with_plist_decoder};
    let Some(dir) = fixtures("the_token_decoder_reads_every_real_fixture_as_the_plist_crate_does") else { return };
    let mut files = Vec::new();
    walk(&dir, &mut files);
    let kinds = source_kinds(&dir);
    let mut plists = 0;
    for f in &files {
        let rel = f.strip_prefix(&dir).unwrap().display().to_string();
        let request_types = answered_request_types(&rel, &kinds[&rel]);
        let bytes = std::fs::read(f).unwrap();
        let tokens = with_plist_decoder(PlistDecoder::TokensOnly, || decode(&bytes, &request_types));
        let reference = with_plist_decoder(PlistDecoder::ReferenceOnly, || decode(&bytes, &request_types));
        match (&tokens, &reference) {
            // The messages differ: the token decoder has none of its own.
            (Outcome::Failed { .. }, Outcome::Failed { .. }) => {}
            _ => assert_eq!(tokens, reference, "{rel}"),
        }
        let is_plist = |b: &[u8]| b.starts_with(b"bplist00") || b.trim_ascii_start().starts_with(b"<");
        if is_plist(&bytes) && matches!(reference, Outcome::Decoded { .. }) {
            plists += 1;
        }
    }
    // The plain XML and binary plists among the fixtures (signed and
    // webhook-wrapped ones are compared above too).
    println!("{plists} plists decoded alike");
    assert_eq!(plists, 107, "the plists among the 129 fixtures");
}
