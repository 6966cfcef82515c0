//! Check-in messages (`mdm/checkin`): what a device sends to the check-in
//! URL (Authenticate, TokenUpdate, CheckOut, ...), one module per file, and
//! the server replies the schema describes (`GetBootstrapTokenResponse`,
//! `GetTokenResponse`).
//!
//! Each message type carries its `MessageType`: encoding writes it and
//! decoding checks it. [`AnyCheckin`] decodes any check-in by its
//! `MessageType`; an unknown one is kept whole in `AnyCheckin::Unrecognized`.
//!
//! `DeclarativeManagement` is both a check-in message and a command: the
//! check-in is [`DeclarativeManagementCheckin`], the command
//! `commands::DeclarativeManagement`.
//!
//! ```
//! use apple_device_management::checkin::AnyCheckin;
//!
//! let body = br#"<?xml version="1.0" encoding="UTF-8"?>
//! <plist version="1.0"><dict>
//!   <key>MessageType</key><string>CheckOut</string>
//!   <key>Topic</key><string>com.apple.mgmt.External.1f3a</string>
//!   <key>UDID</key><string>0000FE00-5FADB3A8F5D2E0A1</string>
//!   <key>EnrollmentID</key><string>B3E1C4D2</string>
//! </dict></plist>"#;
//! match apple_device_management::from_plist_lenient::<AnyCheckin>(body)? {
//!     AnyCheckin::CheckOut(c) => assert_eq!(c.udid.as_deref(), Some("0000FE00-5FADB3A8F5D2E0A1")),
//!     other => panic!("{other:?}"),
//! }
//! # Ok::<(), apple_device_management::Error>(())
//! ```

#![allow(clippy::doc_lazy_continuation, clippy::large_enum_variant)]

use crate::record::Record;

/// A generated check-in message type.
pub trait CheckinMessage: Record {
    /// Its `MessageType`.
    const MESSAGE_TYPE: &'static str;
    /// The server's reply, where the schema describes one (else
    /// [`crate::EmptyResponse`]).
    type Response: Record;
    /// The message's schema: availability and key tables.
    fn schema() -> &'static crate::availability::SchemaFile;
}

include!(concat!(env!("OUT_DIR"), "/checkin/mod.rs"));
