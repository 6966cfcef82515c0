//! The `other/` files of the schema: the ManifestURL plist (an app or
//! package manifest), Setup Assistant skip keys, the machine-info body
//! of enrollment requests, password hashes, and the extensible-SSO
//! payload. One module per file.

#![allow(clippy::doc_lazy_continuation, clippy::large_enum_variant)]

include!(concat!(env!("OUT_DIR"), "/other/mod.rs"));
