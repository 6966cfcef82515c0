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
//! `--client-id ID`, `--wait` (poll the commands' status until each is
//! acknowledged or failed). Unknown options are errors.

use apple_device_management::jamf::pkg::manifest_from_pkg;
use apple_device_management::jamf::{DeployPackageRequest, HashType};

const USAGE: &str = "usage: deploy_package <file.pkg> <https URL it is served from> [--devices 1,2] [--group ID] \
                     [--sha256] [--managed] [--allow-unsigned] [--server URL --client-id ID [--wait]]";

fn fail(message: impl std::fmt::Display) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1)
}

const VALUED: &[&str] = &["--devices", "--group", "--server", "--client-id"];
const SWITCHES: &[&str] = &["--sha256", "--managed", "--allow-unsigned", "--wait"];

/// Edit distance, to suggest the option meant.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

struct Args {
    positional: Vec<String>,
    values: Vec<(String, String)>,
    switches: Vec<String>,
}

impl Args {
    /// Every argument is a known option, its value, or one of the two
    /// positional arguments; anything else is an error naming it.
    fn parse(raw: Vec<String>) -> Args {
        let mut args = Args { positional: Vec::new(), values: Vec::new(), switches: Vec::new() };
        let mut it = raw.into_iter();
        while let Some(arg) = it.next() {
            if VALUED.contains(&arg.as_str()) {
                let value = it.next().unwrap_or_else(|| fail(format!("{arg} needs a value.\n{USAGE}")));
                args.values.push((arg, value));
            } else if SWITCHES.contains(&arg.as_str()) {
                args.switches.push(arg);
            } else if arg.starts_with('-') {
                let known = VALUED.iter().chain(SWITCHES).min_by_key(|k| distance(&arg, k)).expect("options");
                let hint = if distance(&arg, known) <= 2 { format!(" Did you mean {known}?") } else { String::new() };
                fail(format!("unknown option {arg}.{hint}\n{USAGE}"));
            } else if args.positional.len() < 2 {
                args.positional.push(arg);
            } else {
                fail(format!("unexpected argument `{arg}`: give one package and one URL.\n{USAGE}"));
            }
        }
        args
    }

    fn value(&self, flag: &str) -> Option<String> {
        self.values.iter().rev().find(|(k, _)| k == flag).map(|(_, v)| v.clone())
    }

    fn has(&self, flag: &str) -> bool {
        self.switches.iter().any(|s| s == flag)
    }
}

fn main() {
    let args = Args::parse(std::env::args().skip(1).collect());
    let [pkg, url] = &args.positional[..] else {
        fail(format!("give the package and the URL it is served from.\n{USAGE}"));
    };
    let hash = if args.has("--sha256") { HashType::Sha256 } else { HashType::Md5 };
    let manifest = manifest_from_pkg(pkg, url.clone(), hash, args.has("--allow-unsigned")).unwrap_or_else(|e| fail(e));
    let mut builder = DeployPackageRequest::builder(manifest).install_as_managed(args.has("--managed"));
    if let Some(devices) = args.value("--devices") {
        let ids = devices.split(',').map(|d| {
            d.trim().parse::<i64>().unwrap_or_else(|_| fail(format!("`{d}` is not a Jamf computer id (a number).")))
        });
        builder = builder.devices(ids.collect::<Vec<_>>());
    }
    if let Some(group) = args.value("--group") {
        builder = builder.group(group);
    }
    let request = builder.build().unwrap_or_else(|e| fail(format!("the request is invalid: {e}.")));
    println!("{}", serde_json::to_string_pretty(&request).expect("the request serialises"));

    match args.value("--server") {
        Some(server) => send(&server, args.value("--client-id"), &request, args.has("--wait")),
        None if args.has("--wait") || args.value("--client-id").is_some() => {
            fail("--client-id and --wait need --server.")
        }
        None => {}
    }
}

#[cfg(feature = "jamf-client")]
fn send(server: &str, client_id: Option<String>, request: &DeployPackageRequest, wait: bool) {
    use std::time::Duration;
    let client_id = client_id.unwrap_or_else(|| fail("--server needs --client-id."));
    let secret = std::env::var("JAMF_CLIENT_SECRET")
        .unwrap_or_else(|_| fail("set JAMF_CLIENT_SECRET to the API client's secret."));
    let client =
        apple_device_management::jamf::client::JamfClient::new(server, client_id, secret).unwrap_or_else(|e| fail(e));
    let reply = client.deploy_package(request).unwrap_or_else(|e| fail(e));
    for q in &reply.queued_commands {
        eprintln!("queued: computer {} command {}", q.device, q.command_uuid);
    }
    for e in &reply.errors {
        eprintln!("not queued: {e:?}");
    }
    if wait {
        let uuids: Vec<&str> = reply.queued_commands.iter().map(|q| q.command_uuid.as_str()).collect();
        let done = client
            .wait_for_commands(&uuids, Duration::from_secs(15), Duration::from_secs(30 * 60))
            .unwrap_or_else(|e| fail(e));
        for s in &done {
            eprintln!("command {}: {}", s.uuid, s.command_state.as_str());
        }
    }
}

#[cfg(not(feature = "jamf-client"))]
fn send(_: &str, _: Option<String>, _: &DeployPackageRequest, _: bool) {
    fail("sending needs the jamf-client feature: cargo run --features jamf-client --example deploy_package -- ...");
}
