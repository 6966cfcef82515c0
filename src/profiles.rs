//! Configuration profiles (`mdm/profiles`): one module per payload file,
//! the top level of a `.mobileconfig` ([`Profile`]) and [`AnyPayload`],
//! which decodes a payload by its `PayloadType`.
//!
//! A payload in a profile is a [`Payload<T>`]: the common payload keys
//! (`PayloadIdentifier`, `PayloadUUID`, `PayloadVersion`, ...), the
//! `PayloadType` and the payload-specific keys `T`, all in one dictionary.
//! A `PayloadType` this version does not know is kept whole in
//! `AnyPayload::Unrecognized`. Where several schema files share a
//! `PayloadType` (`com.apple.MCX` is described by six files,
//! `com.apple.extensiblesso` by two), every candidate is decoded and the
//! best fit is chosen: the fewest deviations (missing required keys, wrong
//! kinds, fixed single values that differ), then the fewest keys it does
//! not know, then the first in file order. An element of `PayloadContent`
//! that is not a dictionary is kept as `AnyPayload::NotADictionary` and
//! listed as a deviation; the other payloads stay typed.

#![allow(clippy::doc_lazy_continuation, clippy::large_enum_variant)]

use std::fmt;
use std::marker::PhantomData;

use serde::de::MapAccess;
use serde::ser::{SerializeMap, Serializer};

use crate::record::{Decoded, FieldValue, KeyMatch, KeySeed, Record, Seen, encode_extra, record_deviations};
use crate::value::{Deviation, KeyPath, ValueKind};

/// A generated profile payload type.
pub trait PayloadBody: Record + FieldValue {
    /// Its `PayloadType`.
    const PAYLOAD_TYPE: &'static str;
    /// The payload's schema: availability and key tables.
    fn schema() -> &'static crate::availability::SchemaFile;
}

include!(concat!(env!("OUT_DIR"), "/profiles/mod.rs"));

const PAYLOAD_TYPE: &str = "PayloadType";
const TAG: usize = usize::MAX;
const BODY: usize = 1 << 20;

/// One payload of a profile: the common payload keys, `PayloadType`, and
/// the payload-specific keys, written as one dictionary.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Payload<T> {
    /// `PayloadIdentifier`, `PayloadUUID`, `PayloadVersion`,
    /// `PayloadDisplayName`, `PayloadDescription`, `PayloadOrganization`.
    pub common: CommonPayloadKeys,
    /// The keys of this payload type.
    pub body: T,
    _type: PhantomData<fn() -> T>,
}

impl<T: PayloadBody> Payload<T> {
    /// A payload with its identifier and UUID, `PayloadVersion` 1.
    pub fn new(identifier: impl Into<String>, uuid: impl Into<String>, body: T) -> Payload<T> {
        let common = CommonPayloadKeys {
            payload_identifier: identifier.into(),
            payload_uuid: uuid.into(),
            payload_version: Some(1.into()),
            ..CommonPayloadKeys::default()
        };
        Payload { common, body, _type: PhantomData }
    }

    /// `PayloadType`.
    pub fn payload_type(&self) -> &'static str {
        T::PAYLOAD_TYPE
    }
}

/// The common keys (after `PayloadType`), then the body's.
impl<T: PayloadBody> crate::view::PairView for Payload<T> {
    fn first(&self) -> &dyn crate::view::RecordView {
        &self.common
    }
    fn tag(&self) -> &'static (&'static str, &'static str) {
        const { &(PAYLOAD_TYPE, T::PAYLOAD_TYPE) }
    }
    fn second(&self) -> &dyn crate::view::RecordView {
        &self.body
    }
}

impl<T: PayloadBody> FieldValue for Payload<T> {
    const KIND: ValueKind = ValueKind::Dictionary;
    const DEFAULT_MODE: crate::DecodeMode = crate::DecodeMode::Lenient;

    /// `PayloadType`, the common keys and their `extra`, then the body's
    /// keys and `extra`, as `Serialize` writes them.
    fn view(&self) -> crate::view::View<'_> {
        crate::view::View::Pair(self)
    }

    fn from_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Decoded<Self>, A::Error> {
        let mut out = Payload::<T>::default();
        let (mut seen_common, mut seen_body, mut seen_tag) = (Seen::default(), Seen::default(), false);
        let matcher = |k: &str| {
            if k == PAYLOAD_TYPE {
                Some(TAG)
            } else {
                CommonPayloadKeys::key_index(k).or_else(|| T::key_index(k).map(|i| i + BODY))
            }
        };
        while let Some(key) = map.next_key_seed(KeySeed(matcher))? {
            match key {
                KeyMatch::Known(TAG) => {
                    crate::record::check_tag(&mut map, PAYLOAD_TYPE, T::PAYLOAD_TYPE)?;
                    seen_tag = true;
                }
                KeyMatch::Known(i) if i >= BODY => {
                    seen_body.mark(T::REQUIRED, i - BODY);
                    out.body.decode_field(i - BODY, &mut map)?;
                }
                KeyMatch::Known(i) => {
                    seen_common.mark(CommonPayloadKeys::REQUIRED, i);
                    out.common.decode_field(i, &mut map)?;
                }
                KeyMatch::Unknown(k) => {
                    let v = crate::record::raw_value(&mut map)?;
                    out.body.extra_mut().insert(k, v);
                }
            }
        }
        if !seen_tag {
            out.common.extra_mut().mark_absent(PAYLOAD_TYPE);
        }
        seen_common.mark_absent::<CommonPayloadKeys>(out.common.extra_mut());
        seen_body.mark_absent::<T>(out.body.extra_mut());
        Ok(Decoded::Typed(out))
    }

    fn collect_deviations(&self, path: &mut KeyPath, out: &mut Vec<Deviation>) {
        // An absent PayloadType is listed with the common keys' absent keys.
        record_deviations(&self.common, path, out);
        record_deviations(&self.body, path, out);
    }
}

impl<T: PayloadBody> serde::Serialize for Payload<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        if !self.common.extra().is_absent(PAYLOAD_TYPE) {
            map.serialize_entry(PAYLOAD_TYPE, T::PAYLOAD_TYPE)?;
        }
        self.common.encode_fields(&mut map)?;
        encode_extra(&mut map, self.common.extra())?;
        self.body.encode_fields(&mut map)?;
        encode_extra(&mut map, self.body.extra())?;
        map.end()
    }
}

impl<'de, T: PayloadBody> serde::Deserialize<'de> for Payload<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::record::strict(d)
    }
}

impl<T: PayloadBody> crate::dispatch::UnknownKeyCount for Payload<T> {
    fn unknown_key_count(&self) -> usize {
        self.common.extra().len() + self.body.extra().len()
    }

    fn knows_key(key: &str) -> bool {
        key == PAYLOAD_TYPE || CommonPayloadKeys::key_index(key).is_some() || T::key_index(key).is_some()
    }
}

impl<T: PayloadBody> fmt::Display for Payload<T> {
    /// `PayloadType (PayloadIdentifier)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", T::PAYLOAD_TYPE, self.common.payload_identifier)
    }
}
