//! The generated availability and key tables (static data, read by
//! [`crate::availability`] and `crate::validate`).
//!
//! `tables.rs` in `OUT_DIR` is data, one row per line, written with the
//! short constructors below.

#![allow(clippy::unreadable_literal, clippy::approx_constant, clippy::too_many_arguments, dead_code)]

// Without any family feature the tables hold only the pool.
#[allow(unused_imports)]
use crate::availability::{
    Behavior, Bounds, KeyEntry, KeyTable, Literal as L, OsEntry, Presence as P, SchemaFile, UnionIndex,
};
use crate::{OsVersion, ValueKind};

const fn v(major: u16, minor: u16, patch: u16) -> Option<OsVersion> {
    Some(OsVersion::new(major, minor, patch))
}

/// A resolved per-OS entry, fields in declaration order.
const fn e(
    introduced: Option<OsVersion>,
    deprecated: Option<OsVersion>,
    removed: Option<OsVersion>,
    access_rights: Option<&'static str>,
    device_channel: Option<bool>,
    user_channel: Option<bool>,
    supervised: bool,
    requires_dep: bool,
    user_approved_mdm: bool,
    allow_manual_install: Option<bool>,
    multiple: Option<bool>,
    beta: bool,
    user_enrollment: Option<Behavior>,
    user_enrollment_behavior: Option<&'static str>,
    shared_ipad: Option<Behavior>,
    shared_ipad_device_channel: Option<bool>,
    shared_ipad_user_channel: Option<bool>,
    allowed_enrollments: &'static [&'static str],
    allowed_scopes: &'static [&'static str],
    shared_ipad_allowed_scopes: Option<&'static [&'static str]>,
) -> OsEntry {
    OsEntry {
        introduced,
        deprecated,
        removed,
        access_rights,
        device_channel,
        user_channel,
        supervised,
        requires_dep,
        user_approved_mdm,
        allow_manual_install,
        multiple,
        beta,
        user_enrollment,
        user_enrollment_behavior,
        shared_ipad,
        shared_ipad_device_channel,
        shared_ipad_user_channel,
        allowed_enrollments,
        allowed_scopes,
        shared_ipad_allowed_scopes,
    }
}

/// A key row, fields in declaration order.
const fn k(
    name: &'static str,
    kind: ValueKind,
    presence: P,
    element: bool,
    os: [u16; 5],
    rangelist: &'static [L],
    range: Option<Bounds>,
    repetition: Option<Bounds>,
    format: Option<&'static str>,
    default: Option<L>,
    children: (u16, u16),
) -> KeyEntry {
    KeyEntry { name, kind, presence, element, os, rangelist, range, repetition, format, default, children }
}

/// A union's index: its variants' first row, the key that tells them
/// apart, and each value with its variant.
const fn u(first: u16, key: &'static str, values: &'static [(&'static str, u16)]) -> UnionIndex {
    UnionIndex { first, key, values }
}

include!(concat!(env!("OUT_DIR"), "/tables.rs"));
