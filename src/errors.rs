//! Error bodies (`mdm/errors`): what a server returns, as JSON, when it
//! refuses an enrollment or a request (a software update is required, the
//! device is unknown...). One module per file; [`AnyError`] decodes any of
//! them by its `code`.

#![allow(clippy::doc_lazy_continuation, clippy::large_enum_variant)]

use crate::record::Record;

/// A generated error body type.
pub trait ErrorBody: Record {
    /// Its `code`.
    const CODE: &'static str;
    /// The error's schema: availability and key tables.
    fn schema() -> &'static crate::availability::SchemaFile;
}

include!(concat!(env!("OUT_DIR"), "/errors/mod.rs"));
