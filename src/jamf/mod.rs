//! Jamf Pro's `POST /api/v1/deploy-package`, which makes Jamf send the
//! `InstallEnterpriseApplication` MDM command to Macs.
//!
//! - [`DeployPackageRequest`], [`PackageManifest`], [`DeployPackageResponse`]:
//!   the JSON body and reply, with Jamf's exact names (`displayImageUrl`,
//!   not `displayImageURL`), optional fields left out rather than sent as
//!   `null`, unknown reply fields kept;
//! - [`DeployPackageRequest::builder`]: the only way to build a request;
//!   it validates everything before anything is sent ([`ValidationError`]);
//! - [`pkg::manifest_from_pkg`]: the manifest of a real `.pkg` (identifier,
//!   version, size, MD5 or SHA-256, streamed);
//! - [`DeployPackageRequest::to_mdm_command`]: the `InstallEnterpriseApplication`
//!   command Jamf sends for it, with a typed ManifestURL manifest;
//! - `client` (feature `jamf-client`): a small blocking client.
//!
//! Traps this module handles: `hashType` is exactly `MD5` or `SHA256`
//! (Jamf's package objects spell it `SHA_256`, which deploy-package
//! rejects); `groupId` is a string, `devices` integers; 200 and 202 both
//! mean success.
//!
//! ```
//! use apple_device_management::jamf::{DeployPackageRequest, HashType, PackageManifest};
//!
//! let manifest = PackageManifest::new(
//!     "https://bucket.example.com/MyGreatInstaller.pkg",
//!     "75c9ed772b6c31e705597014983a276b",
//!     HashType::Md5,
//!     "com.company.MyGreatInstaller",
//!     "2.0.1",
//!     "MyGreatInstaller",
//!     20582383,
//! );
//! let request = DeployPackageRequest::builder(manifest).devices([102, 103]).build()?;
//! let json = serde_json::to_string(&request).unwrap();
//! assert!(json.contains(r#""hashType":"MD5""#));
//! # Ok::<(), apple_device_management::jamf::ValidationError>(())
//! ```

#[cfg(feature = "jamf-client")]
pub mod client;
pub mod pkg;
mod signature;

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::commands::InstallEnterpriseApplication;
use crate::other::ManifestUrl;
use crate::other::manifest_url::{AssetsItem, ItemsItem, Kind, Metadata, MetadataKind};

/// The digest algorithm of `manifest.hash`: `MD5` or `SHA256` on the wire,
/// exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashType {
    /// `MD5`: 32 hex digits.
    Md5,
    /// `SHA256`: 64 hex digits.
    Sha256,
}

impl HashType {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            HashType::Md5 => "MD5",
            HashType::Sha256 => "SHA256",
        }
    }

    /// The number of hex digits of a digest of this type.
    pub fn hex_len(self) -> usize {
        match self {
            HashType::Md5 => 32,
            HashType::Sha256 => 64,
        }
    }
}

impl fmt::Display for HashType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `hashType` Jamf does not accept, with the spelling it wants.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("hashType `{given}` is not accepted by deploy-package; use `{wanted}`")]
pub struct InvalidHashType {
    /// What was given.
    pub given: String,
    /// The right spelling (`MD5` or `SHA256`), or both when unclear.
    pub wanted: &'static str,
}

impl FromStr for HashType {
    type Err = InvalidHashType;
    fn from_str(s: &str) -> Result<HashType, InvalidHashType> {
        match s {
            "MD5" => Ok(HashType::Md5),
            "SHA256" => Ok(HashType::Sha256),
            _ => {
                let squashed: String =
                    s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_uppercase();
                let wanted = match squashed.as_str() {
                    "MD5" => "MD5",
                    "SHA256" => "SHA256",
                    _ => "MD5` or `SHA256",
                };
                Err(InvalidHashType { given: s.to_owned(), wanted })
            }
        }
    }
}

impl Serialize for HashType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for HashType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<HashType, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// `manifest` of a deploy-package request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PackageManifest {
    /// `url`: where the Mac downloads the package (anonymous HTTPS).
    #[serde(rename = "url")]
    pub url: String,
    /// `hash`: hex digest of the whole package file.
    #[serde(rename = "hash")]
    pub hash: String,
    /// `hashType`.
    #[serde(rename = "hashType")]
    pub hash_type: HashType,
    /// `displayImageUrl`.
    #[serde(rename = "displayImageUrl", skip_serializing_if = "Option::is_none", default)]
    pub display_image_url: Option<String>,
    /// `fullSizeImageUrl`.
    #[serde(rename = "fullSizeImageUrl", skip_serializing_if = "Option::is_none", default)]
    pub full_size_image_url: Option<String>,
    /// `bundleId`: the package identifier (reverse DNS).
    #[serde(rename = "bundleId")]
    pub bundle_id: String,
    /// `bundleVersion`: the package version.
    #[serde(rename = "bundleVersion")]
    pub bundle_version: String,
    /// `subtitle`.
    #[serde(rename = "subtitle", skip_serializing_if = "Option::is_none", default)]
    pub subtitle: Option<String>,
    /// `title`.
    #[serde(rename = "title")]
    pub title: String,
    /// `sizeInBytes`: the package file's size.
    #[serde(rename = "sizeInBytes")]
    pub size_in_bytes: u64,
}

impl PackageManifest {
    /// A manifest with the required fields (images and subtitle unset).
    pub fn new(
        url: impl Into<String>,
        hash: impl Into<String>,
        hash_type: HashType,
        bundle_id: impl Into<String>,
        bundle_version: impl Into<String>,
        title: impl Into<String>,
        size_in_bytes: u64,
    ) -> PackageManifest {
        PackageManifest {
            url: url.into(),
            hash: hash.into(),
            hash_type,
            display_image_url: None,
            full_size_image_url: None,
            bundle_id: bundle_id.into(),
            bundle_version: bundle_version.into(),
            subtitle: None,
            title: title.into(),
            size_in_bytes,
        }
    }

    /// Checks the manifest; the first problem found.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_url("url", &self.url)?;
        if !self.hash.bytes().all(|b| b.is_ascii_hexdigit()) || self.hash.is_empty() {
            return Err(ValidationError::HashNotHex(self.hash.clone()));
        }
        if self.hash.len() != self.hash_type.hex_len() {
            return Err(ValidationError::HashLength {
                hash_type: self.hash_type,
                expected: self.hash_type.hex_len(),
                found: self.hash.len(),
            });
        }
        if self.bundle_id.trim().is_empty() {
            return Err(ValidationError::EmptyBundleId);
        }
        if self.bundle_version.trim().is_empty() {
            return Err(ValidationError::EmptyBundleVersion);
        }
        if self.size_in_bytes == 0 {
            return Err(ValidationError::ZeroSize);
        }
        // Apple's ManifestURL `title`: "must be more than one character".
        if self.title.trim().chars().count() < 2 {
            return Err(ValidationError::TitleTooShort(self.title.clone()));
        }
        if let Some(s) = &self.subtitle
            && s.trim().is_empty()
        {
            return Err(ValidationError::EmptySubtitle);
        }
        if let Some(u) = &self.display_image_url {
            check_url("displayImageUrl", u)?;
        }
        if let Some(u) = &self.full_size_image_url {
            check_url("fullSizeImageUrl", u)?;
        }
        Ok(())
    }
}

/// The parts of an absolute URL this module checks: scheme, and whether
/// the authority carries user information (`user:pass@`).
pub(crate) fn url_parts(text: &str) -> Result<(String, bool), String> {
    let (scheme, rest) = text.split_once("://").ok_or("no scheme (expected https://...)")?;
    if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) {
        return Err(format!("`{scheme}` is not a URL scheme"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let has_userinfo = authority.contains('@');
    let host = authority.rsplit('@').next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') {
        return Err("no host".into());
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("white space in the URL".into());
    }
    Ok((scheme.to_ascii_lowercase(), has_userinfo))
}

fn check_url(field: &'static str, text: &str) -> Result<(), ValidationError> {
    let (scheme, credentials) = url_parts(text).map_err(|reason| ValidationError::BadUrl { field, reason })?;
    if scheme != "https" {
        return Err(ValidationError::NotHttps { field, scheme });
    }
    if credentials {
        return Err(ValidationError::UrlCredentials { field });
    }
    Ok(())
}

/// Why a deploy-package request is refused before it is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// A URL that does not parse.
    #[error("{field} is not a URL: {reason}")]
    BadUrl {
        /// The JSON field.
        field: &'static str,
        /// The parser's message.
        reason: String,
    },
    /// A URL that is not `https:` (Macs refuse plain HTTP manifests).
    #[error("{field} must be https, not {scheme}")]
    NotHttps {
        /// The JSON field.
        field: &'static str,
        /// The scheme given.
        scheme: String,
    },
    /// A URL with a user name or password in it (the download must be
    /// anonymous; credentials in a URL would be sent to every Mac).
    #[error("{field} carries credentials; the package must be downloadable anonymously")]
    UrlCredentials {
        /// The JSON field.
        field: &'static str,
    },
    /// `hash` has characters other than hex digits.
    #[error("hash `{0}` is not hexadecimal")]
    HashNotHex(String),
    /// `hash` has the wrong length for its `hashType`.
    #[error("a {hash_type} hash has {expected} hex digits, this one has {found}")]
    HashLength {
        /// The hash type.
        hash_type: HashType,
        /// Its digest length in hex digits.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// `bundleId` is empty.
    #[error("bundleId is empty")]
    EmptyBundleId,
    /// `bundleVersion` is empty.
    #[error("bundleVersion is empty")]
    EmptyBundleVersion,
    /// `sizeInBytes` is zero.
    #[error("sizeInBytes is zero")]
    ZeroSize,
    /// `title` is empty or one character (Apple's ManifestURL schema: the
    /// title "must be more than one character").
    #[error("title `{0}` is too short: Apple requires more than one character")]
    TitleTooShort(String),
    /// `subtitle` is given but empty (leave it out instead).
    #[error("subtitle is empty: leave it out instead")]
    EmptySubtitle,
    /// `groupId` is not a Jamf id: a positive integer, written in decimal
    /// (`""` would target nothing).
    #[error("groupId `{0}` is not a Jamf group id (a positive integer, e.g. \"37\")")]
    BadGroupId(String),
    /// A device id that is zero or negative (Jamf ids start at 1).
    #[error("device id {0} is not a Jamf computer id (they are positive)")]
    BadDeviceId(i64),
    /// Neither `devices` nor `groupId`.
    #[error("no target: give devices, a groupId, or both")]
    NoTargets,
    /// The same device id twice.
    #[error("device {0} is listed twice")]
    DuplicateDevice(i64),
}

/// The body of `POST /api/v1/deploy-package`. Build it with
/// [`DeployPackageRequest::builder`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeployPackageRequest {
    /// `manifest`.
    #[serde(rename = "manifest")]
    pub manifest: PackageManifest,
    /// `installAsManaged`: let the MDM server track and remove the app.
    #[serde(rename = "installAsManaged", skip_serializing_if = "Option::is_none", default)]
    pub install_as_managed: Option<bool>,
    /// `devices`: Jamf computer ids.
    #[serde(rename = "devices", skip_serializing_if = "Vec::is_empty", default)]
    pub devices: Vec<i64>,
    /// `groupId`: a static or smart computer group id (a string).
    #[serde(rename = "groupId", skip_serializing_if = "Option::is_none", default)]
    pub group_id: Option<String>,
}

/// Builds a [`DeployPackageRequest`]; [`build`](Self::build) validates it.
#[derive(Debug, Clone)]
#[must_use]
pub struct DeployPackageBuilder {
    request: DeployPackageRequest,
}

impl DeployPackageRequest {
    /// Starts a request for a manifest.
    pub fn builder(manifest: PackageManifest) -> DeployPackageBuilder {
        DeployPackageBuilder {
            request: DeployPackageRequest { manifest, install_as_managed: None, devices: Vec::new(), group_id: None },
        }
    }

    /// Checks the request; the first problem found.
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.manifest.validate()?;
        if self.devices.is_empty() && self.group_id.is_none() {
            return Err(ValidationError::NoTargets);
        }
        if let Some(g) = &self.group_id
            && !is_jamf_id(g)
        {
            return Err(ValidationError::BadGroupId(g.clone()));
        }
        if let Some(d) = self.devices.iter().find(|d| **d <= 0) {
            return Err(ValidationError::BadDeviceId(*d));
        }
        let mut seen = BTreeSet::new();
        if let Some(d) = self.devices.iter().find(|d| !seen.insert(**d)) {
            return Err(ValidationError::DuplicateDevice(*d));
        }
        Ok(())
    }

    /// The `InstallEnterpriseApplication` command Jamf sends for this
    /// request: a `Manifest` in the ManifestURL format (one item, the
    /// package asset with its whole-file digest, the images, the metadata)
    /// and `InstallAsManaged`.
    pub fn to_mdm_command(&self, command_uuid: impl Into<String>) -> crate::Command<InstallEnterpriseApplication> {
        let mut cmd = InstallEnterpriseApplication::default();
        let manifest = self.manifest_url();
        cmd.manifest = crate::to_plist_value(&manifest).ok().and_then(plist::Value::into_dictionary);
        cmd.install_as_managed = self.install_as_managed;
        crate::Command::new(command_uuid, cmd)
    }

    /// The manifest as Apple's ManifestURL document, with the whole-file
    /// digest (`md5-size` is the file size, `md5s` one digest).
    pub fn manifest_url(&self) -> ManifestUrl {
        self.manifest_url_with(None)
    }

    /// The manifest as Apple's ManifestURL document with per-chunk digests
    /// ([`pkg::InspectOptions::chunks`]) instead of one whole-file digest:
    /// `md5-size`/`sha256-size` is the chunk size and `md5s`/`sha256s` the
    /// digest of each chunk, as Apple's manifest allows for large packages.
    pub fn manifest_url_chunked(&self, chunks: &pkg::ChunkDigests) -> ManifestUrl {
        self.manifest_url_with(Some(chunks))
    }

    fn manifest_url_with(&self, chunks: Option<&pkg::ChunkDigests>) -> ManifestUrl {
        let m = &self.manifest;
        let size = i64::try_from(m.size_in_bytes).unwrap_or(i64::MAX);
        let (hash_type, piece, hashes) = match chunks {
            Some(c) => (c.hash_type, i64::try_from(c.chunk_size).unwrap_or(i64::MAX), c.hashes.clone()),
            None => (m.hash_type, size, vec![m.hash.to_lowercase()]),
        };
        let (md5_size, md5s, sha256_size, sha256s) = match hash_type {
            HashType::Md5 => (Some(piece), Some(hashes), None, None),
            HashType::Sha256 => (None, None, Some(piece), Some(hashes)),
        };
        let package = AssetsItem {
            kind: Kind::SoftwarePackage,
            url: m.url.clone(),
            md5_size,
            md5s,
            sha256_size,
            sha256s,
            ..AssetsItem::default()
        };
        let mut assets = vec![package];
        for (kind, url) in [(Kind::DisplayImage, &m.display_image_url), (Kind::FullSizeImage, &m.full_size_image_url)] {
            if let Some(url) = url {
                assets.push(AssetsItem { kind, url: url.clone(), ..AssetsItem::default() });
            }
        }
        let metadata = Metadata {
            bundle_identifier: m.bundle_id.clone(),
            bundle_version: Some(m.bundle_version.clone()),
            kind: MetadataKind::Software,
            title: m.title.clone(),
            subtitle: m.subtitle.clone(),
            size_in_bytes: Some(size),
            ..Metadata::default()
        };
        ManifestUrl { items: vec![ItemsItem { assets, metadata, ..ItemsItem::default() }], ..ManifestUrl::default() }
    }
}

impl DeployPackageBuilder {
    /// Targets these Jamf computer ids (added to any given before).
    pub fn devices(mut self, ids: impl IntoIterator<Item = i64>) -> Self {
        self.request.devices.extend(ids);
        self
    }

    /// Targets a computer group by id.
    pub fn group(mut self, id: impl Into<String>) -> Self {
        self.request.group_id = Some(id.into());
        self
    }

    /// Sets `installAsManaged`.
    pub fn install_as_managed(mut self, managed: bool) -> Self {
        self.request.install_as_managed = Some(managed);
        self
    }

    /// Validates and returns the request.
    pub fn build(self) -> Result<DeployPackageRequest, ValidationError> {
        self.request.validate()?;
        Ok(self.request)
    }
}

/// A positive decimal integer without sign or leading zeros, as Jamf
/// writes ids.
fn is_jamf_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 19
        && text.bytes().all(|b| b.is_ascii_digit())
        && !text.starts_with('0')
        && text.parse::<i64>().is_ok()
}

/// `null` read as an empty list (Jamf sends `"errors": null`).
fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

/// A Jamf id that the API sends as a number or as a string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum JamfId {
    /// A numeric id.
    Number(i64),
    /// A string id.
    Text(String),
}

impl JamfId {
    /// The id as a number: a `Number`, or a `Text` that is a decimal integer.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            JamfId::Number(n) => Some(*n),
            JamfId::Text(t) => t.trim().parse().ok(),
        }
    }
}

impl fmt::Display for JamfId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JamfId::Number(n) => write!(f, "{n}"),
            JamfId::Text(t) => f.write_str(t),
        }
    }
}

impl PartialEq<i64> for JamfId {
    fn eq(&self, other: &i64) -> bool {
        self.as_i64() == Some(*other)
    }
}

/// One command Jamf queued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct QueuedCommand {
    /// `device`: the Jamf computer id (a number, or a string holding one:
    /// Jamf sends both).
    #[serde(rename = "device")]
    pub device: JamfId,
    /// `commandUuid`: the MDM command's UUID.
    #[serde(rename = "commandUuid")]
    pub command_uuid: String,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// One device or group Jamf could not queue the command for. Jamf does
/// not document its shape in detail: every field is optional and unknown
/// ones are kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeployError {
    /// `device`.
    #[serde(rename = "device", skip_serializing_if = "Option::is_none", default)]
    pub device: Option<JamfId>,
    /// `group`.
    #[serde(rename = "group", skip_serializing_if = "Option::is_none", default)]
    pub group: Option<JamfId>,
    /// `reason`.
    #[serde(rename = "reason", skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The reply to deploy-package (HTTP 200 or 202).
///
/// (`serde(flatten)` is safe here: this is JSON only; the plist problem
/// with flatten, rust-plist#135, does not apply.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeployPackageResponse {
    /// `queuedCommands`.
    #[serde(rename = "queuedCommands", default, deserialize_with = "null_as_empty")]
    pub queued_commands: Vec<QueuedCommand>,
    /// `errors` (`null` or absent: none).
    #[serde(rename = "errors", default, deserialize_with = "null_as_empty")]
    pub errors: Vec<DeployError>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}
