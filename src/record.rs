//! The machinery behind every generated type.
//!
//! Generated structs implement [`Record`]: a table of their wire keys and a
//! `match` from key index to field. One generic visitor
//! ([`decode_record`]) drives decoding for all of them, so the generated
//! code stays small and the hot loop is written (and optimised) once.
//!
//! Every field decodes *leniently* through [`FieldValue`]: a value whose
//! kind contradicts the schema is not an error; it stays raw in the
//! record's `extra` dictionary (and the typed field stays empty), so it is
//! written back unchanged and can be listed as a [`Deviation`]. Strict
//! decoding ([`crate::from_plist`]) is lenient decoding plus "no
//! deviations". Unknown keys go to `extra` too. No `serde(flatten)` is
//! involved (it mis-serialises `Option` in plist, rust-plist#135).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};
use serde::ser::{self, SerializeMap, Serializer};

use crate::extra::{Extra, InnerMismatch};
use crate::value::{Data, Deviation, KeyPath, ValueKind};

/// The plist crate enters "plist value" mode for this newtype name; in that
/// mode `<date>` and UIDs are told apart from strings and integers. Other
/// formats treat the newtype as transparent.
pub(crate) const PLIST_VALUE: &str = "PLIST-VALUE";
pub(crate) const PLIST_DATE: &str = "PLIST-DATE";
pub(crate) const PLIST_UID: &str = "PLIST-UID";

/// The outcome of decoding one field.
#[derive(Debug)]
pub enum Decoded<T> {
    /// The value had the expected kind.
    Typed(T),
    /// The value had another kind; here it is, untouched.
    Mismatch(plist::Value),
    /// An array or dictionary kept whole because one of its elements had
    /// another kind; the box says which element.
    #[doc(hidden)]
    MismatchIn(plist::Value, Box<InnerMismatch>),
}

impl<T> Decoded<T> {
    /// The raw value of a mismatch, and where inside it the culprit is.
    fn into_mismatch(self) -> Option<(plist::Value, Option<Box<InnerMismatch>>)> {
        match self {
            Decoded::Typed(_) => None,
            Decoded::Mismatch(v) => Some((v, None)),
            Decoded::MismatchIn(v, inner) => Some((v, Some(inner))),
        }
    }
}

/// The culprit of a mismatch one level down: element `at` of a container
/// whose elements are `expected`.
fn inner_at(
    at: crate::value::PathSegment,
    expected: ValueKind,
    below: Option<Box<InnerMismatch>>,
) -> Box<InnerMismatch> {
    match below {
        Some(mut inner) => {
            inner.path.0.insert(0, at);
            inner
        }
        None => Box::new(InnerMismatch { path: KeyPath::from_iter([at]), expected }),
    }
}

/// A type that a generated field can hold.
///
/// Each `from_*` method accepts one wire kind; the defaults reject it,
/// which turns the value into a [`Decoded::Mismatch`].
pub trait FieldValue: ser::Serialize + Sized {
    /// The kind the schema expects.
    const KIND: ValueKind;

    /// How [`crate::from_plist`] and [`crate::from_json`] decode this type
    /// as a whole message: leniently for what devices send (responses,
    /// check-ins, status reports, profiles), strictly for what servers
    /// build (commands, declarations).
    const DEFAULT_MODE: crate::DecodeMode = crate::DecodeMode::Strict;

    #[doc(hidden)]
    fn from_bool(_: bool) -> Option<Self> {
        None
    }
    #[doc(hidden)]
    fn from_i64(_: i64) -> Option<Self> {
        None
    }
    #[doc(hidden)]
    fn from_u64(v: u64) -> Option<Self> {
        i64::try_from(v).ok().and_then(Self::from_i64)
    }
    #[doc(hidden)]
    fn from_f64(_: f64) -> Option<Self> {
        None
    }
    #[doc(hidden)]
    fn from_str(_: &str) -> Option<Self> {
        None
    }
    #[doc(hidden)]
    fn from_string(v: String) -> Result<Self, String> {
        Self::from_str(&v).ok_or(v)
    }
    #[doc(hidden)]
    fn from_bytes(_: Vec<u8>) -> Option<Self> {
        None
    }
    #[doc(hidden)]
    fn from_date(_: plist::Date) -> Option<Self> {
        None
    }
    #[doc(hidden)]
    fn from_seq<'de, A: SeqAccess<'de>>(seq: A) -> Result<Decoded<Self>, A::Error> {
        raw_seq(seq).map(Decoded::Mismatch)
    }
    #[doc(hidden)]
    fn from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Decoded<Self>, A::Error> {
        raw_map(map).map(Decoded::Mismatch)
    }

    /// The value in place, as validation reads it: what its `Serialize`
    /// implementation writes (see [`crate::view`]).
    #[doc(hidden)]
    fn view(&self) -> crate::view::View<'_>;

    /// A value of an open enum (`View::Listed` without the view): its wire
    /// value and its index in the enum's list; `None` for any other value.
    #[doc(hidden)]
    fn listed(&self) -> Option<(&'static str, u16)> {
        None
    }

    /// [`FieldValue::listed`]'s index alone.
    #[doc(hidden)]
    fn listed_index(&self) -> Option<u16> {
        None
    }

    /// An open enum's values in order, which [`FieldValue::listed`]'s
    /// index indexes; empty for any other type.
    #[doc(hidden)]
    fn listed_names() -> &'static [&'static str]
    where
        Self: Sized,
    {
        &[]
    }

    /// Lists the deviations inside this value (records and collections).
    fn collect_deviations(&self, _path: &mut KeyPath, _out: &mut Vec<Deviation>) {}

    /// True when nothing is inside this value to hold a deviation (an
    /// absent optional field, an empty array or dictionary), so that the
    /// walk need not name its key.
    #[doc(hidden)]
    fn holds_nothing(&self) -> bool {
        false
    }

    /// Holds a value of another kind, for types that keep one themselves
    /// (an element of a list that is not what the list holds, so that the
    /// other elements stay typed); the default gives it back.
    #[doc(hidden)]
    fn from_other(raw: plist::Value) -> Result<Self, plist::Value> {
        Err(raw)
    }

    /// Decodes one value leniently.
    #[doc(hidden)]
    fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<Decoded<Self>, D::Error> {
        d.deserialize_newtype_struct(PLIST_VALUE, Lenient(PhantomData))
    }

    /// Decodes a whole document of this type (what [`crate::from_plist`]
    /// and [`crate::from_json`] call). This body is generic, so it is
    /// compiled in the crate that calls it; the types that are whole
    /// messages (profiles, check-ins, commands, declarations, errors,
    /// status reports and the `Any*` enums) override it through
    /// [`crate::__document!`], which compiles their decoding once, in this
    /// crate, rather than in every crate that decodes them.
    #[doc(hidden)]
    fn decode_document(bytes: &[u8], mode: crate::DecodeMode, json: bool) -> Result<Self, crate::Error>
    where
        Self: de::DeserializeOwned,
    {
        crate::format::document::<Self>(bytes, mode, json)
    }
}

/// The body of a document decoder compiled in this crate (see
/// [`FieldValue::decode_document`]): `()` for `FieldValue` itself, or the
/// hidden method of `Request` (`command`), `Record` (`reply`, for reply
/// bodies) or `DeclarationPayload` (`declaration`) that decodes the type's
/// envelope. `#[inline(never)]`
/// keeps the function (and the generic decoding it instantiates) out of the
/// calling crate.
#[doc(hidden)]
#[macro_export]
macro_rules! __document {
    () => {
        $crate::__document!(@fn decode_document, Self);
    };
    (command) => {
        $crate::__document!(@fn decode_command_document, $crate::Command<Self>);
    };
    (reply) => {
        $crate::__document!(@fn decode_reply_document, $crate::CommandResponse<Self>);
    };
    (declaration) => {
        $crate::__document!(@fn decode_declaration_document, $crate::declarative::Declaration<Self>);
    };
    (@fn $name:ident, $ty:ty) => {
        #[inline(never)]
        fn $name(bytes: &[u8], mode: $crate::DecodeMode, json: bool) -> ::core::result::Result<$ty, $crate::Error> {
            $crate::__private::document::<$ty>(bytes, mode, json)
        }
    };
}

/// The deepest nesting of arrays and dictionaries accepted (Apple's
/// payloads nest about ten deep); deeper input is an error rather than a
/// stack overflow.
pub const MAX_DEPTH: usize = 128;

thread_local! {
    static DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Counts one level of nesting while alive.
struct DepthGuard;

impl DepthGuard {
    fn enter<E: de::Error>() -> Result<DepthGuard, E> {
        let depth = DEPTH.with(|d| {
            let v = d.get() + 1;
            d.set(v);
            v
        });
        let guard = DepthGuard;
        if depth > MAX_DEPTH {
            return Err(E::custom(format_args!("nesting deeper than {MAX_DEPTH} levels")));
        }
        Ok(guard)
    }
}

impl Drop for DepthGuard {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Decodes any value (for `extra` and `<any>`) with the nesting limit; the
/// plist crate's own `Value` decoder recurses without one.
pub fn raw_value<'de, A: MapAccess<'de>>(map: &mut A) -> Result<plist::Value, A::Error> {
    Ok(match map.next_value_seed(Seed::<plist::Value>(PhantomData))? {
        Decoded::Typed(v) | Decoded::Mismatch(v) | Decoded::MismatchIn(v, _) => v,
    })
}

fn raw_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<plist::Value, A::Error> {
    let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
    while let Some(v) = seq.next_element_seed(Seed::<plist::Value>(PhantomData))? {
        out.push(match v {
            Decoded::Typed(v) | Decoded::Mismatch(v) | Decoded::MismatchIn(v, _) => v,
        });
    }
    Ok(plist::Value::Array(out))
}

fn raw_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<plist::Value, A::Error> {
    let mut out = plist::Dictionary::new();
    while let Some(k) = map.next_key::<String>()? {
        let v = raw_value(&mut map)?;
        out.insert(k, v);
    }
    Ok(plist::Value::Dictionary(out))
}

struct Lenient<T>(PhantomData<T>);

fn typed_or<T>(v: Option<T>, raw: impl FnOnce() -> plist::Value) -> Decoded<T> {
    match v {
        Some(v) => Decoded::Typed(v),
        None => Decoded::Mismatch(raw()),
    }
}

impl<'de, T: FieldValue> Visitor<'de> for Lenient<T> {
    type Value = Decoded<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a plist value ({} expected)", T::KIND)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(typed_or(T::from_bool(v), || plist::Value::Boolean(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(typed_or(T::from_i64(v), || plist::Value::Integer(v.into())))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(typed_or(T::from_u64(v), || plist::Value::Integer(v.into())))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(typed_or(T::from_f64(v), || plist::Value::Real(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(typed_or(T::from_str(v), || plist::Value::String(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(match T::from_string(v) {
            Ok(t) => Decoded::Typed(t),
            Err(v) => Decoded::Mismatch(plist::Value::String(v)),
        })
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        self.visit_byte_buf(v.to_vec())
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Self::Value, E> {
        // Only clone on the (rare) mismatch path.
        if T::KIND == ValueKind::Data || T::KIND == ValueKind::Any {
            Ok(match T::from_bytes(v) {
                Some(t) => Decoded::Typed(t),
                None => Decoded::Mismatch(plist::Value::Data(Vec::new())),
            })
        } else {
            Ok(Decoded::Mismatch(plist::Value::Data(v)))
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Err(E::custom("null is not a plist value"))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let _depth = DepthGuard::enter()?;
        T::from_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let _depth = DepthGuard::enter()?;
        T::from_map(map)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        let (name, variant): (Cow<'_, str>, _) = data.variant()?;
        match &*name {
            PLIST_DATE => {
                let date: plist::Date = variant.newtype_variant()?;
                Ok(typed_or(T::from_date(date), || plist::Value::Date(date)))
            }
            PLIST_UID => {
                let uid: plist::Uid = variant.newtype_variant()?;
                Ok(Decoded::Mismatch(plist::Value::Uid(uid)))
            }
            other => Err(de::Error::unknown_variant(other, &[PLIST_DATE, PLIST_UID])),
        }
    }
}

impl FieldValue for String {
    const KIND: ValueKind = ValueKind::String;
    fn view(&self) -> crate::view::View<'_> {
        crate::view::View::Str(self)
    }
    fn from_str(v: &str) -> Option<Self> {
        Some(v.to_owned())
    }
    fn from_string(v: String) -> Result<Self, String> {
        Ok(v)
    }
}

impl FieldValue for bool {
    const KIND: ValueKind = ValueKind::Boolean;
    fn view(&self) -> crate::view::View<'_> {
        crate::view::View::Bool(*self)
    }
    fn from_bool(v: bool) -> Option<Self> {
        Some(v)
    }
}

impl FieldValue for i64 {
    const KIND: ValueKind = ValueKind::Integer;
    fn view(&self) -> crate::view::View<'_> {
        crate::view::View::Int(*self)
    }
    fn from_i64(v: i64) -> Option<Self> {
        Some(v)
    }
}

impl FieldValue for f64 {
    const KIND: ValueKind = ValueKind::Real;
    fn view(&self) -> crate::view::View<'_> {
        crate::view::View::Real(*self)
    }
    fn from_f64(v: f64) -> Option<Self> {
        Some(v)
    }
}

impl FieldValue for Data {
    const KIND: ValueKind = ValueKind::Data;
    fn view(&self) -> crate::view::View<'_> {
        crate::view::View::Data(&self.0)
    }
    fn from_bytes(v: Vec<u8>) -> Option<Self> {
        Some(Data(v))
    }
    /// JSON carries `<data>` as base64 text.
    fn from_str(v: &str) -> Option<Self> {
        Data::from_base64(v)
    }
}

impl ser::Serialize for Data {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de> de::Deserialize<'de> for Data {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        strict(d)
    }
}

impl FieldValue for plist::Date {
    const KIND: ValueKind = ValueKind::Date;
    fn view(&self) -> crate::view::View<'_> {
        crate::view::View::Date(*self)
    }
    fn from_date(v: plist::Date) -> Option<Self> {
        Some(v)
    }
    /// JSON carries dates as RFC 3339 text.
    fn from_str(v: &str) -> Option<Self> {
        plist::Date::from_xml_format(v).ok()
    }
}

/// `<any>`: every value is accepted as it is.
impl FieldValue for plist::Value {
    const KIND: ValueKind = ValueKind::Any;
    fn view(&self) -> crate::view::View<'_> {
        crate::view::View::Value(self)
    }
    fn from_bool(v: bool) -> Option<Self> {
        Some(plist::Value::Boolean(v))
    }
    fn from_i64(v: i64) -> Option<Self> {
        Some(plist::Value::Integer(v.into()))
    }
    fn from_u64(v: u64) -> Option<Self> {
        Some(plist::Value::Integer(v.into()))
    }
    fn from_f64(v: f64) -> Option<Self> {
        Some(plist::Value::Real(v))
    }
    fn from_str(v: &str) -> Option<Self> {
        Some(plist::Value::String(v.to_owned()))
    }
    fn from_string(v: String) -> Result<Self, String> {
        Ok(plist::Value::String(v))
    }
    fn from_bytes(v: Vec<u8>) -> Option<Self> {
        Some(plist::Value::Data(v))
    }
    fn from_date(v: plist::Date) -> Option<Self> {
        Some(plist::Value::Date(v))
    }
    fn from_seq<'de, A: SeqAccess<'de>>(seq: A) -> Result<Decoded<Self>, A::Error> {
        raw_seq(seq).map(Decoded::Typed)
    }
    fn from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Decoded<Self>, A::Error> {
        raw_map(map).map(Decoded::Typed)
    }
}

/// A free-form dictionary (`<dictionary>` without subkeys, or `ANY: <any>`).
impl FieldValue for plist::Dictionary {
    const KIND: ValueKind = ValueKind::Dictionary;
    fn view(&self) -> crate::view::View<'_> {
        crate::view::View::Dict(self)
    }
    fn from_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Decoded<Self>, A::Error> {
        let mut out = plist::Dictionary::new();
        while let Some(k) = map.next_key::<String>()? {
            let v = raw_value(&mut map)?;
            out.insert(k, v);
        }
        Ok(Decoded::Typed(out))
    }
}

impl<T: FieldValue> FieldValue for Box<T> {
    const KIND: ValueKind = T::KIND;
    fn view(&self) -> crate::view::View<'_> {
        (**self).view()
    }
    fn from_bool(v: bool) -> Option<Self> {
        T::from_bool(v).map(Box::new)
    }
    fn from_i64(v: i64) -> Option<Self> {
        T::from_i64(v).map(Box::new)
    }
    fn from_u64(v: u64) -> Option<Self> {
        T::from_u64(v).map(Box::new)
    }
    fn from_f64(v: f64) -> Option<Self> {
        T::from_f64(v).map(Box::new)
    }
    fn from_str(v: &str) -> Option<Self> {
        T::from_str(v).map(Box::new)
    }
    fn from_string(v: String) -> Result<Self, String> {
        T::from_string(v).map(Box::new)
    }
    fn from_bytes(v: Vec<u8>) -> Option<Self> {
        T::from_bytes(v).map(Box::new)
    }
    fn from_date(v: plist::Date) -> Option<Self> {
        T::from_date(v).map(Box::new)
    }
    fn from_seq<'de, A: SeqAccess<'de>>(seq: A) -> Result<Decoded<Self>, A::Error> {
        Ok(match T::from_seq(seq)? {
            Decoded::Typed(t) => Decoded::Typed(Box::new(t)),
            Decoded::Mismatch(v) => Decoded::Mismatch(v),
            Decoded::MismatchIn(v, i) => Decoded::MismatchIn(v, i),
        })
    }
    fn from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Decoded<Self>, A::Error> {
        Ok(match T::from_map(map)? {
            Decoded::Typed(t) => Decoded::Typed(Box::new(t)),
            Decoded::Mismatch(v) => Decoded::Mismatch(v),
            Decoded::MismatchIn(v, i) => Decoded::MismatchIn(v, i),
        })
    }
    fn collect_deviations(&self, path: &mut KeyPath, out: &mut Vec<Deviation>) {
        (**self).collect_deviations(path, out)
    }
    fn holds_nothing(&self) -> bool {
        (**self).holds_nothing()
    }
}

/// An optional field. Only used to collect deviations: optional fields are
/// decoded through [`decode_opt`], which never decodes an `Option` itself.
impl<T: FieldValue> FieldValue for Option<T> {
    const KIND: ValueKind = T::KIND;
    fn view(&self) -> crate::view::View<'_> {
        self.as_ref().map_or(crate::view::View::Absent, T::view)
    }
    fn collect_deviations(&self, path: &mut KeyPath, out: &mut Vec<Deviation>) {
        if let Some(v) = self {
            v.collect_deviations(path, out)
        }
    }
    fn holds_nothing(&self) -> bool {
        self.as_ref().is_none_or(T::holds_nothing)
    }
}

/// Converts already-decoded elements back to plist values, for the rare
/// case where a later element of the same array has the wrong kind.
fn to_raw<T: ser::Serialize>(items: &[T]) -> Vec<plist::Value> {
    items.iter().filter_map(|i| plist::to_value(i).ok()).collect()
}

/// An array. If any element has the wrong kind, the whole array is kept raw
/// (a typed `Vec` cannot hold it), so nothing is lost.
impl<T: FieldValue> FieldValue for Vec<T> {
    const KIND: ValueKind = ValueKind::Array;
    fn view(&self) -> crate::view::View<'_> {
        crate::view::View::Seq(self)
    }
    fn from_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Decoded<Self>, A::Error> {
        let mut out: Vec<T> = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element_seed(Seed::<T>(PhantomData))? {
            let (bad, below) = match item {
                Decoded::Typed(t) => {
                    out.push(t);
                    continue;
                }
                Decoded::Mismatch(bad) => (bad, None),
                Decoded::MismatchIn(bad, below) => (bad, Some(below)),
            };
            let inner = inner_at(crate::value::PathSegment::Index(out.len()), T::KIND, below);
            let mut raw = to_raw(&out);
            raw.push(bad);
            while let Some(v) = seq.next_element_seed(Seed::<plist::Value>(PhantomData))? {
                raw.push(match v {
                    Decoded::Typed(v) | Decoded::Mismatch(v) | Decoded::MismatchIn(v, _) => v,
                });
            }
            return Ok(Decoded::MismatchIn(plist::Value::Array(raw), inner));
        }
        Ok(Decoded::Typed(out))
    }
    fn collect_deviations(&self, path: &mut KeyPath, out: &mut Vec<Deviation>) {
        for (i, item) in self.iter().enumerate() {
            path.push_index(i);
            item.collect_deviations(path, out);
            path.pop();
        }
    }
    fn holds_nothing(&self) -> bool {
        self.is_empty()
    }
}

/// A dictionary keyed by names the schema does not fix (`ANY` keys). A
/// value of the wrong kind makes the whole map raw, as for arrays.
impl<T: FieldValue> FieldValue for BTreeMap<String, T> {
    const KIND: ValueKind = ValueKind::Dictionary;
    fn view(&self) -> crate::view::View<'_> {
        crate::view::View::Map(self)
    }
    fn from_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Decoded<Self>, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let (bad, below) = match map.next_value_seed(Seed::<T>(PhantomData))? {
                Decoded::Typed(t) => {
                    out.insert(key, t);
                    continue;
                }
                Decoded::Mismatch(bad) => (bad, None),
                Decoded::MismatchIn(bad, below) => (bad, Some(below)),
            };
            let inner = inner_at(crate::value::PathSegment::key(&key), T::KIND, below);
            let mut raw = plist::Dictionary::new();
            for (k, v) in &out {
                if let Ok(v) = plist::to_value(v) {
                    raw.insert(k.clone(), v);
                }
            }
            raw.insert(key, bad);
            while let Some(k) = map.next_key::<String>()? {
                let v = raw_value(&mut map)?;
                raw.insert(k, v);
            }
            return Ok(Decoded::MismatchIn(plist::Value::Dictionary(raw), inner));
        }
        Ok(Decoded::Typed(out))
    }
    fn collect_deviations(&self, path: &mut KeyPath, out: &mut Vec<Deviation>) {
        for (k, v) in self {
            path.push_key(k);
            v.collect_deviations(path, out);
            path.pop();
        }
    }
    fn holds_nothing(&self) -> bool {
        self.is_empty()
    }
}

/// A [`DeserializeSeed`] that decodes one value leniently.
pub struct Seed<T>(pub PhantomData<T>);

impl<'de, T: FieldValue> DeserializeSeed<'de> for Seed<T> {
    type Value = Decoded<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Ok(match T::decode(d)? {
            Decoded::Mismatch(raw) => match T::from_other(raw) {
                Ok(t) => Decoded::Typed(t),
                Err(raw) => Decoded::Mismatch(raw),
            },
            other => other,
        })
    }
}

/// Decodes a value as the root of a message: a mismatch is an error
/// (there is no parent to keep it in).
pub fn strict<'de, T: FieldValue, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    match T::decode(d)? {
        Decoded::Typed(t) => Ok(t),
        Decoded::Mismatch(v) | Decoded::MismatchIn(v, _) => Err(de::Error::custom(format_args!(
            "expected {}, found {}",
            kind_article(T::KIND),
            kind_article(ValueKind::of(&v))
        ))),
    }
}

fn kind_article(kind: ValueKind) -> String {
    match kind {
        ValueKind::Integer | ValueKind::Array | ValueKind::Any => format!("an {kind}"),
        _ => format!("a {kind}"),
    }
}

/// A generated struct: a fixed set of wire keys plus the `extra`
/// dictionary that keeps everything else.
pub trait Record: Default + ser::Serialize {
    /// The wire names of the known keys, in schema order.
    const KEYS: &'static [&'static str];
    /// The kind the schema gives each key, index for index.
    const KINDS: &'static [ValueKind];
    /// Indices (into `KEYS`, ascending) of keys that must be present.
    const REQUIRED: &'static [usize] = &[];

    /// The index of a wire key in `KEYS`.
    fn key_index(key: &str) -> Option<usize>;

    /// Decodes the value of key `index` into its field (or into `extra`
    /// when its kind is wrong).
    fn decode_field<'de, A: MapAccess<'de>>(&mut self, index: usize, map: &mut A) -> Result<(), A::Error>;

    /// Writes the known fields that are set (not `extra`).
    fn encode_fields<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error>;

    /// The value of key `index` as [`Record::encode_fields`] writes it, in
    /// place (`None` when it writes nothing for it): what validation reads.
    #[doc(hidden)]
    fn view_field(&self, index: usize) -> Option<crate::view::View<'_>>;

    /// Calls `f` with the index and value of each key
    /// [`Record::encode_fields`] writes, in order. The generated records
    /// override it with one pass over their fields; this default asks
    /// [`Record::view_field`] for each key.
    #[doc(hidden)]
    fn view_fields<'s>(&'s self, f: &mut dyn FnMut(usize, crate::view::View<'s>)) {
        for i in 0..Self::KEYS.len() {
            if let Some(v) = self.view_field(i) {
                f(i, v);
            }
        }
    }

    /// Lists the deviations below the known fields.
    fn field_deviations(&self, _path: &mut KeyPath, _out: &mut Vec<Deviation>) {}

    /// Keys this version of the crate does not know, known keys whose
    /// value had the wrong kind, exactly as received, and required keys
    /// that were absent.
    fn extra(&self) -> &Extra;

    /// Mutable access to [`Record::extra`].
    fn extra_mut(&mut self) -> &mut Extra;

    /// Decodes a whole reply ([`crate::CommandResponse`]) with this body.
    /// Generic here; the generated reply bodies override it with
    /// `__document!(reply)`, so that it is compiled once, in this crate.
    #[doc(hidden)]
    fn decode_reply_document(
        bytes: &[u8],
        mode: crate::DecodeMode,
        json: bool,
    ) -> Result<crate::CommandResponse<Self>, crate::Error> {
        crate::format::document::<crate::CommandResponse<Self>>(bytes, mode, json)
    }
}

/// The result of matching a dictionary key against a record's keys.
pub enum KeyMatch {
    /// Index into the record's `KEYS`.
    Known(usize),
    /// A key the record does not know.
    Unknown(String),
}

/// Matches keys without allocating for known ones.
pub struct KeySeed<F>(pub F);

impl<'de, F: Fn(&str) -> Option<usize>> DeserializeSeed<'de> for KeySeed<F> {
    type Value = KeyMatch;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<KeyMatch, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, F: Fn(&str) -> Option<usize>> Visitor<'de> for KeySeed<F> {
    type Value = KeyMatch;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a dictionary key")
    }
    fn visit_str<E>(self, v: &str) -> Result<KeyMatch, E> {
        Ok(match (self.0)(v) {
            Some(i) => KeyMatch::Known(i),
            None => KeyMatch::Unknown(v.to_owned()),
        })
    }
    fn visit_string<E>(self, v: String) -> Result<KeyMatch, E> {
        Ok(match (self.0)(&v) {
            Some(i) => KeyMatch::Known(i),
            None => KeyMatch::Unknown(v),
        })
    }
}

/// Which required keys have been seen (at most 64 per record; the
/// generator makes any further required key optional).
#[derive(Default)]
pub struct Seen(u64);

impl Seen {
    /// Notes that key `index` was present.
    pub fn mark(&mut self, required: &[usize], index: usize) {
        if let Ok(pos) = required.binary_search(&index)
            && pos < 64
        {
            self.0 |= 1 << pos;
        }
    }

    /// The required keys that were not seen.
    pub fn missing<'a>(&'a self, required: &'a [usize]) -> impl Iterator<Item = usize> + 'a {
        required.iter().enumerate().filter(|(pos, _)| *pos < 64 && self.0 & (1 << pos) == 0).map(|(_, i)| *i)
    }

    /// Records the required keys of `T` that were not seen as absent.
    pub fn mark_absent<T: Record>(&self, extra: &mut Extra) {
        if T::REQUIRED.is_empty() {
            return;
        }
        for i in self.missing(T::REQUIRED) {
            extra.mark_absent(T::KEYS[i]);
        }
    }
}

/// A tag key and the value it must have (`("MessageType", "CheckOut")`).
pub type Tag = Option<(&'static str, &'static str)>;

/// Decodes the entries of a dictionary into a record; with a tag, the tag
/// key must be present with that value (`MessageType`, `code`,
/// `RequestType`...).
pub fn decode_record<'de, T: Record, A: MapAccess<'de>>(map: A, tag: Tag) -> Result<T, A::Error> {
    decode_record_from(map, tag, false)
}

/// [`decode_record`], the tag counted as read already when `seen_tag` (a
/// dispatcher read it to choose `T`): a repeated tag is still checked.
pub(crate) fn decode_record_from<'de, T: Record, A: MapAccess<'de>>(
    mut map: A,
    tag: Tag,
    mut seen_tag: bool,
) -> Result<T, A::Error> {
    let mut out = T::default();
    let mut seen = Seen::default();
    let tag_key = tag.map(|(k, _)| k);
    let matcher = |k: &str| if Some(k) == tag_key { Some(usize::MAX) } else { T::key_index(k) };
    while let Some(key) = map.next_key_seed(KeySeed(matcher))? {
        match (key, tag) {
            (KeyMatch::Known(usize::MAX), Some((key, value))) => {
                check_tag(&mut map, key, value)?;
                seen_tag = true;
            }
            (KeyMatch::Known(i), _) => {
                if !T::REQUIRED.is_empty() {
                    seen.mark(T::REQUIRED, i);
                }
                out.decode_field(i, &mut map)?;
            }
            (KeyMatch::Unknown(k), _) => {
                let v = crate::record::raw_value(&mut map)?;
                out.extra_mut().insert(k, v);
            }
        }
    }
    if let (Some((key, _)), false) = (tag, seen_tag) {
        out.extra_mut().mark_absent(key);
    }
    seen.mark_absent::<T>(out.extra_mut());
    Ok(out)
}

/// Reads a tag's value (`RequestType`, `MessageType`, `PayloadType`...)
/// and checks it: a tag of another value means another type, an error in
/// both modes (dispatching enums choose the type by it first).
pub fn check_tag<'de, A: MapAccess<'de>>(map: &mut A, key: &str, value: &str) -> Result<(), A::Error> {
    match map.next_value_seed(TagIs(value))? {
        None => Ok(()),
        Some(v) => Err(de::Error::invalid_value(de::Unexpected::Str(&v), &format!("{key} {value}").as_str())),
    }
}

/// Compares a tag's string value with the expected one where the
/// deserializer holds it (no copy when they agree): `None` when equal, the
/// value found otherwise.
struct TagIs<'v>(&'v str);

impl<'de> de::DeserializeSeed<'de> for TagIs<'_> {
    type Value = Option<String>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> de::Visitor<'de> for TagIs<'_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // As `String` says it, so that the error reads as it always did.
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<String>, E> {
        Ok((v != self.0).then(|| v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Option<String>, E> {
        Ok((v != self.0).then_some(v))
    }

    // Bytes that are UTF-8 read as a string, as they do for `String`.
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Option<String>, E> {
        match std::str::from_utf8(v) {
            Ok(s) => self.visit_str(s),
            Err(_) => Err(de::Error::invalid_value(de::Unexpected::Bytes(v), &self)),
        }
    }
}

/// Writes the tag if there is one, then the record's fields and `extra`.
pub fn encode_record<T: Record, M: SerializeMap>(record: &T, map: &mut M, tag: Tag) -> Result<(), M::Error> {
    if let Some((key, value)) = tag
        && !record.extra().is_absent(key)
    {
        map.serialize_entry(key, value)?;
    }
    record.encode_fields(map)?;
    encode_extra(map, record.extra())
}

/// Decodes the value of a known key into an `Option` field.
pub fn decode_opt<'de, T: FieldValue, A: MapAccess<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    extra: &mut Extra,
    key: &'static str,
) -> Result<(), A::Error> {
    match map.next_value_seed(Seed::<T>(PhantomData))? {
        Decoded::Typed(v) => {
            *slot = Some(v);
            extra.forget_raw(key);
        }
        other => {
            *slot = None;
            keep_raw(other, extra, key);
        }
    }
    Ok(())
}

/// Keeps a mismatched value raw in `extra`, with where its culprit is (in
/// place of what an earlier value of a duplicate key left: the last one
/// wins).
#[cold]
fn keep_raw<T>(decoded: Decoded<T>, extra: &mut Extra, key: &'static str) {
    if let Some((raw, inner)) = decoded.into_mismatch() {
        extra.keep_raw(key, raw, inner);
    }
}

/// Decodes the value of a known key into a required field.
pub fn decode_req<'de, T: FieldValue, A: MapAccess<'de>>(
    map: &mut A,
    slot: &mut T,
    extra: &mut Extra,
    key: &'static str,
) -> Result<(), A::Error> {
    match map.next_value_seed(Seed::<T>(PhantomData))? {
        Decoded::Typed(v) => {
            *slot = v;
            extra.forget_raw(key);
        }
        other => keep_raw(other, extra, key),
    }
    Ok(())
}

/// Writes an `Option` field when set.
pub fn encode_opt<T: ser::Serialize, M: SerializeMap>(
    map: &mut M,
    key: &'static str,
    value: &Option<T>,
) -> Result<(), M::Error> {
    match value {
        Some(v) => map.serialize_entry(key, v),
        None => Ok(()),
    }
}

/// Writes a required field, unless its received value had the wrong kind
/// and is kept in `extra` (which is then written instead), or the key was
/// absent when decoding and the field still holds its default value.
pub fn encode_req<T: ser::Serialize + Default + PartialEq, M: SerializeMap>(
    map: &mut M,
    key: &'static str,
    value: &T,
    extra: &Extra,
) -> Result<(), M::Error> {
    if !extra.is_empty() && extra.contains_key(key) {
        return Ok(());
    }
    if extra.is_absent(key) && *value == T::default() {
        return Ok(());
    }
    map.serialize_entry(key, value)
}

/// Writes every entry of `extra`.
pub fn encode_extra<M: SerializeMap>(map: &mut M, extra: &plist::Dictionary) -> Result<(), M::Error> {
    for (k, v) in extra {
        map.serialize_entry(k, v)?;
    }
    Ok(())
}

/// Serialises a record as a dictionary: the tag if any, known fields in
/// schema order, then `extra`.
pub fn serialize_record<T: Record, S: Serializer>(record: &T, s: S, tag: Tag) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(None)?;
    encode_record(record, &mut map, tag)?;
    map.end()
}

/// The deviations of a record: known keys kept raw in `extra`, then those
/// below its fields.
pub fn record_deviations<T: Record>(record: &T, path: &mut KeyPath, out: &mut Vec<Deviation>) {
    extra_deviations(record.extra(), T::KEYS, T::KINDS, T::key_index, path, out);
    record.field_deviations(path, out);
}

/// The deviations an [`Extra`] records for the known `keys` (of `kinds`)
/// of one dictionary: values kept raw for their wrong kind (or the element
/// inside them whose kind was wrong), in the order of `keys`, then required
/// keys that were absent. `index` gives a key's index in `keys`.
pub(crate) fn extra_deviations(
    extra: &Extra,
    keys: &[&str],
    kinds: &[ValueKind],
    index: impl Fn(&str) -> Option<usize>,
    path: &mut KeyPath,
    out: &mut Vec<Deviation>,
) {
    if !extra.is_empty() {
        // The known keys kept raw are found from the entries of `extra`
        // (usually a few unknown keys) rather than by looking each of the
        // record's keys up in it: a restrictions payload knows hundreds,
        // and hashing each was most of strict decoding's walk. Collecting
        // allocates only when a known key was kept raw.
        let mut kept: Vec<(usize, &plist::Value)> = extra.iter().filter_map(|(k, v)| Some((index(k)?, v))).collect();
        kept.sort_unstable_by_key(|(i, _)| *i);
        for (i, v) in kept {
            path.push_key(keys[i]);
            out.push(match extra.inner(keys[i]) {
                Some(inner) => {
                    let mut p = path.clone();
                    p.0.extend(inner.path.0.iter().cloned());
                    Deviation::wrong_kind(p, inner.expected, inner.element(v))
                }
                None => Deviation::wrong_kind(path.clone(), kinds[i], v),
            });
            path.pop();
        }
    }
    for key in extra.absent() {
        let kind = index(key).map_or(ValueKind::String, |i| kinds[i]);
        path.push_key(key);
        out.push(Deviation::missing(path.clone(), kind));
        path.pop();
    }
}

/// A key whose value the schema fixes (a profile's `PayloadType` is
/// `Configuration`) holding another value: a deviation.
pub fn fixed_value_deviation(
    value: &str,
    fixed: &str,
    extra: &Extra,
    key: &str,
    path: &mut KeyPath,
    out: &mut Vec<Deviation>,
) {
    if value != fixed && !extra.contains_key(key) && !extra.is_absent(key) {
        path.push_key(key);
        out.push(Deviation {
            path: path.clone(),
            kind: crate::DeviationKind::UnexpectedValue { expected: fixed.to_owned(), found: value.to_owned() },
        });
        path.pop();
    }
}

/// Lists deviations of a field value, under its key.
pub fn field_deviations<T: FieldValue>(value: &T, key: &str, path: &mut KeyPath, out: &mut Vec<Deviation>) {
    if value.holds_nothing() {
        // Most optional fields are absent: their key is not pushed (a
        // `String` each) only to find nothing below it.
        return;
    }
    path.push_key(key);
    value.collect_deviations(path, out);
    path.pop();
}

/// Implements `Serialize`, `Deserialize` and [`FieldValue`] for a record,
/// optionally one that carries a tag key (`MessageType`, `code`).
#[doc(hidden)]
#[macro_export]
macro_rules! __record_serde {
    // `lenient`: decoded leniently by default; `document`: a whole message,
    // whose decoding is compiled in this crate (see `__document!`).
    ($ty:ty $(, $key:literal, $value:literal)?, lenient, document) => {
        $crate::__record_serde!(@impl $ty, $crate::__record_serde!(@tag $($key, $value)?), Lenient, [document]);
    };
    ($ty:ty $(, $key:literal, $value:literal)?, lenient) => {
        $crate::__record_serde!(@impl $ty, $crate::__record_serde!(@tag $($key, $value)?), Lenient, []);
    };
    ($ty:ty $(, $key:literal, $value:literal)?, document) => {
        $crate::__record_serde!(@impl $ty, $crate::__record_serde!(@tag $($key, $value)?), Strict, [document]);
    };
    ($ty:ty $(, $key:literal, $value:literal)?) => {
        $crate::__record_serde!(@impl $ty, $crate::__record_serde!(@tag $($key, $value)?), Strict, []);
    };
    (@tag) => {
        ::core::option::Option::None
    };
    (@tag $key:literal, $value:literal) => {
        ::core::option::Option::Some(($key, $value))
    };
    (@document) => {};
    (@document document) => {
        $crate::__document!();
    };
    (@impl $ty:ty, $tag:expr, $mode:ident, [$($document:ident)?]) => {
        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::__private::serialize_record(self, s, $tag)
            }
        }
        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                $crate::__private::strict(d)
            }
        }
        impl $crate::__private::FieldValue for $ty {
            const KIND: $crate::ValueKind = $crate::ValueKind::Dictionary;
            const DEFAULT_MODE: $crate::DecodeMode = $crate::DecodeMode::$mode;
            fn from_map<'de, A: ::serde::de::MapAccess<'de>>(
                map: A,
            ) -> ::core::result::Result<$crate::__private::Decoded<Self>, A::Error> {
                $crate::__private::decode_record(map, $tag).map($crate::__private::Decoded::Typed)
            }
            fn view(&self) -> $crate::__private::View<'_> {
                const TAG: $crate::__private::Tag = $tag;
                $crate::__private::View::Record(self, $crate::__private::view_tag(&TAG))
            }
            fn collect_deviations(&self, path: &mut $crate::KeyPath, out: &mut ::std::vec::Vec<$crate::Deviation>) {
                $crate::__private::record_deviations(self, path, out)
            }
            $crate::__record_serde!(@document $($document)?);
        }
    };
}
