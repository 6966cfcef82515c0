//! A minimal MDM server loop in the nanomdm style, run against files
//! instead of a network: it decodes check-ins, queues commands per device,
//! hands the next command to a device that connects, and decodes each reply
//! by the `RequestType` of the command it answers.
//!
//! ```sh
//! cargo run --example server --features uuid            # a built-in session
//! cargo run --example server --features uuid -- DIR     # your own messages
//! ```
//!
//! In DIR, files are read in name order; a name containing `checkin` is a
//! check-in message (the check-in URL's body), any other file a reply to
//! the connect URL. Both may be XML or binary plists.
//!
//! What a real server adds: HTTP, the device's TLS identity, a database, and
//! APNs pushes (the token printed below goes to
//! `https://api.push.apple.com/3/device/<token hex>`).

use std::collections::{BTreeMap, VecDeque};

use apple_device_management::checkin::AnyCheckin;
use apple_device_management::commands::{
    AnyRequest, AnyResponse, DeviceInformation, InstallApplication, decode_raw_response,
};
use apple_device_management::validate::Validate;
use apple_device_management::{
    Command, CommandStatus, DecodeMode, ManagementFlags, OsVersion, Platform, RawResponse, Target, to_plist_xml,
};

/// What the server knows about one enrolled device.
#[derive(Default)]
struct Device {
    target: Option<Target>,
    push_token_hex: Option<String>,
    queue: VecDeque<Command<AnyRequest>>,
    /// Commands sent and not yet answered, by CommandUUID.
    sent: BTreeMap<String, Command<AnyRequest>>,
}

#[derive(Default)]
struct Server {
    devices: BTreeMap<String, Device>,
}

impl Server {
    /// The check-in URL.
    fn checkin(&mut self, body: &[u8]) -> Result<(), apple_device_management::Error> {
        match apple_device_management::from_plist::<AnyCheckin>(body)? {
            AnyCheckin::Authenticate(a) => {
                let id = a.udid.clone().or(a.enrollment_id.clone()).unwrap_or_default();
                let target = target_of(a.product_name.as_deref(), a.os_version.as_deref());
                println!("Authenticate: {id} ({}, {})", a.model_name.as_deref().unwrap_or("?"), describe(&target));
                self.devices.entry(id).or_default().target = target;
            }
            AnyCheckin::TokenUpdate(t) => {
                let id = t.udid.clone().or(t.enrollment_id.clone()).unwrap_or_default();
                let device = self.devices.entry(id.clone()).or_default();
                device.push_token_hex = Some(t.token.to_hex());
                println!("TokenUpdate: {id} can be pushed to (token {}, magic {})", t.token.to_hex(), t.push_magic);
                // Enrollment is complete: queue the first commands.
                self.enqueue(&id, first_commands());
            }
            AnyCheckin::CheckOut(c) => {
                let id = c.udid.clone().unwrap_or_default();
                println!("CheckOut: {id} left; forgetting it");
                self.devices.remove(&id);
            }
            AnyCheckin::Unrecognized(d) => println!("a check-in this crate does not know: {:?}", d.get("MessageType")),
            _ => println!("another check-in: acknowledged"),
        }
        Ok(())
    }

    /// Queues commands after checking each against the device's OS.
    fn enqueue(&mut self, id: &str, commands: Vec<Command<AnyRequest>>) {
        let Some(device) = self.devices.get_mut(id) else { return };
        for command in commands {
            if let Some(target) = &device.target {
                let report = command.command.validate(target);
                for issue in &report.issues {
                    println!("  {} for {id}: {issue}", command.request_type());
                }
                if !report.is_ok() {
                    println!("  not queued: {} would fail on this device", command.request_type());
                    continue;
                }
            }
            println!("  queued {} {}", command.request_type(), command.command_uuid);
            device.queue.push_back(command);
        }
    }

    /// The connect URL: the device reports the result of the last command
    /// (or `Idle`) and gets the next one, if any, as the response body.
    fn connect(&mut self, body: &[u8]) -> Result<Option<String>, apple_device_management::Error> {
        let reply: RawResponse = apple_device_management::from_plist(body)?;
        let id = reply.device_id().unwrap_or_default().to_owned();
        let Some(device) = self.devices.get_mut(&id) else {
            println!("connect from unknown device {id}: ignored");
            return Ok(None);
        };
        let uuid = reply.command_uuid.clone().unwrap_or_default();
        match &reply.status {
            CommandStatus::Idle => println!("{id} is idle"),
            CommandStatus::NotNow => {
                // The device will come back; the command stays ours to resend.
                if let Some(cmd) = device.sent.remove(&uuid) {
                    println!("{id}: NotNow for {} {uuid}; requeued", cmd.request_type());
                    device.queue.push_front(cmd);
                }
            }
            status => {
                let rt = device.sent.remove(&uuid).map(|c| c.request_type().to_owned()).unwrap_or_default();
                if *status != CommandStatus::Acknowledged {
                    println!("{id}: {rt} {uuid} failed ({status:?}): {}", reply.error_summary().unwrap_or_default());
                } else {
                    // Typed by the RequestType of the command it answers.
                    let typed = decode_raw_response(&rt, &reply, DecodeMode::Lenient)?;
                    // What departs from the schema is kept, and listed.
                    let kept = typed.deviations();
                    match typed.body {
                        Some(AnyResponse::DeviceInformation(info)) => {
                            let q = info.query_responses;
                            println!(
                                "{id}: DeviceInformation: {} {} (serial {})",
                                q.product_name.as_deref().unwrap_or("?"),
                                q.os_version.as_deref().unwrap_or("?"),
                                q.serial_number.as_deref().unwrap_or("?")
                            );
                        }
                        Some(AnyResponse::InstallApplication(app)) => {
                            println!("{id}: InstallApplication: {:?} is {:?}", app.identifier, app.state);
                        }
                        Some(other) => println!("{id}: {rt} acknowledged: {other:?}"),
                        None => println!("{id}: {rt} acknowledged"),
                    }
                    for d in kept {
                        println!("  (kept as received: {d})");
                    }
                }
            }
        }
        let device = self.devices.get_mut(&id).expect("looked up above");
        let Some(next) = device.queue.pop_front() else {
            println!("{id}: nothing queued (empty 200 response)");
            return Ok(None);
        };
        let xml = to_plist_xml(&next)?;
        println!("{id}: sending {} {}", next.request_type(), next.command_uuid);
        device.sent.insert(next.command_uuid.clone(), next);
        Ok(Some(xml))
    }
}

/// The device's platform from Authenticate's ProductName (`iPhone16,1`,
/// `Mac14,2`, ...) and OSVersion.
fn target_of(product: Option<&str>, version: Option<&str>) -> Option<Target> {
    let product = product?;
    let platform = if product.starts_with("Mac") || product.starts_with("iMac") {
        Platform::MacOS
    } else if product.starts_with("AppleTV") {
        Platform::TvOS
    } else if product.starts_with("Watch") {
        Platform::WatchOS
    } else if product.starts_with("RealityDevice") {
        Platform::VisionOS
    } else {
        Platform::IOS
    };
    let version: OsVersion = version?.parse().ok()?;
    Some(Target::new(platform, version))
}

fn describe(target: &Option<Target>) -> String {
    match target {
        Some(t) => format!("{} {}", t.platform, t.version),
        None => "OS unknown".to_owned(),
    }
}

/// What a new device gets: an inventory and an app.
fn first_commands() -> Vec<Command<AnyRequest>> {
    let info = DeviceInformation::new(vec!["ProductName".into(), "OSVersion".into(), "SerialNumber".into()]);
    let app = InstallApplication {
        itunes_store_id: Some(361309726),
        management_flags: Some(ManagementFlags::REMOVE_APP_WITH_MDM_PROFILE),
        ..InstallApplication::default()
    };
    vec![
        Command::with_new_uuid(AnyRequest::DeviceInformation(info)),
        Command::with_new_uuid(AnyRequest::InstallApplication(app)),
    ]
}

const UDID: &str = "00008030-001A2B3C4D5E802E";

fn plist(body: &str) -> Vec<u8> {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict>{body}</dict></plist>")
        .into_bytes()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut server = Server::default();
    if let Some(dir) = std::env::args().nth(1) {
        let mut files: Vec<_> = std::fs::read_dir(&dir)?.filter_map(Result::ok).map(|e| e.path()).collect();
        files.sort();
        for path in files {
            let body = std::fs::read(&path)?;
            let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
            let result = if name.contains("checkin") { server.checkin(&body) } else { server.connect(&body).map(drop) };
            if let Err(e) = result {
                println!("{name}: {e}");
            }
        }
        return Ok(());
    }
    // A built-in session: enrollment, then the device works through the
    // queue (NotNow once, as a locked device does).
    let auth = plist(&format!(
        "<key>MessageType</key><string>Authenticate</string><key>Topic</key><string>com.apple.mgmt.External.1</string>\
         <key>UDID</key><string>{UDID}</string><key>ProductName</key><string>iPhone16,1</string>\
         <key>OSVersion</key><string>17.5</string><key>ModelName</key><string>iPhone</string>"
    ));
    let token = plist(&format!(
        "<key>MessageType</key><string>TokenUpdate</string><key>Topic</key><string>com.apple.mgmt.External.1</string>\
         <key>UDID</key><string>{UDID}</string><key>Token</key><data>CvsQIA==</data>\
         <key>PushMagic</key><string>2F1D...</string>"
    ));
    server.checkin(&auth)?;
    server.checkin(&token)?;
    let idle = plist(&format!("<key>Status</key><string>Idle</string><key>UDID</key><string>{UDID}</string>"));
    let first = server.connect(&idle)?;
    let uuid_of = |xml: &Option<String>| -> String {
        let v = plist::Value::from_reader_xml(xml.as_deref().unwrap_or_default().as_bytes()).ok();
        v.and_then(|v| v.as_dictionary()?.get("CommandUUID")?.as_string().map(str::to_owned)).unwrap_or_default()
    };
    let reply = |status: &str, uuid: &str, body: &str| {
        plist(&format!(
            "<key>Status</key><string>{status}</string><key>UDID</key><string>{UDID}</string>\
             <key>CommandUUID</key><string>{uuid}</string>{body}"
        ))
    };
    // The device is locked: NotNow; later it answers.
    let again = server.connect(&reply("NotNow", &uuid_of(&first), ""))?;
    let second = server.connect(&reply(
        "Acknowledged",
        &uuid_of(&again),
        "<key>QueryResponses</key><dict><key>ProductName</key><string>iPhone16,1</string>\
         <key>OSVersion</key><string>17.5</string><key>SerialNumber</key><string>F2LXYZ123</string>\
         <key>ABrandNewKey</key><true/></dict>",
    ))?;
    // The app cannot be installed: an Error reply with its ErrorChain.
    let last = server.connect(&reply(
        "Error",
        &uuid_of(&second),
        "<key>ErrorChain</key><array><dict><key>ErrorCode</key><integer>12064</integer>\
         <key>ErrorDomain</key><string>MCMDMErrorDomain</string>\
         <key>LocalizedDescription</key><string>The app is not available in this country.</string></dict></array>",
    ))?;
    assert!(last.is_none(), "the queue is empty");
    let device = &server.devices[UDID];
    println!("push token of {UDID}: {}", device.push_token_hex.as_deref().unwrap_or("-"));
    Ok(())
}
