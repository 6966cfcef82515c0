//! Declarative device management (`declarative/`): declarations, status
//! items and the protocol messages. JSON is the wire format here.
//!
//! - [`declarations`]: one module per declaration type; a declaration on
//!   the wire is a [`Declaration<T>`] (`Type`, `Identifier`, `ServerToken`,
//!   `Payload`), and [`AnyDeclaration`] decodes any of them by `Type`;
//! - [`status`]: one module per status item, and [`status::StatusItems`],
//!   the tree a status report carries;
//! - [`protocol`]: the tokens response, the declaration-items response and
//!   the status report.
//!
//! ```
//! use apple_device_management::declarative::AnyDeclaration;
//!
//! let json = br#"{"Type": "com.apple.configuration.passcode.settings",
//!                 "Identifier": "passcode", "ServerToken": "1",
//!                 "Payload": {"MinimumLength": 8, "RequireAlphanumericPasscode": true}}"#;
//! match apple_device_management::from_json::<AnyDeclaration>(json)? {
//!     AnyDeclaration::ConfigurationPasscodeSettings(d) => {
//!         assert_eq!(d.identifier, "passcode");
//!         assert_eq!(d.payload.minimum_length, Some(8));
//!     }
//!     other => panic!("{other:?}"),
//! }
//! # Ok::<(), apple_device_management::Error>(())
//! ```

#![allow(clippy::doc_lazy_continuation, clippy::large_enum_variant)]

use serde::de::MapAccess;
use serde::ser::{SerializeMap, Serializer};

use crate::extra::Extra;
use crate::record::{Decoded, FieldValue, KeyMatch, KeySeed, Record, encode_extra, field_deviations};
use crate::value::{Deviation, KeyPath, ValueKind};

/// A generated declaration payload type.
pub trait DeclarationPayload: Record + FieldValue {
    /// Its `Type`.
    const DECLARATION_TYPE: &'static str;
    /// The declaration's schema: availability and key tables.
    fn schema() -> &'static crate::availability::SchemaFile;

    /// Decodes a whole [`Declaration`] holding this payload. Generic here;
    /// the generated declarations override it with
    /// `__document!(declaration)`, so that it is compiled once, in this
    /// crate.
    #[doc(hidden)]
    fn decode_declaration_document(
        bytes: &[u8],
        mode: crate::DecodeMode,
        json: bool,
    ) -> Result<Declaration<Self>, crate::Error> {
        crate::format::document::<Declaration<Self>>(bytes, mode, json)
    }
}

/// Declarations: one module per file of `declarative/declarations`,
/// grouped by folder (activations, assets, configurations, management,
/// credentials).
pub mod declarations {
    include!(concat!(env!("OUT_DIR"), "/declarative/declarations/mod.rs"));
}

/// Status items: one module per file of `declarative/status`, and the
/// [`StatusItems`](status::StatusItems) tree of a status report.
pub mod status {
    include!(concat!(env!("OUT_DIR"), "/declarative/status/mod.rs"));
}

/// Protocol messages: one module per file of `declarative/protocol`.
pub mod protocol {
    include!(concat!(env!("OUT_DIR"), "/declarative/protocol/mod.rs"));
}

pub use declarations::AnyDeclaration;

/// A declaration: `Type`, `Identifier`, `ServerToken` and the typed
/// `Payload`.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Declaration<T> {
    /// `Identifier`: unique among the declarations of a device.
    pub identifier: String,
    /// `ServerToken`: changes whenever the declaration changes. The schema
    /// requires it in what a device receives; servers commonly store
    /// declarations without it and add it when serving them (Fleet's and
    /// KMFDDM's declaration files have none), so it is optional here.
    pub server_token: Option<String>,
    /// `Payload`.
    pub payload: T,
    /// Other top-level keys, as received; `Type`, `Identifier` or
    /// `Payload` when absent (lenient decoding).
    pub extra: Extra,
}

impl<T: DeclarationPayload> Declaration<T> {
    /// A declaration.
    pub fn new(identifier: impl Into<String>, server_token: impl Into<String>, payload: T) -> Declaration<T> {
        Declaration {
            identifier: identifier.into(),
            server_token: Some(server_token.into()),
            payload,
            extra: Extra::new(),
        }
    }

    /// `Type`.
    pub fn declaration_type(&self) -> &'static str {
        T::DECLARATION_TYPE
    }
}

const KEYS: [&str; 4] = ["Type", "Identifier", "ServerToken", "Payload"];
const KINDS: [ValueKind; 4] = [ValueKind::String, ValueKind::String, ValueKind::String, ValueKind::Dictionary];

impl<T: DeclarationPayload> FieldValue for Declaration<T> {
    const KIND: ValueKind = ValueKind::Dictionary;

    fn view(&self) -> crate::view::View<'_> {
        crate::view::View::Map(self)
    }

    fn decode_document(bytes: &[u8], mode: crate::DecodeMode, json: bool) -> Result<Self, crate::Error> {
        T::decode_declaration_document(bytes, mode, json)
    }

    fn from_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Decoded<Self>, A::Error> {
        let mut out = Declaration::<T>::default();
        let mut seen = [false; 4];
        while let Some(key) = map.next_key_seed(KeySeed(|k: &str| KEYS.iter().position(|e| *e == k)))? {
            match key {
                KeyMatch::Known(0) => {
                    crate::record::check_tag(&mut map, KEYS[0], T::DECLARATION_TYPE)?;
                    seen[0] = true;
                }
                KeyMatch::Known(1) => {
                    crate::record::decode_req(&mut map, &mut out.identifier, &mut out.extra, KEYS[1])?;
                    seen[1] = true;
                }
                KeyMatch::Known(2) => {
                    crate::record::decode_opt(&mut map, &mut out.server_token, &mut out.extra, KEYS[2])?;
                    seen[2] = true;
                }
                KeyMatch::Known(_) => {
                    crate::record::decode_req(&mut map, &mut out.payload, &mut out.extra, KEYS[3])?;
                    seen[3] = true;
                }
                KeyMatch::Unknown(k) => {
                    out.extra.insert(k, crate::record::raw_value(&mut map)?);
                }
            }
        }
        // ServerToken (index 2) may be missing; see the field's docs.
        for (i, key) in KEYS.iter().enumerate() {
            if !seen[i] && i != 2 {
                out.extra.mark_absent(key);
            }
        }
        Ok(Decoded::Typed(out))
    }

    fn collect_deviations(&self, path: &mut KeyPath, out: &mut Vec<Deviation>) {
        crate::record::extra_deviations(&self.extra, &KEYS, &KINDS, |k| KEYS.iter().position(|x| *x == k), path, out);
        if !self.extra.is_absent(KEYS[3]) {
            field_deviations(&self.payload, KEYS[3], path, out);
        }
    }
}

/// The entries as `Serialize` writes them.
impl<T: DeclarationPayload> crate::view::MapView for Declaration<T> {
    fn count(&self) -> usize {
        self.entries().count()
    }
    fn entries(&self) -> Box<dyn Iterator<Item = (&str, crate::view::View<'_>)> + '_> {
        use crate::view::View;
        let ty = (!self.extra.is_absent(KEYS[0])).then_some((KEYS[0], View::Str(T::DECLARATION_TYPE)));
        let identifier = crate::view::view_req(&self.identifier, &self.extra, KEYS[1]).map(|v| (KEYS[1], v));
        let token = crate::view::view_opt(&self.server_token).map(|v| (KEYS[2], v));
        let payload = (!self.extra.contains_key(KEYS[3]) && !self.extra.is_absent(KEYS[3]))
            .then(|| (KEYS[3], self.payload.view()));
        Box::new(
            ty.into_iter().chain(identifier).chain(token).chain(payload).chain(crate::view::dict_entries(&self.extra)),
        )
    }
}

impl<T: DeclarationPayload> serde::Serialize for Declaration<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        if !self.extra.is_absent(KEYS[0]) {
            map.serialize_entry(KEYS[0], T::DECLARATION_TYPE)?;
        }
        crate::record::encode_req(&mut map, KEYS[1], &self.identifier, &self.extra)?;
        if let Some(token) = &self.server_token {
            map.serialize_entry(KEYS[2], token)?;
        }
        if !self.extra.contains_key(KEYS[3]) && !self.extra.is_absent(KEYS[3]) {
            map.serialize_entry(KEYS[3], &self.payload)?;
        }
        encode_extra(&mut map, &self.extra)?;
        map.end()
    }
}

impl<'de, T: DeclarationPayload> serde::Deserialize<'de> for Declaration<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::record::strict(d)
    }
}

impl<T: DeclarationPayload> crate::dispatch::UnknownKeyCount for Declaration<T> {
    fn unknown_key_count(&self) -> usize {
        self.extra.len() + self.payload.extra().len()
    }

    fn knows_key(key: &str) -> bool {
        KEYS.contains(&key)
    }
}
