//! The generated availability and key tables (static data, read by
//! [`crate::availability`] and [`crate::validate`]).

#![allow(clippy::unreadable_literal, clippy::approx_constant)]

include!(concat!(env!("OUT_DIR"), "/tables.rs"));
