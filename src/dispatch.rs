//! Types chosen at run time by a key's value: unions (Settings' `Item`)
//! and the any-command enums (by `RequestType`). The enums are generated;
//! these macros add their impls.

use crate::record::FieldValue;

/// The string value of a tag key (`RequestType`, `PayloadType`, `Item`...)
/// of a value kept untyped; when it is absent or not a string, lists that
/// as a deviation at `path.key` and gives `None`.
pub fn tag_of<'d>(
    dict: &'d plist::Dictionary,
    key: &str,
    path: &mut crate::KeyPath,
    out: &mut Vec<crate::Deviation>,
) -> Option<&'d str> {
    let found = dict.get(key);
    if let Some(plist::Value::String(tag)) = found {
        return Some(tag);
    }
    path.push_key(key);
    out.push(match found {
        Some(v) => crate::Deviation::wrong_kind(path.clone(), crate::ValueKind::String, v),
        None => crate::Deviation::missing(path.clone(), crate::ValueKind::String),
    });
    path.pop();
    None
}

/// Checks that a tag given more than once in one dictionary agrees with
/// itself. The type was chosen by the first `key` read; the dictionary kept
/// for a value no type matched holds the last (duplicate keys: the last one
/// wins). If they differ, the value would be encoded with a tag it was not
/// chosen by; it is refused, as a typed value's repeated tag is (see
/// `record::check_tag`).
pub fn check_repeated_tag<E: serde::de::Error>(
    dict: &plist::Dictionary,
    key: &str,
    chosen: Option<&str>,
) -> Result<(), E> {
    let kept = dict.get(key).and_then(plist::Value::as_string);
    if kept == chosen {
        return Ok(());
    }
    Err(match (kept, chosen) {
        (Some(kept), Some(chosen)) => E::invalid_value(
            serde::de::Unexpected::Str(kept),
            &format!("{key} {chosen} (a repeated {key} must agree)").as_str(),
        ),
        _ => E::custom(format!("{key} is given more than once, with different values: a repeated {key} must agree")),
    })
}

/// Implements serde and [`FieldValue`] for a generated union.
#[doc(hidden)]
#[macro_export]
macro_rules! __union {
    ($ty:ident, $disc:literal, { $($variant:ident => $wire:literal),* $(,)? }) => {
        impl $ty {
            /// The discriminator key.
            pub const DISCRIMINATOR: &'static str = $disc;

            /// The discriminator's value for this element.
            pub fn discriminator(&self) -> &str {
                match self {
                    $(Self::$variant(_) => $wire,)*
                    Self::Unrecognized(d) => d.get($disc).and_then(::plist::Value::as_string).unwrap_or(""),
                }
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap as _;
                use $crate::__private::Record as _;
                let mut map = s.serialize_map(None)?;
                match self {
                    $(Self::$variant(v) => {
                        map.serialize_entry($disc, $wire)?;
                        v.encode_fields(&mut map)?;
                        $crate::__private::encode_extra(&mut map, v.extra())?;
                    })*
                    Self::Unrecognized(d) => $crate::__private::encode_extra(&mut map, d)?,
                }
                map.end()
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                $crate::__private::strict(d)
            }
        }

        impl $crate::__private::FieldValue for $ty {
            const KIND: $crate::ValueKind = $crate::ValueKind::Dictionary;

            fn view(&self) -> $crate::__private::View<'_> {
                match self {
                    $(Self::$variant(v) => $crate::__private::View::Variant(v, &($disc, $wire)),)*
                    Self::Unrecognized(d) => $crate::__private::View::Dict(d),
                }
            }

            fn from_map<'de, A: ::serde::de::MapAccess<'de>>(
                map: A,
            ) -> ::core::result::Result<$crate::__private::Decoded<Self>, A::Error> {
                // The discriminator read ahead where the deserializer can
                // (nothing buffered), else the entries up to it; the rest is
                // decoded straight into the variant it names, which checks
                // a repeated discriminator as a record checks its tag.
                let mut map = map;
                let (head, disc) = $crate::__private::read_head(&mut map, $disc)?;
                match disc.as_deref() {
                    $(Some($wire) => {
                        return $crate::__private::decode_head_tagged(head, ($disc, $wire), map)
                            .map(|v| $crate::__private::Decoded::Typed(Self::$variant(v)));
                    })*
                    _ => {}
                }
                let dict = $crate::__private::finish_head(map, head, $disc, disc.as_deref())?;
                Ok($crate::__private::Decoded::Typed(Self::Unrecognized(dict)))
            }

            fn collect_deviations(&self, path: &mut $crate::KeyPath, out: &mut ::std::vec::Vec<$crate::Deviation>) {
                match self {
                    $(Self::$variant(v) => $crate::__private::record_deviations(v, path, out),)*
                    // A value this version does not know is fine; no
                    // discriminator at all is a missing key.
                    Self::Unrecognized(d) => {
                        $crate::__private::tag_of(d, $disc, path, out);
                    }
                }
            }
        }
    };
}

/// Implements the any-command plumbing for the generated `AnyRequest` and
/// `AnyResponse` enums, and the `decode_response` function.
#[doc(hidden)]
#[macro_export]
macro_rules! __any_command {
    ($req:ident, $resp:ident { $($variant:ident => $wire:literal),* $(,)? }) => {
        impl $req {
            /// Every `RequestType` of the schema, in file order.
            pub const REQUEST_TYPES: &'static [&'static str] = &[$($wire),*];

            /// True for `Unrecognized`.
            pub fn is_unrecognized(&self) -> bool {
                matches!(self, Self::Unrecognized(_))
            }

            /// The empty payload (every optional key unset, required keys
            /// at their defaults) of a request type, or `None` for a
            /// request type the schema does not have.
            pub fn empty(request_type: &str) -> ::core::option::Option<Self> {
                match request_type {
                    $($wire => Some(Self::$variant(::core::default::Default::default())),)*
                    _ => None,
                }
            }
        }

        impl $crate::CommandPayload for $req {
            fn request_type(&self) -> &str {
                match self {
                    $(Self::$variant(_) => $wire,)*
                    Self::Unrecognized(d) => d.get("RequestType").and_then(::plist::Value::as_string).unwrap_or(""),
                }
            }

            fn schema_file(&self) -> ::core::option::Option<&'static $crate::availability::SchemaFile> {
                match self {
                    $(Self::$variant(_) => Some(<$variant as $crate::Request>::schema()),)*
                    Self::Unrecognized(_) => $crate::availability::command_schema(self.request_type()),
                }
            }

            fn decode_command<'de, A: ::serde::de::MapAccess<'de>>(map: A) -> ::core::result::Result<Self, A::Error> {
                // RequestType read ahead where the deserializer can (nothing
                // buffered), else the entries up to it; the rest is decoded
                // straight into the command it names. Without a RequestType
                // this version knows, the command is kept whole.
                let mut map = map;
                let (head, rt) = $crate::__private::read_head(&mut map, "RequestType")?;
                match rt.as_deref() {
                    // As `decode_command` of a `Request` decodes it.
                    $(Some($wire) => {
                        return $crate::__private::decode_head_tagged::<$variant, A>(head, ("RequestType", $wire), map)
                            .map(Self::$variant);
                    })*
                    _ => {}
                }
                let dict = $crate::__private::finish_head(map, head, "RequestType", rt.as_deref())?;
                Ok(Self::Unrecognized(dict))
            }

            fn encode_command<M: ::serde::ser::SerializeMap>(&self, map: &mut M) -> ::core::result::Result<(), M::Error> {
                match self {
                    $(Self::$variant(v) => $crate::CommandPayload::encode_command(v, map),)*
                    Self::Unrecognized(d) => $crate::__private::encode_extra(map, d),
                }
            }

            fn view_command(&self) -> $crate::__private::View<'_> {
                match self {
                    $(Self::$variant(v) => $crate::CommandPayload::view_command(v),)*
                    Self::Unrecognized(d) => $crate::__private::View::Dict(d),
                }
            }

            fn payload_deviations(&self, path: &mut $crate::KeyPath, out: &mut ::std::vec::Vec<$crate::Deviation>) {
                match self {
                    $(Self::$variant(v) => $crate::__private::record_deviations(v, path, out),)*
                    Self::Unrecognized(d) => {
                        $crate::__private::tag_of(d, "RequestType", path, out);
                    }
                }
            }

            fn absent() -> Self {
                Self::Unrecognized(::plist::Dictionary::new())
            }

            $crate::__document!(command);
        }

        impl $crate::ResponseBody for $resp {
            fn encode_body<M: ::serde::ser::SerializeMap>(&self, map: &mut M) -> ::core::result::Result<(), M::Error> {
                match self {
                    $(Self::$variant(v) => $crate::ResponseBody::encode_body(v, map),)*
                    Self::Unrecognized(d) => $crate::__private::encode_extra(map, d),
                }
            }

            fn body_extra(&self) -> &::plist::Dictionary {
                match self {
                    $(Self::$variant(v) => $crate::ResponseBody::body_extra(v),)*
                    Self::Unrecognized(d) => d,
                }
            }

            fn body_deviations(&self, path: &mut $crate::KeyPath, out: &mut ::std::vec::Vec<$crate::Deviation>) {
                match self {
                    $(Self::$variant(v) => $crate::ResponseBody::body_deviations(v, path, out),)*
                    Self::Unrecognized(_) => {}
                }
            }

            fn body_entries(
                &self,
            ) -> ::std::boxed::Box<dyn ::core::iter::Iterator<Item = (&str, $crate::__private::View<'_>)> + '_> {
                match self {
                    $(Self::$variant(v) => $crate::ResponseBody::body_entries(v),)*
                    Self::Unrecognized(d) => ::std::boxed::Box::new($crate::view::dict_entries(d)),
                }
            }

            fn body_request_type(&self) -> ::core::option::Option<&'static str> {
                match self {
                    $(Self::$variant(_) => ::core::option::Option::Some($wire),)*
                    Self::Unrecognized(_) => ::core::option::Option::None,
                }
            }
        }

        /// Decodes a device's reply (XML or binary plist) to a command
        /// whose `RequestType` is `request_type`. An unknown request type
        /// decodes the envelope and keeps every other key in
        /// `AnyResponse::Unrecognized`.
        pub fn decode_response(
            request_type: &str,
            bytes: &[u8],
            mode: $crate::DecodeMode,
        ) -> ::core::result::Result<$crate::CommandResponse<$resp>, $crate::Error> {
            decode_response_in(request_type, bytes, mode, false)
        }

        /// Decodes a reply in its JSON form (as [`crate::to_json`] writes
        /// it: `<data>` as base64, `<date>` as RFC 3339 text), like
        /// [`decode_response`].
        pub fn decode_response_json(
            request_type: &str,
            bytes: &[u8],
            mode: $crate::DecodeMode,
        ) -> ::core::result::Result<$crate::CommandResponse<$resp>, $crate::Error> {
            decode_response_in(request_type, bytes, mode, true)
        }

        fn decode_response_in(
            request_type: &str,
            bytes: &[u8],
            mode: $crate::DecodeMode,
            json: bool,
        ) -> ::core::result::Result<$crate::CommandResponse<$resp>, $crate::Error> {
            match request_type {
                $($wire => $crate::format::decode_as::<
                    $crate::CommandResponse<<$variant as $crate::Request>::Response>,
                >(bytes, mode, json)
                .map(|r| r.map_body($resp::$variant)),)*
                _ => $crate::format::decode_as::<$crate::CommandResponse<$crate::EmptyResponse>>(bytes, mode, json)
                    .map(|r| r.map_body(|b| $resp::Unrecognized(b.extra.into_dictionary()))),
            }
        }

        /// Decodes the body of a reply whose envelope was read first (see
        /// [`crate::RawResponse`]) as the response to `request_type`, like
        /// [`decode_response`] but without parsing the bytes again.
        pub fn decode_raw_response(
            request_type: &str,
            raw: &$crate::RawResponse,
            mode: $crate::DecodeMode,
        ) -> ::core::result::Result<$crate::CommandResponse<$resp>, $crate::Error> {
            match request_type {
                $($wire => raw
                    .decode_body::<<$variant as $crate::Request>::Response>(mode)
                    .map(|r| r.map_body($resp::$variant)),)*
                _ => Ok(raw.clone().map_body(|b| $resp::Unrecognized(b.extra.into_dictionary()))),
            }
        }
    };
}

/// How well a candidate type fits a value: fewer departures from the
/// schema (missing required keys, wrong kinds), then fewer keys the type
/// does not know. Lower is better; the first candidate wins a tie.
pub type Fit = (usize, usize);

#[cfg(test)]
thread_local! {
    /// How many candidates were decoded from a deserializer's entries, and
    /// how many from a `plist::Value` (the tests count them).
    static CANDIDATE_DECODES: std::cell::Cell<(usize, usize)> = const { std::cell::Cell::new((0, 0)) };
}

/// The fit of a decoded candidate (see [`Fit`]).
fn fit_of<T: FieldValue + UnknownKeyCount>(v: &T) -> Fit {
    (crate::deviations(v).len(), v.unknown_key_count())
}

/// Decodes `value` as `T` (one of the schema files that share a tag), with
/// its fit; `None` when it cannot decode at all. The value is read in
/// place, never copied: a candidate that fails leaves it whole for the
/// next one, or for `Unrecognized`.
#[inline(never)]
pub fn candidate_from_value<T>(value: &plist::Value) -> Option<(Fit, T)>
where
    T: serde::de::DeserializeOwned + FieldValue + UnknownKeyCount,
{
    #[cfg(test)]
    CANDIDATE_DECODES.with(|c| c.set((c.get().0, c.get().1 + 1)));
    let v = crate::format::from_value_nested::<T>(value).ok()?;
    Some((fit_of(&v), v))
}

/// Decodes `T` (one of the schema files that share a tag) from a
/// dictionary's entries as a deserializer gives them, with its fit.
pub fn decode_candidate<'de, T, M>(map: M) -> Result<(Fit, T), M::Error>
where
    T: FieldValue + UnknownKeyCount,
    M: serde::de::MapAccess<'de>,
{
    #[cfg(test)]
    CANDIDATE_DECODES.with(|c| c.set((c.get().0 + 1, c.get().1)));
    let v = crate::buffered::decode_dict::<T, M>(map)?;
    Ok((fit_of(&v), v))
}

/// A generated enum whose variants share tags: decodes the variant at a
/// place of its `TAGS` (one that shares its tag) from a dictionary's
/// entries (see [`speculate`](crate::buffered::speculate)).
pub trait Candidates: Sized {
    /// Decodes the `index`-th variant, with its fit.
    fn decode_candidate<'de, M: serde::de::MapAccess<'de>>(index: usize, map: M) -> Result<(Fit, Self), M::Error>;
}

/// One of the files that share a tag, not decoded yet: its place among the
/// tag's files (its index in `TAGS`) and the least [`Fit`] it can have (see
/// [`lower_bound`]).
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    /// Its place in file order (ties go to the earlier file).
    pub index: usize,
    /// No decode of it can fit better than this.
    pub bound: Fit,
}

/// The least [`Fit`] a candidate `T` can reach on a dictionary with these
/// (distinct) keys: no deviation, and every key it does not know (but the
/// tag) in its `extra`. Only a lookup per key, no decoding.
pub fn lower_bound<T: UnknownKeyCount>(keys: &[&str], tag: &str) -> Fit {
    (0, keys.iter().filter(|k| **k != tag && !T::knows_key(k)).count())
}

/// Decodes the candidates for a shared tag (`decode` gives one's fit and
/// value by its index, `None` when it does not decode), best bound first,
/// skipping every candidate whose bound cannot beat the best fit found so
/// far. The choice is the one decoding every candidate in file order would
/// make (the least `(fit, index)`); a `com.apple.MCX` payload (six files)
/// is typically decoded once instead of six times.
pub fn choose<Out>(mut candidates: Vec<Candidate>, mut decode: impl FnMut(usize) -> Option<(Fit, Out)>) -> Option<Out> {
    candidates.sort_by_key(|c| (c.bound, c.index));
    let mut best: Option<(Fit, usize, Out)> = None;
    for c in candidates {
        if let Some((fit, index, _)) = &best
            && (c.bound, c.index) > (*fit, *index)
        {
            // The fit of `c` is at least its bound: it cannot be chosen.
            if c.bound > *fit {
                break;
            }
            continue;
        }
        if let Some((fit, v)) = decode(c.index)
            && best.as_ref().is_none_or(|(b, i, _)| (fit, c.index) < (*b, *i))
        {
            best = Some((fit, c.index, v));
        }
    }
    best.map(|(_, _, v)| v)
}

/// Why `dict` does not decode as `T`, or `None` when it does.
#[cold]
pub fn candidate_error<T: serde::de::DeserializeOwned>(dict: &plist::Dictionary) -> Option<String> {
    crate::format::from_value_nested::<T>(&plist::Value::Dictionary(dict.clone()))
        .err()
        .map(|e| crate::format::nested_message(&e))
}

/// How many keys of a decoded value went to `extra`: the fewer, the better
/// a candidate type fits (used where several schema files share a tag).
pub trait UnknownKeyCount {
    /// The number of keys the type did not know.
    fn unknown_key_count(&self) -> usize;

    /// Whether a top-level key is one the type decodes (not into `extra`).
    /// A key it does not know counts in [`Self::unknown_key_count`] of any
    /// decode, which makes [`lower_bound`] a true bound.
    fn knows_key(key: &str) -> bool;
}

impl<T: crate::record::Record> UnknownKeyCount for T {
    fn unknown_key_count(&self) -> usize {
        self.extra().len()
    }

    fn knows_key(key: &str) -> bool {
        T::key_index(key).is_some()
    }
}

/// Implements serde and [`FieldValue`] for a generated enum that chooses its
/// variant by a tag key (`MessageType`, `code`, `PayloadType`, `Type`). The
/// enum's variants hold `Box<$ty>` (payload types reach kilobytes; a
/// profile's `Vec` of them should not pay for the largest in every slot).
#[doc(hidden)]
#[macro_export]
macro_rules! __any_tagged {
    (
        $name:ident, $tag:literal, $mode:ident,
        { $($variant:ident($ty:ty) => $wire:literal),* $(,)? },
        shared { $($index:literal => $shared:ident($sty:ty)),* $(,)? }
    ) => {
        impl $name {
            /// Every tag value the schema knows, in file order (a value
            /// appears once per file that uses it).
            pub const TAGS: &'static [&'static str] = &[$($wire),*];

            /// The tag key.
            pub const TAG_KEY: &'static str = $tag;

            /// This value's tag (empty when it has none).
            pub fn tag(&self) -> &str {
                match self {
                    $(Self::$variant(_) => $wire,)*
                    Self::Unrecognized(d) => d.get($tag).and_then(::plist::Value::as_string).unwrap_or(""),
                    Self::NotADictionary(_) => "",
                }
            }

            /// True for `Unrecognized`.
            pub fn is_unrecognized(&self) -> bool {
                matches!(self, Self::Unrecognized(_))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                match self {
                    $(Self::$variant(v) => ::serde::Serialize::serialize(&**v, s),)*
                    Self::Unrecognized(d) => ::serde::Serialize::serialize(d, s),
                    Self::NotADictionary(v) => ::serde::Serialize::serialize(v, s),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                $crate::__private::strict(d)
            }
        }

        impl $crate::__private::Candidates for $name {
            #[allow(unused_variables)]
            fn decode_candidate<'de, M: ::serde::de::MapAccess<'de>>(
                index: usize,
                map: M,
            ) -> ::core::result::Result<($crate::__private::Fit, Self), M::Error> {
                match index {
                    $(
                        $index => $crate::__private::decode_candidate::<$sty, M>(map)
                            .map(|(fit, v)| (fit, Self::$shared(::std::boxed::Box::new(v)))),
                    )*
                    _ => Err(::serde::de::Error::custom("no type at this place shares a tag")),
                }
            }
        }

        impl $crate::__private::FieldValue for $name {
            const KIND: $crate::ValueKind = $crate::ValueKind::Dictionary;
            const DEFAULT_MODE: $crate::DecodeMode = $crate::DecodeMode::$mode;

            $crate::__document!();

            fn view(&self) -> $crate::__private::View<'_> {
                match self {
                    $(Self::$variant(v) => $crate::__private::FieldValue::view(&**v),)*
                    Self::Unrecognized(d) => $crate::__private::View::Dict(d),
                    Self::NotADictionary(v) => $crate::__private::View::Value(v),
                }
            }

            // A family may have no file in an old schema (errors before iOS 16).
            #[allow(unused_mut, unused_variables)]
            fn from_map<'de, A: ::serde::de::MapAccess<'de>>(
                map: A,
            ) -> ::core::result::Result<$crate::__private::Decoded<Self>, A::Error> {
                let mut map = map;
                // The tag read ahead where the deserializer can (nothing
                // buffered), else the entries up to it.
                let (head, tag) = $crate::__private::read_head(&mut map, $tag)?;
                let sharing = Self::TAGS.iter().filter(|t| tag.as_deref() == Some(**t)).count();
                // The only type for its tag: the rest is decoded straight
                // into that type, each value once. (A lenient decode does
                // not fail on content; if it did, the error is returned, as
                // for a union.)
                if sharing == 1 {
                    $(
                        if tag.as_deref() == Some($wire) {
                            return $crate::__private::decode_head::<$ty, A>(head, $wire, map)
                                .map(|v| $crate::__private::Decoded::Typed(Self::$variant(::std::boxed::Box::new(v))));
                        }
                    )*
                    unreachable!("one candidate matched the tag");
                }
                // Several files share the tag: the best fit is kept, and a
                // file that cannot beat the best so far is not decoded (see
                // `choose`). Each candidate's bound comes from the keys.
                let candidates = |keys: &[&str]| {
                    let mut candidates = ::std::vec::Vec::new();
                    $(
                        if tag.as_deref() == Some(Self::TAGS[$index]) {
                            candidates.push($crate::__private::Candidate {
                                index: $index,
                                bound: $crate::__private::lower_bound::<$sty>(keys, $tag),
                            });
                        }
                    )*
                    candidates
                };
                // Read ahead (the token decoder, binary): decoded from the
                // tokens, the chosen one once.
                if sharing > 1
                    && let Some(v) = $crate::__private::speculate::<Self, A, _>(&mut map, &head, candidates)?
                {
                    return Ok($crate::__private::Decoded::Typed(v));
                }
                // Else (or when no type takes the tag, or no candidate
                // decodes) the whole value is needed.
                let dict = $crate::__private::finish_head(map, head, $tag, tag.as_deref())?;
                let keys: ::std::vec::Vec<&str> = dict.keys().map(::std::string::String::as_str).collect();
                let candidates = candidates(&keys);
                let value = ::plist::Value::Dictionary(dict);
                let best = $crate::__private::choose(candidates, |index| match index {
                    $(
                        $index => $crate::__private::candidate_from_value::<$sty>(&value)
                            .map(|(fit, v)| (fit, Self::$shared(::std::boxed::Box::new(v)))),
                    )*
                    _ => None,
                });
                Ok($crate::__private::Decoded::Typed(match best {
                    Some(v) => v,
                    None => Self::Unrecognized(value.into_dictionary().unwrap_or_default()),
                }))
            }

            fn from_other(raw: ::plist::Value) -> ::core::result::Result<Self, ::plist::Value> {
                Ok(Self::NotADictionary(raw))
            }

            #[allow(unused_variables, unused_mut)]
            fn collect_deviations(&self, path: &mut $crate::KeyPath, out: &mut ::std::vec::Vec<$crate::Deviation>) {
                match self {
                    $(Self::$variant(v) => $crate::__private::FieldValue::collect_deviations(&**v, path, out),)*
                    Self::NotADictionary(v) => {
                        out.push($crate::Deviation::wrong_kind(path.clone(), $crate::ValueKind::Dictionary, v));
                    }
                    Self::Unrecognized(d) => {
                        // No tag, or one that is not a string: it cannot be typed.
                        let Some(tag) = $crate::__private::tag_of(d, $tag, path, out) else { return };
                        // A known tag whose every candidate failed: listed.
                        let mut reason: ::core::option::Option<::std::string::String> = None;
                        $(
                            if reason.is_none() && tag == $wire {
                                reason = $crate::__private::candidate_error::<$ty>(d);
                            }
                        )*
                        if let Some(reason) = reason {
                            out.push($crate::Deviation::untyped(path.clone(), tag, reason));
                        }
                    }
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::{CANDIDATE_DECODES, Candidate, Fit, choose};

    /// Every arrangement of bounds and fits (a fit never below its bound):
    /// `choose` picks the least `(fit, index)` that decoding all of them in
    /// order picks, and decodes fewer when bounds allow.
    #[test]
    fn choose_agrees_with_decoding_every_candidate() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n) as usize
        };
        let mut saved = 0;
        for _ in 0..20_000 {
            let n = 1 + next(6);
            let bounds: Vec<Fit> = (0..n).map(|_| (0, next(4))).collect();
            let fits: Vec<Option<Fit>> =
                bounds.iter().map(|b| (next(5) != 0).then(|| (next(3).saturating_sub(1), b.1 + next(3)))).collect();
            let expected = fits.iter().enumerate().filter_map(|(i, f)| f.map(|f| (f, i))).min().map(|(_, i)| i);
            let candidates = bounds.iter().enumerate().map(|(index, &bound)| Candidate { index, bound }).collect();
            let mut decoded = 0;
            let got = choose(candidates, |index| {
                decoded += 1;
                fits[index].map(|fit| (fit, index))
            });
            assert_eq!(got, expected, "bounds {bounds:?} fits {fits:?}");
            saved += n - decoded;
        }
        assert!(saved > 0, "bounds never spared a decode");
    }

    /// A `com.apple.MCX` payload (six files share the tag) in a binary
    /// plist is decoded straight from the tokens, wherever its tag is: the
    /// candidate with the best bound first, and no other when its fit
    /// equals its bound; a later candidate only while it can still win; no
    /// `plist::Value` built. In XML, and through the plist crate's
    /// deserializer (which cannot read ahead), the choice is made from the
    /// value, as before. All give the same profile, and the payloads after
    /// it are read from where it ended.
    #[cfg(feature = "profiles")]
    #[test]
    fn shared_tags_are_chosen_from_the_tokens() {
        use crate::format::{PlistDecoder, with_plist_decoder};
        use crate::profiles::{AnyPayload, Profile};
        let payload = |n: usize, keys: &str, tag_first: bool| {
            let tag = "<key>PayloadType</key><string>com.apple.MCX</string>";
            let (first, last) = if tag_first { (tag, "") } else { ("", tag) };
            format!(
                "<dict>{first}<key>PayloadIdentifier</key><string>p{n}</string>{keys}{last}\
                 <key>PayloadUUID</key><string>u{n}</string><key>PayloadVersion</key><integer>1</integer></dict>"
            )
        };
        let wifi = "<dict><key>PayloadType</key><string>com.apple.wifi.managed</string><key>SSID_STR</key>\
                    <string>n</string><key>PayloadIdentifier</key><string>w</string><key>PayloadUUID</key>\
                    <string>uw</string><key>PayloadVersion</key><integer>1</integer></dict>";
        // (keys, the variant chosen, candidates decoded from the tokens)
        type Case = (&'static str, fn(&AnyPayload) -> bool, usize);
        let cases: [Case; 5] = [
            (
                "<key>timeServer</key><string>t</string><key>timeZone</key><string>z</string>",
                |p| matches!(p, AnyPayload::McxTimeServer(_)),
                1,
            ),
            (
                "<key>com.apple.EnergySaver.desktop.ACPower</key><dict><key>Wake on LAN</key><integer>1</integer>\
                 </dict><key>Extra</key><array><dict/><data>AAE=</data></array>",
                |p| matches!(p, AnyPayload::McxEnergySaver(_)),
                1,
            ),
            // No key of any file: every candidate has the same bound, the
            // first file fits it.
            ("", |p| matches!(p, AnyPayload::McxAccounts(_)), 1),
            // The best bound (TimeServer) has a value of the wrong kind: its
            // fit (a deviation) is worse than the next bound, and the first
            // file with that bound fits it; the four after it cannot beat
            // it and are not decoded.
            (
                "<key>timeServer</key><integer>1</integer><key>timeZone</key><string>z</string>",
                |p| matches!(p, AnyPayload::McxAccounts(_)),
                2,
            ),
            // Two files with the same bound: the earlier one fits it, the
            // later one is not decoded.
            (
                "<key>RequireAdminForIBSS</key><true/><key>timeZone</key><string>z</string>",
                |p| matches!(p, AnyPayload::McxTimeServer(_)),
                1,
            ),
        ];
        for (keys, chosen, trials) in cases {
            for tag_first in [true, false] {
                let xml = format!(
                    "<plist version=\"1.0\"><dict><key>PayloadContent</key><array>{}{wifi}</array>\
                     <key>PayloadIdentifier</key><string>p</string><key>PayloadType</key><string>Configuration</string>\
                     <key>PayloadUUID</key><string>u</string><key>PayloadVersion</key><integer>1</integer></dict></plist>",
                    payload(0, keys, tag_first)
                );
                let value: plist::Value = plist::from_bytes(xml.as_bytes()).unwrap();
                let mut binary = Vec::new();
                value.to_writer_binary(&mut binary).unwrap();
                for (bytes, binary) in [(xml.as_bytes(), false), (&binary[..], true)] {
                    let decode = |decoder| {
                        CANDIDATE_DECODES.with(|c| c.set((0, 0)));
                        let p = with_plist_decoder(decoder, || crate::from_plist::<Profile>(bytes)).unwrap();
                        (p, CANDIDATE_DECODES.with(std::cell::Cell::get))
                    };
                    let (tokens, counted) = decode(PlistDecoder::TokensOnly);
                    let (reference, by_value) = decode(PlistDecoder::ReferenceOnly);
                    assert!(chosen(&tokens.payload_content[0]), "{keys}: {:?}", tokens.payload_content[0]);
                    if binary {
                        assert_eq!(counted, (trials, 0), "{keys}, tag first: {tag_first}");
                    } else {
                        // XML keys are not listed ahead: chosen from the value.
                        assert_eq!((counted.0, counted.1 >= 1), (0, true), "{keys}, tag first: {tag_first}");
                    }
                    assert_eq!((by_value.0, by_value.1 >= 1), (0, true), "{keys}");
                    assert_eq!(tokens, reference, "{keys}");
                    assert!(matches!(tokens.payload_content[1], AnyPayload::WifiManaged(_)), "{keys}");
                }
            }
        }
    }

    /// A union element and a command are typed by a tag wherever it is.
    /// The token decoder reads a binary plist's tag ahead and buffers
    /// nothing; XML, and the plist crate's deserializer, buffer the entries
    /// before it. All give the same values. A repeated tag must agree, and
    /// is encoded once.
    #[cfg(feature = "commands")]
    #[test]
    fn unions_and_commands_are_typed_by_a_tag_read_ahead() {
        use crate::buffered::BUFFERED_ENTRIES;
        use crate::commands::{AnyRequest, settings::Setting};
        use crate::format::{PlistDecoder, with_plist_decoder};
        use crate::{Command, from_plist, to_plist_xml};
        let command = |settings: &str, tag: &str, tag_first: bool| {
            let (first, last) = if tag_first { (tag, "") } else { ("", tag) };
            format!(
                "<plist version=\"1.0\"><dict><key>Command</key><dict>{first}<key>Settings</key><array>{settings}\
                 </array>{last}</dict><key>CommandUUID</key><string>c</string></dict></plist>"
            )
        };
        let settings = "<dict><key>DeviceName</key><string>n</string><key>Item</key><string>DeviceName</string></dict>\
            <dict><key>Item</key><string>Bluetooth</string><key>Enabled</key><true/></dict>\
            <dict><key>Later</key><data>AAE=</data><key>Item</key><string>Future</string><key>X</key><true/></dict>\
            <dict><key>Enabled</key><false/><key>Item</key><string>Bluetooth</string>\
            <key>Item</key><string>Bluetooth</string></dict>";
        let tag = "<key>RequestType</key><string>Settings</string>";
        for tag_first in [true, false] {
            let xml = command(settings, tag, tag_first);
            let value: plist::Value = plist::from_bytes(xml.as_bytes()).unwrap();
            let mut binary = Vec::new();
            value.to_writer_binary(&mut binary).unwrap();
            for (bytes, binary) in [(xml.as_bytes(), false), (&binary[..], true)] {
                let decode = |decoder| {
                    BUFFERED_ENTRIES.with(|n| n.set(0));
                    let c = with_plist_decoder(decoder, || from_plist::<Command<AnyRequest>>(bytes)).unwrap();
                    (c, BUFFERED_ENTRIES.with(std::cell::Cell::get))
                };
                let (tokens, buffered) = decode(PlistDecoder::TokensOnly);
                let (reference, by_reference) = decode(PlistDecoder::ReferenceOnly);
                assert_eq!(tokens, reference, "tag first: {tag_first}");
                // Before the tags: Settings (unless RequestType is first),
                // DeviceName, Later, Enabled; then each tag.
                let before_tags = if tag_first { 8 } else { 9 };
                assert_eq!(by_reference, before_tags, "tag first: {tag_first}");
                assert_eq!(buffered, if binary { 0 } else { before_tags }, "tag first: {tag_first}");
                let AnyRequest::Settings(s) = &tokens.command else { panic!("{:?}", tokens.command) };
                let [
                    Setting::DeviceName(name),
                    Setting::Bluetooth(on),
                    Setting::Unrecognized(future),
                    Setting::Bluetooth(off),
                ] = &s.settings[..]
                else {
                    panic!("{:?}", s.settings)
                };
                assert_eq!((name.device_name.as_str(), on.enabled, off.enabled), ("n", true, false));
                assert!(name.extra.is_empty() && on.extra.is_empty() && off.extra.is_empty());
                assert_eq!(future.keys().collect::<Vec<_>>(), ["Later", "Item", "X"]);
                let again = to_plist_xml(&tokens).unwrap();
                assert_eq!(again.matches("<key>Item</key>").count(), 4, "{again}");
            }
        }
        // A repeated tag with another value is an error (the token decoder
        // declines a document that does not decode, and the plist crate's
        // reader says why).
        for (xml, key) in [
            (
                command(
                    "<dict><key>Item</key><string>Bluetooth</string><key>Enabled</key><true/>\
                     <key>Item</key><string>DeviceName</string></dict>",
                    tag,
                    true,
                ),
                "Item",
            ),
            (command("", &format!("{tag}<key>RequestType</key><string>Restart</string>"), false), "RequestType"),
        ] {
            for decoder in [PlistDecoder::Default, PlistDecoder::ReferenceOnly] {
                let err = with_plist_decoder(decoder, || from_plist::<Command<AnyRequest>>(xml.as_bytes()))
                    .unwrap_err()
                    .to_string();
                assert!(err.contains(key), "{err}");
            }
        }
    }
}
