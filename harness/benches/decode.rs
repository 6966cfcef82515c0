//! Decoding and encoding costs, compared in one run (ratios, not absolute
//! times): typed decoding against `plist::Value` for the same bytes,
//! encoding, the command envelope, validation against decoding, and
//! declarative JSON against `serde_json::Value`.
//!
//! `cargo bench -p apple-device-management-harness --bench decode`; BENCHMARKS.md has the
//! results. `harness/benches/python_plistlib.py` times Python's plistlib on the same bytes
//! (`cargo bench` writes them to `target/bench-input/`).

use std::hint::black_box;

use apple_device_management::__private::{PlistDecoder, token_count, with_plist_decoder};
use apple_device_management::availability::{self, KeyEntry, KeyTable, Literal};
use apple_device_management::commands::{
    DeviceInformation, DeviceInformationResponse, InstallApplication, InstallApplicationResponse,
    InstalledApplicationListResponse, ManagedApplicationListResponse,
};
use apple_device_management::declarative::protocol::StatusReport;
use apple_device_management::profiles::Profile;
use apple_device_management::validate::{Problem, Validate};
use apple_device_management::{
    Command, CommandResponse, Platform, Target, ValueKind, from_json, from_plist, to_plist_binary, to_plist_xml,
};
use apple_device_management_harness::json_token_count;
use criterion::{Criterion, criterion_group, criterion_main};

/// A ManagedApplicationList reply with `n` apps, every key the schema has.
fn managed_application_list(n: usize) -> String {
    let mut apps = String::new();
    let statuses = ["Managed", "Installing", "NeedsRedemption", "UserRejected", "Failed"];
    for i in 0..n {
        apps.push_str(&format!(
            "\t\t<key>com.example.app{i:04}</key>\n\t\t<dict>\n\t\t\t<key>ExternalVersionIdentifier</key>\n\t\t\t<integer>{}</integer>\n\
             \t\t\t<key>HasConfiguration</key>\n\t\t\t<false/>\n\t\t\t<key>HasFeedback</key>\n\t\t\t<true/>\n\
             \t\t\t<key>IsValidated</key>\n\t\t\t<true/>\n\t\t\t<key>ManagementFlags</key>\n\t\t\t<integer>{}</integer>\n\
             \t\t\t<key>Status</key>\n\t\t\t<string>{}</string>\n\t\t\t<key>UnusedRedemptionCode</key>\n\t\t\t<string>R{i:06}</string>\n\t\t</dict>\n",
            829165942 + i,
            [0, 1, 4, 5][i % 4],
            statuses[i % statuses.len()]
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \
         \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n<dict>\n\t<key>CommandUUID</key>\n\
         \t<string>0a40830d-1cf9-4a00-a153-d8294e576c3f</string>\n\t<key>ManagedApplicationList</key>\n\t<dict>\n{apps}\t</dict>\n\
         \t<key>Status</key>\n\t<string>Acknowledged</string>\n\t<key>UDID</key>\n\t<string>00008030-000A1C2E0C38802E</string>\n</dict>\n</plist>\n"
    )
}

const INSTALL: &str = r#"<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict><key>CommandUUID</key><string>6D1A6A4C-5A0D-4B9F-8F43-0F4C9B1D2E11</string><key>Command</key><dict><key>RequestType</key><string>InstallApplication</string><key>iTunesStoreID</key><integer>361309726</integer><key>ManagementFlags</key><integer>5</integer><key>Options</key><dict><key>PurchaseMethod</key><integer>1</integer></dict><key>Attributes</key><dict><key>Removable</key><false/></dict><key>ChangeManagementState</key><string>Managed</string></dict></dict></plist>"#;
const RESPONSE: &str = r#"<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict><key>CommandUUID</key><string>6D1A6A4C</string><key>Identifier</key><string>com.apple.Pages</string><key>State</key><string>Installing</string><key>Status</key><string>Acknowledged</string><key>UDID</key><string>00008030-000A1C2E0C38802E</string></dict></plist>"#;

fn status_report(n: usize) -> String {
    let decls: Vec<String> = (0..n)
        .map(|i| {
            format!(r#"{{"identifier":"com.example.decl{i}","server-token":"{i}","active":true,"valid":"valid"}}"#)
        })
        .collect();
    format!(
        r#"{{"StatusItems":{{"device":{{"identifier":{{"udid":"00008030-000A1C2E0C38802E","serial-number":"F2LXK1Y2JHD3"}},"operating-system":{{"version":"17.4","build-version":"21E219","family":"iOS"}}}},"management":{{"declarations":{{"activations":[],"configurations":[{}],"assets":[],"management":[]}}}}}},"Errors":[],"FullReport":true}}"#,
        decls.join(",")
    )
}

fn benches(c: &mut Criterion) {
    let xml = managed_application_list(1000);
    let value: plist::Value = plist::Value::from_reader(std::io::Cursor::new(xml.as_bytes())).unwrap();
    let mut bin = Vec::new();
    value.to_writer_binary(&mut bin).unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-input");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("managed_application_list_1000.xml"), &xml).unwrap();
    std::fs::write(dir.join("managed_application_list_1000.bplist"), &bin).unwrap();

    type Mal = CommandResponse<ManagedApplicationListResponse>;
    let typed: Mal = from_plist(xml.as_bytes()).unwrap();
    assert_eq!(typed.body.as_ref().unwrap().managed_application_list.len(), 1000);

    let mut g = c.benchmark_group("managed_application_list_1000");
    g.bench_function("xml/typed", |b| b.iter(|| from_plist::<Mal>(black_box(xml.as_bytes())).unwrap()));
    g.bench_function("xml/plist::Value", |b| {
        b.iter(|| plist::Value::from_reader(std::io::Cursor::new(black_box(xml.as_bytes()))).unwrap())
    });
    g.bench_function("binary/typed", |b| b.iter(|| from_plist::<Mal>(black_box(&bin)).unwrap()));
    g.bench_function("binary/plist::Value", |b| {
        b.iter(|| plist::Value::from_reader(std::io::Cursor::new(black_box(&bin))).unwrap())
    });
    g.bench_function("encode-xml/typed", |b| b.iter(|| to_plist_xml(black_box(&typed)).unwrap()));
    g.bench_function("encode-xml/plist::Value", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            black_box(&value).to_writer_xml(&mut out).unwrap();
            out
        })
    });
    g.bench_function("encode-binary/typed", |b| b.iter(|| to_plist_binary(black_box(&typed)).unwrap()));
    g.bench_function("encode-binary/plist::Value", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            black_box(&value).to_writer_binary(&mut out).unwrap();
            out
        })
    });
    g.finish();

    let cmd: Command<InstallApplication> = from_plist(INSTALL.as_bytes()).unwrap();
    let target = Target::new(Platform::IOS, "17.4".parse().unwrap());
    assert!(cmd.validate(&target).is_ok());
    let mut g = c.benchmark_group("command");
    // Sub-microsecond timings: longer runs, so that the validate/decode ratio is stable.
    g.measurement_time(std::time::Duration::from_secs(10));
    g.bench_function("decode InstallApplication command", |b| {
        b.iter(|| from_plist::<Command<InstallApplication>>(black_box(INSTALL.as_bytes())).unwrap())
    });
    g.bench_function("decode InstallApplication response", |b| {
        b.iter(|| from_plist::<CommandResponse<InstallApplicationResponse>>(black_box(RESPONSE.as_bytes())).unwrap())
    });
    g.bench_function("validate InstallApplication command", |b| b.iter(|| black_box(&cmd).validate(&target)));
    // DeviceInformation asking every query the schema lists (issue 17:
    // validate under 10% of the decode for every command).
    // Every query iOS 17.4 has (no issue reported), then every query of
    // the schema (the macOS-only ones reported).
    let all: Command<DeviceInformation> = from_plist(&device_information(&[])).unwrap();
    let unsupported: Vec<String> = all
        .validate(&target)
        .errors()
        .filter_map(|e| match e.path.segments() {
            [_, apple_device_management::PathSegment::Index(i)] => Some(all.command.queries[*i].as_str().to_owned()),
            _ => None,
        })
        .collect();
    for (label, skip) in [("valid queries", &unsupported[..]), ("all queries", &[][..])] {
        let info = device_information(skip);
        let info_cmd: Command<DeviceInformation> = from_plist(&info).unwrap();
        let issues = info_cmd.validate(&target).errors().count();
        assert_eq!(issues == 0, skip.len() == unsupported.len(), "{label}: {issues} errors");
        g.bench_function(format!("decode DeviceInformation command ({label})"), |b| {
            b.iter(|| from_plist::<Command<DeviceInformation>>(black_box(&info)).unwrap())
        });
        g.bench_function(format!("validate DeviceInformation command ({label})"), |b| {
            b.iter(|| black_box(&info_cmd).validate(&target))
        });
    }
    g.finish();

    // A 200-payload profile: one payload type per file of its own, and the
    // shared com.apple.MCX type (six candidate files) among them.
    let profile = profile_200();
    let p: Profile = from_plist(profile.as_bytes()).unwrap();
    assert_eq!(p.payload_content.len(), 200);
    assert!(p.payload_content.iter().all(|p| !p.is_unrecognized()));
    let mut g = c.benchmark_group("profile_200");
    g.bench_function("xml/typed", |b| b.iter(|| from_plist::<Profile>(black_box(profile.as_bytes())).unwrap()));
    g.bench_function("xml/plist::Value", |b| {
        b.iter(|| plist::Value::from_reader_xml(black_box(profile.as_bytes())).unwrap())
    });
    // Validation of the decoded profile, against its decode above: every
    // key of every payload looked up among its payload type's keys (the
    // restrictions payload has about 300).
    let mac = Target::new(Platform::MacOS, "15.0".parse().unwrap());
    // Each payload is checked against its own type's keys: every type is
    // known, and no rule across payloads fires (identifiers are unique).
    let report = p.validate(&mac);
    assert!(
        report.issues.iter().all(|i| !matches!(i.problem, Problem::UnknownType { .. } | Problem::Rule(_))),
        "{report}"
    );
    g.bench_function("validate", |b| b.iter(|| black_box(&p).validate(&mac)));
    g.finish();

    let json = status_report(1000);
    let mut g = c.benchmark_group("status_report_json_1000");
    g.bench_function("typed", |b| b.iter(|| from_json::<StatusReport>(black_box(json.as_bytes())).unwrap()));
    g.bench_function("serde_json::Value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(json.as_bytes())).unwrap())
    });
    g.finish();
}

/// A `.mobileconfig` with 200 payloads of four kinds (Wi-Fi, restrictions,
/// PPPC, the shared `com.apple.MCX`).
fn profile_200() -> String {
    let mut payloads = String::new();
    for i in 0..200 {
        let (ty, keys) = match i % 4 {
            0 => (
                "com.apple.wifi.managed",
                format!(
                    "<key>SSID_STR</key><string>Net{i}</string><key>AutoJoin</key><true/>\
                   <key>EncryptionType</key><string>WPA2</string><key>Password</key><string>secret{i}</string>"
                ),
            ),
            1 => (
                "com.apple.applicationaccess",
                "<key>allowCamera</key><false/><key>allowScreenShot</key><true/>\
                   <key>forceEncryptedBackup</key><true/><key>maxGracePeriod</key><integer>5</integer>"
                    .to_owned(),
            ),
            2 => (
                "com.apple.TCC.configuration-profile-policy",
                format!(
                    "<key>Services</key><dict><key>SystemPolicyAllFiles</key>\
                   <array><dict><key>Identifier</key><string>com.example.app{i}</string><key>IdentifierType</key>\
                   <string>bundleID</string><key>CodeRequirement</key><string>anchor apple generic</string>\
                   <key>Allowed</key><true/></dict></array></dict>"
                ),
            ),
            _ => (
                "com.apple.MCX",
                "<key>com.apple.EnergySaver.desktop.ACPower</key><dict><key>System Sleep Timer</key>\
                   <integer>30</integer></dict><key>SleepDisabled</key><false/>"
                    .to_owned(),
            ),
        };
        payloads.push_str(&format!(
            "<dict><key>PayloadType</key><string>{ty}</string><key>PayloadIdentifier</key><string>com.example.p{i}</string>\
             <key>PayloadUUID</key><string>00000000-0000-4000-8000-{i:012}</string><key>PayloadVersion</key><integer>1</integer>\
             <key>PayloadDisplayName</key><string>Payload {i}</string>{keys}</dict>\n"
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict><key>PayloadType</key><string>Configuration</string>\
         <key>PayloadIdentifier</key><string>com.example.profile</string><key>PayloadUUID</key>\
         <string>00000000-0000-4000-8000-999999999999</string><key>PayloadVersion</key><integer>1</integer>\
         <key>PayloadContent</key><array>\n{payloads}</array></dict></plist>\n"
    )
}

/// A value for every key of `entry` (and its children), from the schema's
/// own tables: the first listed value where there is a list, two elements
/// per array, two entries per `ANY` map. `seed` varies strings.
fn sample(table: &KeyTable, entry: &KeyEntry, seed: usize) -> plist::Value {
    if let Some(first) = entry.rangelist.first() {
        return match first {
            Literal::Str(s) => plist::Value::String((*s).to_owned()),
            Literal::Int(i) => plist::Value::Integer((*i).into()),
            Literal::Bool(b) => plist::Value::Boolean(*b),
            _ => plist::Value::String(format!("v{seed}")),
        };
    }
    match entry.kind {
        ValueKind::String => plist::Value::String(format!("{}-{seed}", entry.name)),
        ValueKind::Integer => plist::Value::Integer(((seed % 1000) as i64 + 1).into()),
        ValueKind::Real => plist::Value::Real(seed as f64 + 0.5),
        ValueKind::Boolean => plist::Value::Boolean(seed.is_multiple_of(2)),
        ValueKind::Date => plist::Value::Date(std::time::SystemTime::UNIX_EPOCH.into()),
        ValueKind::Data => plist::Value::Data(vec![0xA5; 32]),
        ValueKind::Array => {
            let children = table.children(entry);
            plist::Value::Array(match children.first() {
                Some(elem) => (0..2).map(|i| sample(table, elem, seed * 2 + i)).collect(),
                None => vec![plist::Value::String(format!("item-{seed}"))],
            })
        }
        ValueKind::Dictionary => sample_dict(table, table.children(entry), seed).into(),
        _ => plist::Value::String(format!("any-{seed}")),
    }
}

fn sample_dict(table: &KeyTable, keys: &[KeyEntry], seed: usize) -> plist::Dictionary {
    let mut d = plist::Dictionary::new();
    for k in keys {
        if k.element {
            // An `ANY` map: two entries.
            for i in 0..2 {
                d.insert(format!("key{seed}-{i}"), sample(table, k, seed + i));
            }
        } else {
            d.insert(k.name.to_owned(), sample(table, k, seed));
        }
    }
    d
}

/// A command reply with every response key of `request_type`, `n` times
/// over for the top-level array keys (the app list).
fn reply(request_type: &str, n: usize) -> plist::Value {
    let file = availability::command_schema(request_type).unwrap();
    let table = &file.response;
    let mut d = plist::Dictionary::new();
    d.insert("CommandUUID".into(), "0a40830d-1cf9-4a00-a153-d8294e576c3f".into());
    d.insert("Status".into(), "Acknowledged".into());
    d.insert("UDID".into(), "00008030-000A1C2E0C38802E".into());
    for k in table.top_level() {
        let v = match (k.kind, table.children(k).first()) {
            (ValueKind::Array, Some(elem)) if n > 1 => {
                plist::Value::Array((0..n).map(|i| sample(table, elem, i)).collect())
            }
            _ => sample(table, k, 1),
        };
        d.insert(k.name.to_owned(), v);
    }
    d.into()
}

/// A DeviceInformation command (XML) asking every query the schema lists
/// but those in `skip`.
fn device_information(skip: &[String]) -> Vec<u8> {
    let table = &availability::command_schema("DeviceInformation").unwrap().request;
    let queries = table.top_level().iter().find(|k| k.name == "Queries").unwrap();
    let names = table.children(&table.children(queries)[0]);
    let names = names.iter().filter(|q| !skip.iter().any(|s| s == q.name)).map(|q| q.name.into());
    let mut command = plist::Dictionary::new();
    command.insert("RequestType".into(), "DeviceInformation".into());
    command.insert("Queries".into(), plist::Value::Array(names.collect()));
    let mut d = plist::Dictionary::new();
    d.insert("CommandUUID".into(), "0a40830d-1cf9-4a00-a153-d8294e576c3f".into());
    d.insert("Command".into(), command.into());
    to_xml(&d.into())
}

/// A status report with `n` apps in `app.managed.list`, each with every
/// key the schema has.
fn app_status_report(n: usize) -> String {
    let apps: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"identifier":"com.example.app{i}","declaration-identifier":"com.example.decl{i}","name":"App {i}","external-version-id":{i},"version":"1.{i}","short-version":"1.{i}","state":"managed","update-state":"available","reasons":[{{"code":"Error.Example","description":"An example","details":{{"attempt":"{i}"}}}}]}}"#
            )
        })
        .collect();
    format!(
        r#"{{"StatusItems":{{"app":{{"managed":{{"list":[{}]}}}}}},"Errors":[],"FullReport":true}}"#,
        apps.join(",")
    )
}

/// The raw event loop of the XML reader plist uses: the bound a plist XML
/// decoder built on it cannot beat.
fn quick_xml_events(bytes: &[u8]) -> usize {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut n = 0;
    loop {
        match reader.read_event_into(&mut buf).unwrap() {
            quick_xml::events::Event::Eof => return n,
            e => {
                if let quick_xml::events::Event::Text(t) = &e {
                    n += t.len();
                }
                n += 1;
            }
        }
        buf.clear();
    }
}

fn to_binary(v: &plist::Value) -> Vec<u8> {
    let mut out = Vec::new();
    v.to_writer_binary(&mut out).unwrap();
    out
}

fn to_xml_via_plist<T: serde::Serialize>(v: &T) -> Vec<u8> {
    let mut out = Vec::new();
    plist::to_writer_xml(&mut out, v).unwrap();
    out
}

fn to_binary_via_plist<T: serde::Serialize>(v: &T) -> Vec<u8> {
    let mut out = Vec::new();
    plist::to_writer_binary(&mut out, v).unwrap();
    out
}

fn to_xml(v: &plist::Value) -> Vec<u8> {
    let mut out = Vec::new();
    v.to_writer_xml(&mut out).unwrap();
    out
}

/// Typed and untyped decode of `xml` and its binary form, the tokenizer
/// loop, and typed and untyped encode.
fn plist_shape<T>(c: &mut Criterion, name: &str, xml: &[u8], check: impl Fn(&T))
where
    T: apple_device_management::FieldValue + serde::de::DeserializeOwned,
{
    let value = plist::Value::from_reader(std::io::Cursor::new(xml)).unwrap();
    let bin = to_binary(&value);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-input");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.xml")), xml).unwrap();
    std::fs::write(dir.join(format!("{name}.bplist")), &bin).unwrap();
    let typed: T = from_plist(xml).unwrap();
    check(&typed);
    check(&from_plist::<T>(&bin).unwrap());
    let mut g = c.benchmark_group(name);
    // Typed decoding through the plist crate's reader (what this crate did
    // before the token-level decoder), for the before/after in one run.
    let reference = |bytes: &[u8]| with_plist_decoder(PlistDecoder::ReferenceOnly, || from_plist::<T>(bytes).unwrap());
    g.bench_function("xml/typed", |b| b.iter(|| from_plist::<T>(black_box(xml)).unwrap()));
    g.bench_function("xml/typed via the plist crate", |b| b.iter(|| reference(black_box(xml))));
    g.bench_function("xml/plist::Value", |b| {
        b.iter(|| plist::Value::from_reader(std::io::Cursor::new(black_box(xml))).unwrap())
    });
    g.bench_function("xml/quick-xml events", |b| b.iter(|| quick_xml_events(black_box(xml))));
    // This crate's own tokenizers, building nothing: the least any decode
    // through them can cost.
    assert!(token_count(xml).is_some_and(|n| n > 0) && token_count(&bin) == token_count(xml));
    g.bench_function("xml/token loop", |b| b.iter(|| token_count(black_box(xml)).unwrap()));
    g.bench_function("binary/token loop", |b| b.iter(|| token_count(black_box(&bin)).unwrap()));
    g.bench_function("binary/typed", |b| b.iter(|| from_plist::<T>(black_box(&bin)).unwrap()));
    g.bench_function("binary/typed via the plist crate", |b| b.iter(|| reference(black_box(&bin))));
    g.bench_function("binary/plist::Value", |b| {
        b.iter(|| plist::Value::from_reader(std::io::Cursor::new(black_box(&bin))).unwrap())
    });
    // Typed encoding through this crate's writers, through the plist crate's
    // (what `to_plist_xml`/`to_plist_binary` did before), and the untyped
    // baseline.
    g.bench_function("encode-xml/typed", |b| b.iter(|| to_plist_xml(black_box(&typed)).unwrap()));
    g.bench_function("encode-xml/typed via the plist crate", |b| b.iter(|| to_xml_via_plist(black_box(&typed))));
    g.bench_function("encode-xml/plist::Value", |b| b.iter(|| to_xml(black_box(&value))));
    g.bench_function("encode-binary/typed", |b| b.iter(|| to_plist_binary(black_box(&typed)).unwrap()));
    g.bench_function("encode-binary/typed via the plist crate", |b| b.iter(|| to_binary_via_plist(black_box(&typed))));
    g.bench_function("encode-binary/plist::Value", |b| b.iter(|| to_binary(black_box(&value))));
    g.finish();
}

/// Sorts the keys of every dictionary in `value`.
fn sort_keys(value: &mut plist::Value) {
    match value {
        plist::Value::Dictionary(dict) => {
            dict.sort_keys();
            for (_, v) in dict.iter_mut() {
                sort_keys(v);
            }
        }
        plist::Value::Array(items) => items.iter_mut().for_each(sort_keys),
        _ => {}
    }
}

/// The four shapes of issue 17, each against its untyped baseline.
fn shapes(c: &mut Criterion) {
    let info = to_xml(&reply("DeviceInformation", 1));
    plist_shape::<CommandResponse<DeviceInformationResponse>>(c, "device_information_reply", &info, |r| {
        let body = r.body.as_ref().unwrap();
        assert!(
            body.query_responses.extra.is_empty(),
            "every key typed: {:?}",
            body.query_responses.extra.keys().collect::<Vec<_>>()
        );
    });
    let apps = to_xml(&reply("InstalledApplicationList", 5000));
    plist_shape::<CommandResponse<InstalledApplicationListResponse>>(
        c,
        "installed_application_list_5000",
        &apps,
        |r| {
            assert_eq!(r.body.as_ref().unwrap().installed_application_list.len(), 5000);
        },
    );
    let profile = profile_200();
    plist_shape::<Profile>(c, "profile_200_all", profile.as_bytes(), |p| {
        assert!(p.payload_content.iter().all(|p| !p.is_unrecognized()));
    });
    // The same profile with every dictionary's keys in the order Apple's
    // tools write them (sorted): `PayloadType` comes after `AutoJoin`,
    // `PayloadDisplayName`, `PayloadIdentifier` and the like.
    let mut sorted = plist::Value::from_reader(std::io::Cursor::new(profile.as_bytes())).unwrap();
    sort_keys(&mut sorted);
    plist_shape::<Profile>(c, "profile_200_apple_order", &to_xml(&sorted), |p| {
        assert!(p.payload_content.iter().all(|p| !p.is_unrecognized()));
    });
    let json = app_status_report(2000);
    std::fs::write(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-input/status_report_2000_apps.json"),
        &json,
    )
    .unwrap();
    let report: StatusReport = from_json(json.as_bytes()).unwrap();
    let deviations = apple_device_management::deviations(&report);
    assert!(deviations.is_empty(), "{deviations:?}");
    let mut g = c.benchmark_group("status_report_2000_apps");
    g.bench_function("json/typed", |b| b.iter(|| from_json::<StatusReport>(black_box(json.as_bytes())).unwrap()));
    g.bench_function("json/serde_json::Value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(json.as_bytes())).unwrap())
    });
    // serde_json's tokenizer bound: every token read, every string checked
    // as text, nothing built (`IgnoredAny` does not check strings as text).
    assert!(json_token_count(json.as_bytes()).is_some_and(|n| n > 2000));
    g.bench_function("json/token loop", |b| b.iter(|| json_token_count(black_box(json.as_bytes())).unwrap()));
    g.bench_function("json/IgnoredAny", |b| {
        b.iter(|| serde_json::from_slice::<serde::de::IgnoredAny>(black_box(json.as_bytes())).unwrap())
    });
    g.finish();
}

criterion_group! {
    name = group;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = benches, shapes
}
criterion_main!(group);
