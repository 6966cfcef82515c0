//! The crate's error type.

use crate::value::{Deviation, KeyPath};

/// Why decoding or encoding failed. Every decoding error names the key
/// path where it happened (`(root)` for the top level).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not a valid plist, or not the expected structure
    /// (a non-dictionary root, a truncated file, an empty body).
    #[error("invalid plist at {path}: {message}")]
    Plist {
        /// Where the problem is.
        path: KeyPath,
        /// What the plist parser or the schema check said.
        message: String,
    },
    /// The bytes are not valid JSON, or not the expected structure.
    #[error("invalid JSON at {path}: {message}")]
    Json {
        /// Where the problem is.
        path: KeyPath,
        /// What the JSON parser or the schema check said.
        message: String,
    },
    /// Strict decoding met a departure from the schema that lenient
    /// decoding would have kept (a value of the wrong kind, a missing
    /// required key, ...): the first one, with its key path.
    #[error("{0}")]
    Deviation(Deviation),
    /// The value cannot be written in the requested format.
    #[error("cannot encode: {message}")]
    Encode {
        /// Why.
        message: String,
    },
}

impl Error {
    /// The key path of a decoding error.
    pub fn path(&self) -> Option<&KeyPath> {
        match self {
            Error::Plist { path, .. } | Error::Json { path, .. } => Some(path),
            Error::Deviation(d) => Some(&d.path),
            Error::Encode { .. } => None,
        }
    }
}
