//! A small blocking Jamf Pro client: API-client OAuth
//! (`POST /api/oauth/token`, client credentials),
//! `POST /api/v1/deploy-package`, and the status of the commands it queued
//! (`GET /api/v2/mdm/commands`).
//!
//! - **HTTPS only**: an `http://` server is refused, since the client
//!   secret and the token would cross the network in clear; a test server
//!   on this machine can be allowed with [`ClientOptions::allow_http_loopback`].
//! - The bearer token is requested once and reused until shortly before it
//!   expires; a 401 with a cached token gets one new token and one retry.
//! - Each HTTP call is bounded by [`ClientOptions::timeout`] (60 s by
//!   default).
//! - Secrets (the client secret, the token) never appear in `Debug` output
//!   or in errors.
//! - Jamf's Platform API (the regional gateway) is not supported: its
//!   documentation (a private beta) describes neither a deploy-package path
//!   nor its headers, so this client talks to the Jamf Pro server itself.
//!
//! ```no_run
//! use apple_device_management::jamf::client::JamfClient;
//! # fn request() -> apple_device_management::jamf::DeployPackageRequest { unimplemented!() }
//!
//! let client = JamfClient::new("https://example.jamfcloud.com", "client-id", "client-secret")?;
//! let reply = client.deploy_package(&request())?;
//! for q in &reply.queued_commands {
//!     println!("computer {} gets command {}", q.device, q.command_uuid);
//! }
//! // Wait for the Macs to answer (or give up after ten minutes).
//! let uuids: Vec<&str> = reply.queued_commands.iter().map(|q| q.command_uuid.as_str()).collect();
//! let done = client.wait_for_commands(&uuids, std::time::Duration::from_secs(15), std::time::Duration::from_secs(600))?;
//! for c in &done {
//!     println!("{}: {:?}", c.uuid, c.command_state);
//! }
//! # Ok::<(), apple_device_management::jamf::client::ClientError>(())
//! ```

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{DeployPackageRequest, DeployPackageResponse, ValidationError};

/// A secret that prints as `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server URL is not an http(s) URL.
    #[error("server URL `{0}` is not an http(s) URL")]
    BadServerUrl(String),
    /// The server URL is `http://`: the client secret would be sent
    /// unencrypted.
    #[error(
        "server URL `{0}` is not https: the client secret would cross the network unencrypted (a test server on \
         this machine can be allowed with ClientOptions::allow_http_loopback)"
    )]
    InsecureServerUrl(String),
    /// The commands did not all finish within the time given.
    #[error("{pending} of the commands still pending after {waited:?}")]
    StillPending {
        /// How many had not finished.
        pending: usize,
        /// How long was waited.
        waited: Duration,
        /// The last statuses seen.
        last: Vec<CommandStatus>,
    },
    /// The request did not pass validation (nothing was sent).
    #[error("invalid request: {0}")]
    Invalid(#[from] ValidationError),
    /// The server could not be reached, or the connection broke.
    #[error("cannot reach the Jamf Pro server: {0}")]
    Transport(String),
    /// The token request was refused.
    #[error("the token request was refused (HTTP {status}): {message}")]
    Token {
        /// HTTP status.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// 401: the token is missing, expired or invalid.
    #[error("unauthorized (HTTP 401): {message}")]
    Unauthorized {
        /// The server's message.
        message: String,
    },
    /// 403: the API client lacks a privilege, or package deployment is not
    /// enabled on the server (Jamf Support enables it).
    #[error("forbidden (HTTP 403){}: {message}", if *deployment_disabled { ", package deployment is not enabled" } else { "" })]
    Forbidden {
        /// The server's message.
        message: String,
        /// The message says package deployment is not enabled.
        deployment_disabled: bool,
    },
    /// Another 4xx: the server rejected the request.
    #[error("rejected (HTTP {status}): {message}")]
    Rejected {
        /// HTTP status.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// A 5xx.
    #[error("server error (HTTP {status}): {message}")]
    Server {
        /// HTTP status.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// A success whose body is not the documented JSON.
    #[error("unexpected reply body: {0}")]
    Decode(String),
}

struct Token {
    value: Secret,
    expires: Instant,
}

/// How a [`JamfClient`] connects.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientOptions {
    /// The bound on each HTTP call (connect, send, read the reply).
    pub timeout: Duration,
    /// Allow `http://` for a server on this machine only (`localhost`,
    /// `127.0.0.0/8`, `::1`): for tests against a local fake server.
    pub allow_http_loopback: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions { timeout: Duration::from_secs(60), allow_http_loopback: false }
    }
}

impl ClientOptions {
    /// Sets the timeout of each HTTP call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Allows `http://` to a server on this machine.
    pub fn allow_http_loopback(mut self) -> Self {
        self.allow_http_loopback = true;
        self
    }
}

/// The state of an MDM command in Jamf (`commandState`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CommandState {
    /// Queued, not yet answered.
    Pending,
    /// The device acknowledged it (for an install: the install started or
    /// finished; see the device's installed apps for the result).
    Acknowledged,
    /// The device answered NotNow; Jamf will send it again.
    NotNow,
    /// The device answered Error.
    Error,
    /// A state this version does not know.
    Unrecognized(String),
}

impl CommandState {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            CommandState::Pending => "PENDING",
            CommandState::Acknowledged => "ACKNOWLEDGED",
            CommandState::NotNow => "NOT_NOW",
            CommandState::Error => "ERROR",
            CommandState::Unrecognized(s) => s,
        }
    }

    /// Acknowledged or Error: the device has given its answer.
    pub fn is_final(&self) -> bool {
        matches!(self, CommandState::Acknowledged | CommandState::Error)
    }
}

impl<'de> serde::Deserialize<'de> for CommandState {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.as_str() {
            "PENDING" => CommandState::Pending,
            "ACKNOWLEDGED" => CommandState::Acknowledged,
            "NOT_NOW" => CommandState::NotNow,
            "ERROR" => CommandState::Error,
            _ => CommandState::Unrecognized(s),
        })
    }
}

impl serde::Serialize for CommandState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One command's status from `GET /api/v2/mdm/commands`. Unknown fields
/// are kept.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct CommandStatus {
    /// `uuid`: the CommandUUID.
    #[serde(rename = "uuid")]
    pub uuid: String,
    /// `commandState`.
    #[serde(rename = "commandState")]
    pub command_state: CommandState,
    /// `commandType` (`INSTALL_ENTERPRISE_APPLICATION`, ...).
    #[serde(rename = "commandType", default, skip_serializing_if = "Option::is_none")]
    pub command_type: Option<String>,
    /// `dateSent`.
    #[serde(rename = "dateSent", default, skip_serializing_if = "Option::is_none")]
    pub date_sent: Option<String>,
    /// `dateCompleted`.
    #[serde(rename = "dateCompleted", default, skip_serializing_if = "Option::is_none")]
    pub date_completed: Option<String>,
    /// `client`: `managementId` and `clientType`.
    #[serde(rename = "client", default, skip_serializing_if = "Option::is_none")]
    pub client: Option<serde_json::Value>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(serde::Deserialize)]
struct CommandPage {
    #[serde(rename = "totalCount", default)]
    total_count: Option<u64>,
    #[serde(rename = "results", default)]
    results: Option<Vec<CommandStatus>>,
}

/// A host that is this machine.
fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let host = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or_default()
    };
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Percent-encodes a query parameter value.
fn encode_query(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A Jamf Pro API client using API-client credentials.
pub struct JamfClient {
    base: String,
    client_id: String,
    client_secret: Secret,
    agent: ureq::Agent,
    token: Mutex<Option<Token>>,
}

impl fmt::Debug for JamfClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JamfClient")
            .field("base", &self.base)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .finish_non_exhaustive()
    }
}

/// A token is renewed this long before Jamf says it expires.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

/// The server's message from an error body: Jamf's
/// `{"errors":[{"description": ...}]}`, else the text (truncated).
fn server_message(body: &str) -> String {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(body) {
        let descriptions: Vec<&str> = v
            .get("errors")
            .and_then(|e| e.as_array())
            .map(|errors| errors.iter().filter_map(|e| e.get("description").and_then(|d| d.as_str())).collect())
            .unwrap_or_default();
        if !descriptions.is_empty() {
            return descriptions.join("; ");
        }
        for key in ["error_description", "message", "error"] {
            if let Some(m) = v.get(key).and_then(|m| m.as_str()) {
                return m.to_owned();
            }
        }
    }
    let text = body.trim();
    if text.is_empty() { "(no message)".to_owned() } else { text.chars().take(500).collect() }
}

impl JamfClient {
    /// A client for `server` (`https://example.jamfcloud.com`), with the
    /// default options (HTTPS only, 60 s per call).
    pub fn new(
        server: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Result<JamfClient, ClientError> {
        Self::with_options(server, client_id, client_secret, ClientOptions::default())
    }

    /// A client with options (timeout, `http://` to this machine).
    pub fn with_options(
        server: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        options: ClientOptions,
    ) -> Result<JamfClient, ClientError> {
        let server = server.into();
        match super::url_parts(&server) {
            Ok((scheme, false)) if scheme == "https" => {}
            Ok((scheme, false)) if scheme == "http" => {
                if !(options.allow_http_loopback && is_loopback(&server)) {
                    return Err(ClientError::InsecureServerUrl(server));
                }
            }
            _ => return Err(ClientError::BadServerUrl(server)),
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(options.timeout))
            .build()
            .into();
        Ok(JamfClient {
            base: server.trim_end_matches('/').to_owned(),
            client_id: client_id.into(),
            client_secret: Secret::new(client_secret),
            agent,
            token: Mutex::new(None),
        })
    }

    fn transport(e: ureq::Error) -> ClientError {
        ClientError::Transport(e.to_string())
    }

    /// The bearer token: the cached one while it is valid, else a new one.
    fn token(&self) -> Result<Secret, ClientError> {
        let mut cached = self.token.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = cached.as_ref()
            && Instant::now() + EXPIRY_MARGIN < t.expires
        {
            return Ok(t.value.clone());
        }
        let mut resp = self
            .agent
            .post(format!("{}/api/oauth/token", self.base))
            .header("Accept", "application/json")
            .send_form([
                ("grant_type", "client_credentials"),
                ("client_id", self.client_id.as_str()),
                ("client_secret", self.client_secret.expose()),
            ])
            .map_err(Self::transport)?;
        let status = resp.status().as_u16();
        let body = resp.body_mut().read_to_string().map_err(Self::transport)?;
        if status != 200 {
            return Err(ClientError::Token { status, message: server_message(&body) });
        }
        #[derive(serde::Deserialize)]
        struct TokenReply {
            access_token: String,
            #[serde(default)]
            expires_in: Option<u64>,
        }
        let reply: TokenReply =
            serde_json::from_str(&body).map_err(|e| ClientError::Decode(format!("token reply: {e}")))?;
        let value = Secret::new(reply.access_token);
        let lifetime = Duration::from_secs(reply.expires_in.unwrap_or(60));
        *cached = Some(Token { value: value.clone(), expires: Instant::now() + lifetime });
        Ok(value)
    }

    /// Forgets the cached token (after the server refused it).
    fn drop_token(&self) {
        *self.token.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Sends one authorized call; on a 401 gets one new token and tries
    /// once more. Returns the status and body.
    fn authorized(
        &self,
        call: &dyn Fn(&Secret) -> Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<(u16, String), ClientError> {
        let mut retried = false;
        loop {
            let token = self.token()?;
            let mut resp = call(&token).map_err(Self::transport)?;
            let status = resp.status().as_u16();
            let body = resp.body_mut().read_to_string().map_err(Self::transport)?;
            if status == 401 {
                // A token the server no longer accepts is not reused.
                self.drop_token();
                if !retried {
                    retried = true;
                    continue;
                }
                return Err(ClientError::Unauthorized { message: server_message(&body) });
            }
            return Ok((status, body));
        }
    }

    /// The error for a status that is not success.
    fn failure(status: u16, body: &str) -> ClientError {
        match status {
            403 => {
                let message = server_message(body);
                let deployment_disabled = message.to_lowercase().contains("not enabled");
                ClientError::Forbidden { message, deployment_disabled }
            }
            400..=499 => ClientError::Rejected { status, message: server_message(body) },
            _ => ClientError::Server { status, message: server_message(body) },
        }
    }

    /// Validates the request and sends it; 200 and 202 are success.
    pub fn deploy_package(&self, request: &DeployPackageRequest) -> Result<DeployPackageResponse, ClientError> {
        request.validate()?;
        let url = format!("{}/api/v1/deploy-package", self.base);
        let (status, body) = self.authorized(&|token| {
            self.agent
                .post(&url)
                .header("Authorization", &format!("Bearer {}", token.expose()))
                .header("Accept", "application/json")
                .send_json(request)
        })?;
        match status {
            200 | 202 if body.trim().is_empty() => Ok(DeployPackageResponse {
                queued_commands: Vec::new(),
                errors: Vec::new(),
                extra: serde_json::Map::new(),
            }),
            200 | 202 => serde_json::from_str(&body).map_err(|e| ClientError::Decode(e.to_string())),
            _ => Err(Self::failure(status, &body)),
        }
    }

    /// The status of these commands (`GET /api/v2/mdm/commands`, filtered
    /// by `uuid=in=(...)`, every page). Commands Jamf does not list are
    /// left out.
    pub fn command_statuses(&self, uuids: &[&str]) -> Result<Vec<CommandStatus>, ClientError> {
        if uuids.is_empty() {
            return Ok(Vec::new());
        }
        let filter = format!("uuid=in=({})", uuids.join(","));
        let mut out = Vec::new();
        for page in 0.. {
            let url =
                format!("{}/api/v2/mdm/commands?page={page}&page-size=100&filter={}", self.base, encode_query(&filter));
            let (status, body) = self.authorized(&|token| {
                self.agent
                    .get(&url)
                    .header("Authorization", &format!("Bearer {}", token.expose()))
                    .header("Accept", "application/json")
                    .call()
            })?;
            if status != 200 {
                return Err(Self::failure(status, &body));
            }
            let page: CommandPage =
                serde_json::from_str(&body).map_err(|e| ClientError::Decode(format!("command statuses: {e}")))?;
            let results = page.results.unwrap_or_default();
            let got = results.len();
            out.extend(results);
            let total = page.total_count.map_or(out.len(), |t| t as usize);
            if got == 0 || out.len() >= total {
                break;
            }
        }
        Ok(out)
    }

    /// Polls [`command_statuses`](Self::command_statuses) every `interval`
    /// until every command is Acknowledged or Error, or `timeout` has
    /// passed ([`ClientError::StillPending`] with the last statuses seen).
    pub fn wait_for_commands(
        &self,
        uuids: &[&str],
        interval: Duration,
        timeout: Duration,
    ) -> Result<Vec<CommandStatus>, ClientError> {
        let start = Instant::now();
        loop {
            let statuses = self.command_statuses(uuids)?;
            let finished =
                |u: &&str| statuses.iter().any(|s| s.uuid.eq_ignore_ascii_case(u) && s.command_state.is_final());
            let pending = uuids.iter().filter(|u| !finished(u)).count();
            if pending == 0 {
                return Ok(statuses);
            }
            if start.elapsed() + interval > timeout {
                return Err(ClientError::StillPending { pending, waited: start.elapsed(), last: statuses });
            }
            std::thread::sleep(interval);
        }
    }
}
