//! The Jamf client against a local HTTP server started by the test on
//! 127.0.0.1: token request, token reuse, the deploy call's body and
//! headers, 202, 403 with a message, and a 500.

#![cfg(feature = "jamf-client")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use apple_device_management::jamf::client::{ClientError, JamfClient};
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
    let client = JamfClient::new(&url, "client-id-1", "s3cr3t-value").unwrap();
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
    let client = JamfClient::new(&url, "id", "s3cr3t-value").unwrap();
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
    let client = JamfClient::new(&url, "id", "secret").unwrap();
    match client.deploy_package(&request()).unwrap_err() {
        ClientError::Server { status, message } => assert_eq!((status, message.as_str()), (500, "upstream exploded")),
        other => panic!("{other:?}"),
    }
    let (url, _) = serve(vec![(401, r#"{"error":"invalid_client"}"#)]);
    let client = JamfClient::new(&url, "id", "wrong-secret").unwrap();
    let err = client.deploy_package(&request()).unwrap_err();
    assert!(matches!(&err, ClientError::Token { status: 401, message } if message == "invalid_client"), "{err:?}");
    assert!(!err.to_string().contains("wrong-secret"));
}

#[test]
fn invalid_requests_are_not_sent() {
    let (url, seen) = serve(vec![]);
    let client = JamfClient::new(&url, "id", "secret").unwrap();
    let mut r = request();
    r.devices.clear();
    assert!(matches!(client.deploy_package(&r).unwrap_err(), ClientError::Invalid(_)));
    assert!(seen.lock().unwrap().is_empty());
    assert!(matches!(JamfClient::new("ftp://x", "a", "b").unwrap_err(), ClientError::BadServerUrl(_)));
}
