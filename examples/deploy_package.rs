//! Builds the Jamf Pro deploy-package request for a real `.pkg` and prints
//! its JSON body; sends it when given a server.
//!
//! ```sh
//! cargo run --example deploy_package -- Tool.pkg https://cdn.example.com/Tool.pkg --devices 102,103
//! cargo run --example deploy_package -- Tool.pkg https://cdn.example.com/Tool.pkg --group 37 --sha256 --managed
//! # send it (needs the jamf-client feature; the secret comes from the environment only):
//! JAMF_CLIENT_SECRET=... cargo run --features jamf-client --example deploy_package -- \
//!     Tool.pkg https://cdn.example.com/Tool.pkg --group 37 --server https://example.jamfcloud.com --client-id ID
//! ```
//!
//! Options: `--devices 1,2,3`, `--group ID`, `--sha256` (default MD5),
//! `--managed` (installAsManaged), `--allow-unsigned`, `--server URL`,
//! `--client-id ID`.

use apple_device_management::jamf::pkg::manifest_from_pkg;
use apple_device_management::jamf::{DeployPackageRequest, HashType};

fn fail(message: impl std::fmt::Display) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(pkg), Some(url)) = (args.first(), args.get(1)) else {
        fail(
            "usage: deploy_package <file.pkg> <https URL it is served from> [--devices 1,2] [--group ID] [--sha256] [--managed] [--allow-unsigned] [--server URL --client-id ID]",
        );
    };
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    let hash = if has("--sha256") { HashType::Sha256 } else { HashType::Md5 };
    let manifest = manifest_from_pkg(pkg, url.clone(), hash, has("--allow-unsigned")).unwrap_or_else(|e| fail(e));
    let mut builder = DeployPackageRequest::builder(manifest).install_as_managed(has("--managed"));
    if let Some(devices) = value("--devices") {
        let ids = devices
            .split(',')
            .map(|d| d.trim().parse::<i64>().unwrap_or_else(|_| fail(format!("bad device id `{d}`"))));
        builder = builder.devices(ids.collect::<Vec<_>>());
    }
    if let Some(group) = value("--group") {
        builder = builder.group(group);
    }
    let request = builder.build().unwrap_or_else(|e| fail(e));
    println!("{}", serde_json::to_string_pretty(&request).expect("the request serialises"));

    if let Some(server) = value("--server") {
        send(&server, value("--client-id"), &request);
    }
}

#[cfg(feature = "jamf-client")]
fn send(server: &str, client_id: Option<String>, request: &DeployPackageRequest) {
    let client_id = client_id.unwrap_or_else(|| fail("--server needs --client-id"));
    let secret = std::env::var("JAMF_CLIENT_SECRET").unwrap_or_else(|_| fail("set JAMF_CLIENT_SECRET"));
    let client =
        apple_device_management::jamf::client::JamfClient::new(server, client_id, secret).unwrap_or_else(|e| fail(e));
    match client.deploy_package(request) {
        Ok(reply) => {
            for q in &reply.queued_commands {
                eprintln!("queued: computer {} command {}", q.device, q.command_uuid);
            }
            for e in &reply.errors {
                eprintln!("not queued: {e:?}");
            }
        }
        Err(e) => fail(e),
    }
}

#[cfg(not(feature = "jamf-client"))]
fn send(_: &str, _: Option<String>, _: &DeployPackageRequest) {
    fail("sending needs the jamf-client feature: cargo run --features jamf-client --example deploy_package -- ...");
}
