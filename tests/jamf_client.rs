//! The Jamf client against a local fake Jamf started by the test on
//! 127.0.0.1 (loopback only): token request, token reuse, the deploy call's
//! body and headers, 202, 403 with a message, a 500, http refused, a 401
//! answered by one token refresh and one retry, a timeout, and command
//! status polling.

#![cfg(feature = "jamf-client")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use apple_device_management::jamf::client::{ClientError, ClientOptions, CommandState, JamfClient};
use apple_device_management::jamf::{DeployPackageRequest, HashType, PackageManifest};

/// A request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Serves `replies` (status, body) in order, one per request, then stops.
fn serve(replies: Vec<(u16, &'static str)>) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        let mut replies = replies.into_iter();
        'conns: while let Ok((stream, _)) = listener.accept() {
            stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut out = stream;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    continue 'conns;
                }
                let mut parts = line.split_whitespace();
                let (method, path) = (parts.next().unwrap_or("").to_owned(), parts.next().unwrap_or("").to_owned());
                let mut headers = Vec::new();
                loop {
                    let mut h = String::new();
                    reader.read_line(&mut h).unwrap();
                    let h = h.trim_end();
                    if h.is_empty() {
                        break;
                    }
                    let (k, v) = h.split_once(':').unwrap();
                    headers.push((k.trim().to_owned(), v.trim().to_owned()));
                }
                let len: usize = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .map_or(0, |(_, v)| v.parse().unwrap());
                let mut body = vec![0; len];
                reader.read_exact(&mut body).unwrap();
                log.lock().unwrap().push(Seen { method, path, headers, body: String::from_utf8(body).unwrap() });
                let Some((status, reply)) = replies.next() else { return };
                let text = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{reply}",
                    reply.len()
                );
                out.write_all(text.as_bytes()).unwrap();
                out.flush().unwrap();
            }
        }
    });
    (format!("http://{addr}"), seen)
}

/// A client for the local fake server (http allowed for loopback only).
fn fake(url: &str, id: &str, secret: &str) -> JamfClient {
    JamfClient::with_options(url, id, secret, ClientOptions::default().allow_http_loopback()).unwrap()
}

const TOKEN: &str = r#"{"access_token":"tok-123","scope":"api-role:2","token_type":"Bearer","expires_in":1199}"#;
const QUEUED: &str =
    r#"{"queuedCommands":[{"device":102,"commandUuid":"c30d945d-23ff-4d6d-be25-295af24d9a92"}],"errors":[]}"#;

fn request() -> DeployPackageRequest {
    let m = PackageManifest::new(
        "https://cdn.example.com/Tool.pkg",
        "75c9ed772b6c31e705597014983a276b",
        HashType::Md5,
        "com.example.tool",
        "2.0.1",
        "Tool",
        20582383,
    );
    DeployPackageRequest::builder(m).devices([102]).build().unwrap()
}

#[test]
fn token_then_deploy_with_token_reuse() {
    let (url, seen) = serve(vec![(200, TOKEN), (202, QUEUED), (200, QUEUED)]);
    let client = fake(&url, "client-id-1", "s3cr3t-value");
    let reply = client.deploy_package(&request()).unwrap();
    assert_eq!(reply.queued_commands[0].device, 102);
    assert_eq!(reply.queued_commands[0].command_uuid, "c30d945d-23ff-4d6d-be25-295af24d9a92");
    // A second call reuses the token: no second token request.
    client.deploy_package(&request()).unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    assert_eq!((seen[0].method.as_str(), seen[0].path.as_str()), ("POST", "/api/oauth/token"));
    assert_eq!(seen[0].header("content-type"), Some("application/x-www-form-urlencoded"));
    let mut form: Vec<&str> = seen[0].body.split('&').collect();
    form.sort_unstable();
    assert_eq!(form, ["client_id=client-id-1", "client_secret=s3cr3t-value", "grant_type=client_credentials"]);
    for s in &seen[1..] {
        assert_eq!((s.method.as_str(), s.path.as_str()), ("POST", "/api/v1/deploy-package"));
        assert_eq!(s.header("authorization"), Some("Bearer tok-123"));
        assert!(s.header("content-type").is_some_and(|c| c.starts_with("application/json")), "{s:?}");
        assert_eq!(s.header("accept"), Some("application/json"));
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&s.body).unwrap(),
            serde_json::to_value(request()).unwrap()
        );
    }
    // Secrets never show in Debug.
    let debug = format!("{client:?}");
    assert!(!debug.contains("s3cr3t") && !debug.contains("tok-123"), "{debug}");
}

#[test]
fn forbidden_with_a_message() {
    let body = r#"{"httpStatus":403,"errors":[{"code":"FORBIDDEN","description":"Package Deployment is not enabled","id":"0","field":null}]}"#;
    let (url, _) = serve(vec![(200, TOKEN), (403, body)]);
    let client = fake(&url, "id", "s3cr3t-value");
    let err = client.deploy_package(&request()).unwrap_err();
    match &err {
        ClientError::Forbidden { message, deployment_disabled } => {
            assert_eq!(message, "Package Deployment is not enabled");
            assert!(*deployment_disabled);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "forbidden (HTTP 403), package deployment is not enabled: Package Deployment is not enabled"
    );
    assert!(!format!("{err:?}").contains("s3cr3t"));
}

#[test]
fn server_error_and_refused_token() {
    let (url, _) = serve(vec![(200, TOKEN), (500, "upstream exploded")]);
    let client = fake(&url, "id", "secret");
    match client.deploy_package(&request()).unwrap_err() {
        ClientError::Server { status, message } => assert_eq!((status, message.as_str()), (500, "upstream exploded")),
        other => panic!("{other:?}"),
    }
    let (url, _) = serve(vec![(401, r#"{"error":"invalid_client"}"#)]);
    let client = fake(&url, "id", "wrong-secret");
    let err = client.deploy_package(&request()).unwrap_err();
    assert!(matches!(&err, ClientError::Token { status: 401, message } if message == "invalid_client"), "{err:?}");
    assert!(!err.to_string().contains("wrong-secret"));
}

#[test]
fn invalid_requests_are_not_sent() {
    let (url, seen) = serve(vec![]);
    let client = fake(&url, "id", "secret");
    let mut r = request();
    r.devices.clear();
    assert!(matches!(client.deploy_package(&r).unwrap_err(), ClientError::Invalid(_)));
    assert!(seen.lock().unwrap().is_empty());
    assert!(matches!(JamfClient::new("ftp://x", "a", "b").unwrap_err(), ClientError::BadServerUrl(_)));
}

#[test]
fn plain_http_is_refused() {
    for url in ["http://jamf.example.com", "http://10.0.0.5:8443"] {
        let err = JamfClient::new(url, "id", "secret").unwrap_err();
        assert!(matches!(&err, ClientError::InsecureServerUrl(u) if u == url), "{err:?}");
        assert!(err.to_string().contains("unencrypted"), "{err}");
        // The loopback opt-out does not open other hosts.
        let opts = ClientOptions::default().allow_http_loopback();
        assert!(matches!(JamfClient::with_options(url, "id", "s", opts), Err(ClientError::InsecureServerUrl(_))));
    }
    // Loopback needs the explicit opt-out.
    assert!(matches!(JamfClient::new("http://127.0.0.1:9", "id", "s"), Err(ClientError::InsecureServerUrl(_))));
    for url in ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9"] {
        assert!(
            JamfClient::with_options(url, "id", "s", ClientOptions::default().allow_http_loopback()).is_ok(),
            "{url}"
        );
    }
    assert!(JamfClient::new("https://jamf.example.com", "id", "s").is_ok());
    // Credentials in the server URL are refused too.
    assert!(matches!(JamfClient::new("https://u:p@jamf.example.com", "id", "s"), Err(ClientError::BadServerUrl(_))));
}

#[test]
fn a_401_gets_one_new_token_and_one_retry() {
    const TOKEN2: &str = r#"{"access_token":"tok-456","expires_in":1199}"#;
    let (url, seen) =
        serve(vec![(200, TOKEN), (401, r#"{"errors":[{"description":"expired"}]}"#), (200, TOKEN2), (202, QUEUED)]);
    let c = fake(&url, "id", "secret");
    let reply = c.deploy_package(&request()).unwrap();
    assert_eq!(reply.queued_commands.len(), 1);
    let seen = seen.lock().unwrap().clone();
    let calls: Vec<_> = seen.iter().map(|s| (s.path.as_str(), s.header("authorization"))).collect();
    assert_eq!(
        calls,
        [
            ("/api/oauth/token", None),
            ("/api/v1/deploy-package", Some("Bearer tok-123")),
            ("/api/oauth/token", None),
            ("/api/v1/deploy-package", Some("Bearer tok-456")),
        ]
    );
    // A second 401 after the retry is an error, not a loop.
    let (url, seen) =
        serve(vec![(200, TOKEN), (401, "{}"), (200, TOKEN), (401, r#"{"errors":[{"description":"no"}]}"#)]);
    let err = fake(&url, "id", "secret").deploy_package(&request()).unwrap_err();
    assert!(matches!(&err, ClientError::Unauthorized { message } if message == "no"), "{err:?}");
    assert_eq!(seen.lock().unwrap().len(), 4);
}

#[test]
fn a_server_that_does_not_answer_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    // Accepts and never answers.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept() {
            held.push(stream);
        }
    });
    let opts = ClientOptions::default().allow_http_loopback().timeout(Duration::from_millis(300));
    let c = JamfClient::with_options(&url, "id", "secret", opts).unwrap();
    let start = std::time::Instant::now();
    let err = c.deploy_package(&request()).unwrap_err();
    assert!(matches!(err, ClientError::Transport(_)), "{err:?}");
    assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
}

const UUID_A: &str = "c30d945d-23ff-4d6d-be25-295af24d9a92";
const UUID_B: &str = "0e6a4f55-5c1f-4b3a-9d57-2f1c8e0b7a11";

#[test]
fn command_status_polling_until_acknowledged_or_error() {
    const PENDING: &str = r#"{"totalCount":2,"results":[
        {"uuid":"c30d945d-23ff-4d6d-be25-295af24d9a92","commandState":"PENDING","commandType":"INSTALL_ENTERPRISE_APPLICATION","client":{"managementId":"m-1","clientType":"COMPUTER"},"dateSent":"2026-12-03T10:00:00Z"},
        {"uuid":"0e6a4f55-5c1f-4b3a-9d57-2f1c8e0b7a11","commandState":"NOT_NOW","commandType":"INSTALL_ENTERPRISE_APPLICATION"}]}"#;
    const DONE: &str = r#"{"totalCount":2,"results":[
        {"uuid":"c30d945d-23ff-4d6d-be25-295af24d9a92","commandState":"ACKNOWLEDGED","dateCompleted":"2026-12-03T10:01:00Z","profileId":null},
        {"uuid":"0e6a4f55-5c1f-4b3a-9d57-2f1c8e0b7a11","commandState":"ERROR"}]}"#;
    let (url, seen) = serve(vec![(200, TOKEN), (200, PENDING), (200, DONE)]);
    let c = fake(&url, "id", "secret");
    let done = c.wait_for_commands(&[UUID_A, UUID_B], Duration::from_millis(10), Duration::from_secs(30)).unwrap();
    let states: Vec<_> = done.iter().map(|s| (s.uuid.as_str(), s.command_state.clone())).collect();
    assert_eq!(states, [(UUID_A, CommandState::Acknowledged), (UUID_B, CommandState::Error)]);
    assert_eq!(done[0].date_completed.as_deref(), Some("2026-12-03T10:01:00Z"));
    assert!(done[0].extra.contains_key("profileId"));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "one token, two polls");
    for s in &seen[1..] {
        assert_eq!(s.method, "GET");
        assert!(s.path.starts_with("/api/v2/mdm/commands?"), "{}", s.path);
        assert!(
            s.path.contains(&format!("filter=uuid%3Din%3D%28{UUID_A}%2C{UUID_B}%29")),
            "the filter names both commands: {}",
            s.path
        );
        assert_eq!(s.header("authorization"), Some("Bearer tok-123"));
    }
}

#[test]
fn command_status_polling_gives_up_with_the_last_states() {
    const PENDING: &str =
        r#"{"totalCount":1,"results":[{"uuid":"c30d945d-23ff-4d6d-be25-295af24d9a92","commandState":"PENDING"}]}"#;
    let (url, _) = serve(vec![(200, TOKEN), (200, PENDING), (200, PENDING), (200, PENDING), (200, PENDING)]);
    let c = fake(&url, "id", "secret");
    let err = c.wait_for_commands(&[UUID_A], Duration::from_millis(50), Duration::from_millis(120)).unwrap_err();
    match err {
        ClientError::StillPending { pending, last, .. } => {
            assert_eq!(pending, 1);
            assert_eq!(last[0].command_state, CommandState::Pending);
        }
        other => panic!("{other:?}"),
    }
    // Unknown states are kept, not refused.
    let (url, _) = serve(vec![(200, TOKEN), (200, r#"{"results":[{"uuid":"x","commandState":"CANCELED"}]}"#)]);
    let got = fake(&url, "id", "secret").command_statuses(&["x"]).unwrap();
    assert_eq!(got[0].command_state, CommandState::Unrecognized("CANCELED".into()));
    assert!(!got[0].command_state.is_final());
}
