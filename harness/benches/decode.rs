//! Decoding and encoding costs, compared in one run (ratios, not absolute
//! times): typed decoding against `plist::Value` for the same bytes,
//! encoding, the command envelope, validation against decoding, and
//! declarative JSON against `serde_json::Value`.
//!
//! `cargo bench -p apple-device-management-harness --bench decode`; BENCHMARKS.md has the
//! results. `harness/benches/python_plistlib.py` times Python's plistlib on the same bytes
//! (`cargo bench` writes them to `target/bench-input/`).

use std::hint::black_box;

use apple_device_management::commands::{
    InstallApplication, InstallApplicationResponse, ManagedApplicationListResponse,
};
use apple_device_management::declarative::protocol::StatusReport;
use apple_device_management::profiles::Profile;
use apple_device_management::{
    Command, CommandResponse, Platform, Target, from_json, from_plist, to_plist_binary, to_plist_xml,
};
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

criterion_group! {
    name = group;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = benches
}
criterion_main!(group);
