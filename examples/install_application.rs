//! The crate's main job, end to end: build an InstallApplication command,
//! print it as the XML plist a device receives, then decode the device's
//! reply into typed values.
//!
//! Run with `cargo run --example install_application`.

use apple_device_management::commands::install_application::{Attributes, State};
use apple_device_management::commands::{InstallApplication, InstallApplicationResponse};
use apple_device_management::{Command, CommandResponse, ManagementFlags};

fn main() -> Result<(), apple_device_management::Error> {
    // 1. Build the command: one expression. Every generated struct is a
    //    plain struct with public fields and `Default`; structs with keys
    //    the schema requires on every OS also have `new(required...)`.
    let command = Command::new(
        "9F7D3E2A-6C1B-4C1E-9A57-3D2B1E0F4A11",
        InstallApplication {
            itunes_store_id: Some(361309726),
            management_flags: Some(ManagementFlags::REMOVE_APP_WITH_MDM_PROFILE | ManagementFlags::PREVENT_DATA_BACKUP),
            attributes: Some(Attributes { removable: Some(false), ..Default::default() }),
            ..Default::default()
        },
    );

    // 2. The XML plist to send (binary: to_plist_binary; JSON: to_json).
    println!("{}", apple_device_management::to_plist_xml(&command)?);

    // 3. A device's reply, as it arrives in the body of a PUT to the server URL.
    let reply = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>CommandUUID</key>
	<string>9F7D3E2A-6C1B-4C1E-9A57-3D2B1E0F4A11</string>
	<key>Identifier</key>
	<string>com.apple.Pages</string>
	<key>State</key>
	<string>Installing</string>
	<key>Status</key>
	<string>Acknowledged</string>
	<key>UDID</key>
	<string>00008030-000A1C2E0C38802E</string>
</dict>
</plist>"#;
    let response: CommandResponse<InstallApplicationResponse> = apple_device_management::from_plist(reply.as_bytes())?;
    println!("status: {}", response.status);
    println!("device: {}", response.udid.as_deref().unwrap_or("?"));
    // The body is there for an Acknowledged reply; NotNow, Error and the
    // other statuses usually carry only the envelope.
    let Some(body) = response.acknowledged_body() else {
        println!("no result: {}", response.error_summary().unwrap_or_else(|| response.status.to_string()));
        return Ok(());
    };
    println!("app:    {}", body.identifier.as_deref().unwrap_or("?"));
    match &body.state {
        Some(State::Installing) => println!("state:  installing"),
        Some(other) => println!("state:  {other}"),
        None => println!("state:  (not reported)"),
    }
    Ok(())
}
