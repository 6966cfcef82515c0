//! A small blocking Jamf Pro client: API-client OAuth
//! (`POST /api/oauth/token`, client credentials) and
//! `POST /api/v1/deploy-package`.
//!
//! The bearer token is requested once and reused until shortly before it
//! expires. Secrets (the client secret, the token) never appear in `Debug`
//! output or in errors.
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
    /// A client for `server` (`https://example.jamfcloud.com`).
    pub fn new(
        server: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Result<JamfClient, ClientError> {
        let server = server.into();
        match super::url_parts(&server) {
            Ok((scheme, _)) if scheme == "http" || scheme == "https" => {}
            _ => return Err(ClientError::BadServerUrl(server)),
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
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

    /// Validates the request and sends it; 200 and 202 are success.
    pub fn deploy_package(&self, request: &DeployPackageRequest) -> Result<DeployPackageResponse, ClientError> {
        request.validate()?;
        let token = self.token()?;
        let mut resp = self
            .agent
            .post(format!("{}/api/v1/deploy-package", self.base))
            .header("Authorization", &format!("Bearer {}", token.expose()))
            .header("Accept", "application/json")
            .send_json(request)
            .map_err(Self::transport)?;
        let status = resp.status().as_u16();
        let body = resp.body_mut().read_to_string().map_err(Self::transport)?;
        match status {
            200 | 202 if body.trim().is_empty() => Ok(DeployPackageResponse {
                queued_commands: Vec::new(),
                errors: Vec::new(),
                extra: serde_json::Map::new(),
            }),
            200 | 202 => serde_json::from_str(&body).map_err(|e| ClientError::Decode(e.to_string())),
            401 => {
                // A token the server no longer accepts is not reused.
                *self.token.lock().unwrap_or_else(|e| e.into_inner()) = None;
                Err(ClientError::Unauthorized { message: server_message(&body) })
            }
            403 => {
                let message = server_message(&body);
                let deployment_disabled = message.to_lowercase().contains("not enabled");
                Err(ClientError::Forbidden { message, deployment_disabled })
            }
            400..=499 => Err(ClientError::Rejected { status, message: server_message(&body) }),
            _ => Err(ClientError::Server { status, message: server_message(&body) }),
        }
    }
}
