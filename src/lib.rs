//! Apple's device-management (MDM) schema as typed, documented Rust.
//!
//! Apple publishes the MDM protocol as YAML
//! ([apple/device-management](https://github.com/apple/device-management)).
//! This crate's `build.rs` reads that YAML and generates Rust types for it;
//! the rest is a small hand-written runtime.
//!
//! # Module map
//!
//! | module | what | made how |
//! |---|---|---|
//! | `commands` | every MDM command: request, response, value enums (feature `commands`) | generated from `mdm/commands/*.yaml` |
//! | `checkin` | check-in messages and server replies (feature `checkin`) | generated from `mdm/checkin/*.yaml` |
//! | `errors` | error bodies (feature `errors`) | generated from `mdm/errors/*.yaml` |
//! | `profiles` | configuration profiles and payloads (feature `profiles`) | generated from `mdm/profiles/*.yaml` |
//! | `declarative` | declarations, status items, protocol (feature `declarative`) | generated from `declarative/**/*.yaml` |
//! | `other` | ManifestURL, skip keys, ... (feature `other`) | generated from `other/*.yaml` |
//! | [`Command`], [`CommandResponse`] | the envelope the schema leaves out | hand-written (`src/envelope.rs`) |
//! | [`from_plist`], [`to_plist_xml`], [`from_json`], ... | formats, strict and lenient decoding | hand-written (`src/format.rs`) |
//! | [`availability`] | is a command or key usable on a [`Target`] (OS, version, channel, enrollment...) | checker hand-written, tables generated |
//! | [`validate`] | check a typed or untyped command for a target before sending it | hand-written, reads the tables |
//! | [`report`] | Markdown of the keys an OS version supports, and what changed | hand-written |
//! | [`ManagementFlags`] | flag fields typed as bitflags | hand-written (`src/flags.rs`), chosen by `codegen/src/overrides.rs` |
//! | [`Data`], [`KeyPath`], [`Deviation`], [`ValueKind`] | value-level types | hand-written (`src/value.rs`) |
//! | [`SCHEMA_RELEASE`], [`SCHEMA_COMMIT`] | which schema the types come from | generated |
//!
//! # Example
//!
//! ```
//! use apple_device_management::commands::{InstallApplication, InstallApplicationResponse};
//! use apple_device_management::{Command, CommandResponse, ManagementFlags};
//!
//! let mut app = InstallApplication::default();
//! app.itunes_store_id = Some(361309726);
//! app.management_flags = Some(ManagementFlags::REMOVE_APP_WITH_MDM_PROFILE);
//! let xml = apple_device_management::to_plist_xml(&Command::new("0001", app))?;
//! assert!(xml.contains("<key>iTunesStoreID</key>"));
//!
//! let reply = br#"<?xml version="1.0" encoding="UTF-8"?>
//! <plist version="1.0"><dict>
//!   <key>CommandUUID</key><string>0001</string>
//!   <key>Status</key><string>Acknowledged</string>
//!   <key>UDID</key><string>00008030-000A1C2E0C38802E</string>
//!   <key>Identifier</key><string>com.example.app</string>
//!   <key>State</key><string>Installing</string>
//! </dict></plist>"#;
//! let resp: CommandResponse<InstallApplicationResponse> = apple_device_management::from_plist(reply)?;
//! assert!(resp.is_acknowledged());
//! # Ok::<(), apple_device_management::Error>(())
//! ```
//!
//! # Unknown keys and values
//!
//! Apple adds keys and values every release. Every generated struct keeps
//! keys it does not know in its `extra` dictionary and writes them back;
//! every value enum has an `Unrecognized` variant holding the raw value.
//! Decoding never fails on either.

#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod availability;
mod buffered;
#[cfg(feature = "checkin")]
pub mod checkin;
#[cfg(feature = "commands")]
pub mod commands;
#[cfg(feature = "declarative")]
pub mod declarative;
mod dispatch;
mod envelope;
mod error;
#[cfg(feature = "errors")]
pub mod errors;
mod extra;
mod flags;
mod format;
#[cfg(feature = "jamf")]
pub mod jamf;
mod node;
mod open_enum;
#[cfg(feature = "other")]
pub mod other;
mod plist_read;
mod plist_write;
#[cfg(feature = "profiles")]
pub mod profiles;
mod record;
#[cfg(feature = "commands")]
pub mod report;
#[cfg(feature = "cms")]
pub mod signed;
mod tables;
#[cfg(feature = "commands")]
pub mod validate;
mod value;
mod view;

pub use availability::{Channel, Enrollment, OsVersion, Platform, Target};

/// The schema directory this build was generated from (for tools that
/// read the YAML's prose, such as the CLI's `explain`). Not API.
#[doc(hidden)]
pub const SCHEMA_DIR: &str = env!("APPLE_DM_SCHEMA_DIR");
pub use envelope::{
    Command, CommandPayload, CommandResponse, CommandStatus, EmptyResponse, ErrorChainItem, RESPONSE_ENVELOPE_KEYS,
    RawResponse, Request, ResponseBody,
};
pub use error::Error;
pub use extra::Extra;
pub use flags::ManagementFlags;
pub use format::{
    DecodeMode, deviations, from_json, from_json_lenient, from_json_serde, from_json_strict, from_json_with,
    from_plist, from_plist_lenient, from_plist_serde, from_plist_strict, from_plist_with, normalize_xml, plist_to_json,
    to_json, to_json_value, to_plist_binary, to_plist_value, to_plist_xml,
};
pub use record::{FieldValue, Record};
pub use value::{Data, Deviation, DeviationKind, KeyPath, PathSegment, ValueKind};

include!(concat!(env!("OUT_DIR"), "/schema_info.rs"));

/// Re-exports for generated code and macros; not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::buffered::{Head, decode_head, decode_head_tagged, finish_head, read_head, speculate};
    pub use crate::dispatch::{
        Candidate, Candidates, Fit, UnknownKeyCount, candidate_error, candidate_from_value, choose, decode_candidate,
        lower_bound, tag_of,
    };
    pub use crate::format::{PlistDecoder, document, with_plist_decoder};
    pub use crate::plist_read::token_count;
    pub use crate::record::{
        Decoded, FieldValue, Record, Tag, decode_opt, decode_record, decode_req, encode_extra, encode_opt, encode_req,
        field_deviations, fixed_value_deviation, raw_value, record_deviations, serialize_record, strict,
    };
    pub use crate::view::{View, view_opt, view_req, view_tag};
}

/// The README's Rust examples, compiled and run as doctests (with every
/// feature on, as CI runs them), so that they cannot go stale.
#[cfg(all(doctest, feature = "full"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
