//! Uses the published package: decodes a device's reply, builds a command,
//! and with `full` decodes a profile.

use apple_device_management::commands::{InstallApplication, InstallApplicationResponse};
use apple_device_management::{Command, CommandResponse, from_plist, to_plist_xml};

const REPLY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict>
  <key>CommandUUID</key><string>0001</string>
  <key>Status</key><string>Acknowledged</string>
  <key>UDID</key><string>00008030-000A1C2E0C38802E</string>
  <key>Identifier</key><string>com.example.app</string>
  <key>State</key><string>Installing</string>
</dict></plist>"#;

fn main() -> Result<(), apple_device_management::Error> {
    let mut app = InstallApplication::default();
    app.itunes_store_id = Some(361309726);
    let xml = to_plist_xml(&Command::new("0001", app))?;
    assert!(xml.contains("<string>InstallApplication</string>"));
    let reply: CommandResponse<InstallApplicationResponse> = from_plist(REPLY.as_bytes())?;
    assert!(reply.is_acknowledged());
    println!("schema {} ({} files): reply decoded", apple_device_management::SCHEMA_COMMIT, apple_device_management::SCHEMA_FILE_COUNT);
    #[cfg(feature = "full")]
    {
        let profile = r#"<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict>
  <key>PayloadType</key><string>Configuration</string>
  <key>PayloadIdentifier</key><string>com.example.profile</string>
  <key>PayloadUUID</key><string>6F8F1D1C-0000-4000-8000-000000000001</string>
  <key>PayloadVersion</key><integer>1</integer>
  <key>PayloadDisplayName</key><string>Example</string>
  <key>PayloadContent</key><array/>
</dict></plist>"#;
        let p: apple_device_management::profiles::Profile = from_plist(profile.as_bytes())?;
        println!("profile {} decoded", p.payload_identifier);
    }
    Ok(())
}
