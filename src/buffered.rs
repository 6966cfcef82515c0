//! Decoding a dictionary whose type one of its keys names, reading each
//! value once.
//!
//! A union element (Settings' `Item`), an any-command (`RequestType`) or a
//! payload (`PayloadType`) cannot be typed before its tag is read, and the
//! tag may come after other keys. [`read_until_tag`] reads only the entries
//! before the tag into `plist::Value`s; [`decode_prefixed`] then gives the
//! chosen type those entries, taking the values apart (their strings and
//! data are moved, not copied), followed by the rest of the dictionary
//! straight from the deserializer. The values are presented exactly as the
//! plist crate's own deserializer presents them (dates and UIDs as its enum
//! inside a `plist::Value`, integers as `u64` when they fit), so every
//! decoding rule of [`crate::record`] applies unchanged.

use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, MapDeserializer, StrDeserializer};
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};

/// Entries of a dictionary read before its tag, in their order.
pub type Entries = Vec<(String, plist::Value)>;

/// Reads a dictionary's entries up to its `tag` key (`PayloadType`,
/// `RequestType`, a union's discriminator), which chooses the type of the
/// whole dictionary: the entries before it, and the tag's value (`None`
/// when the dictionary has no such key, and then every entry was read).
pub fn read_until_tag<'de, A: MapAccess<'de>>(
    map: &mut A,
    tag: &str,
) -> Result<(Entries, Option<plist::Value>), A::Error> {
    let mut prefix = Vec::new();
    while let Some(key) = map.next_key::<String>()? {
        let value = crate::record::raw_value(map)?;
        if key == tag {
            return Ok((prefix, Some(value)));
        }
        prefix.push((key, value));
    }
    Ok((prefix, None))
}

/// The whole dictionary, for a tag no single type takes: the entries read
/// before the tag, the tag, and the rest, in their order.
pub fn finish_buffer<'de, A: MapAccess<'de>>(
    mut map: A,
    prefix: Entries,
    tag: Option<(&str, plist::Value)>,
) -> Result<plist::Dictionary, A::Error> {
    let mut dict: plist::Dictionary = prefix.into_iter().collect();
    if let Some((key, value)) = tag {
        dict.insert(key.to_owned(), value);
    }
    while let Some(key) = map.next_key::<String>()? {
        let value = crate::record::raw_value(&mut map)?;
        dict.insert(key, value);
    }
    Ok(dict)
}

/// Decodes `T` from the entries read before the tag (taken apart) and then straight from the rest of the dictionary:
/// once the tag is known, nothing more is buffered and each value is
/// decoded once.
pub fn decode_prefixed<'de, T: crate::record::FieldValue, A: MapAccess<'de>>(
    prefix: Entries,
    map: A,
) -> Result<T, A::Error> {
    let chained = Prefixed { prefix: prefix.into_iter(), value: None, live: map };
    match T::from_map(chained)? {
        crate::record::Decoded::Typed(t) => Ok(t),
        _ => Err(de::Error::custom("a dictionary that is not a record")),
    }
}

/// The entries read before a tag, then the rest of the live dictionary.
struct Prefixed<A> {
    prefix: std::vec::IntoIter<(String, plist::Value)>,
    value: Option<plist::Value>,
    live: A,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Prefixed<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        match self.prefix.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(StrDeserializer::<A::Error>::new(&key)).map(Some)
            }
            None => self.live.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        match self.value.take() {
            // Read inside a `plist::Value` (the tagged enum's own decoding).
            Some(value) => seed.deserialize(Owned::<A::Error>::new(value, true)),
            None => self.live.next_value_seed(seed),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        self.live.size_hint().map(|n| n + self.prefix.len())
    }
}

/// A deserializer over an owned value, with the error type of the
/// deserializer it stands in for.
struct Owned<E> {
    value: plist::Value,
    /// Inside a `plist::Value` (the crate's `PLIST-VALUE` newtype): dates
    /// and UIDs are given as the plist crate's enum, as its deserializer
    /// does.
    in_plist_value: bool,
    error: PhantomData<fn() -> E>,
}

impl<E> Owned<E> {
    fn new(value: plist::Value, in_plist_value: bool) -> Owned<E> {
        Owned { value, in_plist_value, error: PhantomData }
    }
}

impl<'de, E: de::Error> de::Deserializer<'de> for Owned<E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        let in_plist_value = self.in_plist_value;
        match self.value {
            plist::Value::Array(items) => {
                visitor.visit_seq(Seq::<E> { items: items.into_iter(), in_plist_value, error: PhantomData })
            }
            plist::Value::Dictionary(dict) => visitor.visit_map(Map::<E> {
                entries: dict.into_iter(),
                value: None,
                in_plist_value,
                error: PhantomData,
            }),
            plist::Value::Boolean(v) => visitor.visit_bool(v),
            plist::Value::Data(v) => visitor.visit_byte_buf(v),
            plist::Value::Date(v) if in_plist_value => visitor.visit_enum(MapAccessDeserializer::new(
                MapDeserializer::new([(crate::record::PLIST_DATE, v.to_xml_format())].into_iter()),
            )),
            plist::Value::Date(v) => visitor.visit_string(v.to_xml_format()),
            plist::Value::Integer(v) => match (v.as_unsigned(), v.as_signed()) {
                (Some(u), _) => visitor.visit_u64(u),
                (None, Some(i)) => visitor.visit_i64(i),
                (None, None) => Err(de::Error::custom("an integer that is neither signed nor unsigned")),
            },
            plist::Value::Real(v) => visitor.visit_f64(v),
            plist::Value::String(v) => visitor.visit_string(v),
            plist::Value::Uid(v) if in_plist_value => visitor.visit_enum(MapAccessDeserializer::new(
                MapDeserializer::new([(crate::record::PLIST_UID, v.get())].into_iter()),
            )),
            plist::Value::Uid(v) => visitor.visit_u64(v.get()),
            _ => Err(de::Error::custom("a plist value of a kind this version does not know")),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(mut self, name: &'static str, visitor: V) -> Result<V::Value, E> {
        if name == crate::record::PLIST_VALUE {
            self.in_plist_value = true;
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        // A value that is there is `Some` (plist has no null).
        visitor.visit_some(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        // The plist crate writes `()` as an empty string.
        match self.value {
            plist::Value::String(_) => visitor.visit_unit(),
            other => Err(de::Error::custom(format_args!("expected a string for a unit, found {other:?}"))),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        // Unit variants are plain strings, as the plist crate writes them.
        match self.value {
            plist::Value::String(s) => {
                IntoDeserializer::<E>::into_deserializer(s).deserialize_enum(name, variants, visitor)
            }
            value => Owned::<E>::new(value, self.in_plist_value).deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// The entries of an owned dictionary.
struct Map<E> {
    entries: <plist::Dictionary as IntoIterator>::IntoIter,
    value: Option<plist::Value>,
    in_plist_value: bool,
    error: PhantomData<fn() -> E>,
}

impl<'de, E: de::Error> MapAccess<'de> for Map<E> {
    type Error = E;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, E> {
        let Some((key, value)) = self.entries.next() else { return Ok(None) };
        self.value = Some(value);
        // The key is lent, not given: a known key is matched in place and
        // only a key kept in `extra` is copied.
        seed.deserialize(StrDeserializer::<E>::new(&key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, E> {
        let value = self.value.take().ok_or_else(|| E::custom("a value asked for before its key"))?;
        seed.deserialize(Owned::<E>::new(value, self.in_plist_value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.size_hint().0)
    }
}

/// The elements of an owned array.
struct Seq<E> {
    items: std::vec::IntoIter<plist::Value>,
    in_plist_value: bool,
    error: PhantomData<fn() -> E>,
}

impl<'de, E: de::Error> SeqAccess<'de> for Seq<E> {
    type Error = E;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, E> {
        let Some(value) = self.items.next() else { return Ok(None) };
        seed.deserialize(Owned::<E>::new(value, self.in_plist_value)).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> plist::Dictionary {
        let mut inner = plist::Dictionary::new();
        inner.insert("date".into(), plist::Value::Date(std::time::SystemTime::UNIX_EPOCH.into()));
        inner.insert("data".into(), plist::Value::Data(vec![0, 1, 2, 255]));
        inner.insert("uid".into(), plist::Value::Uid(plist::Uid::new(7)));
        inner.insert("big".into(), plist::Value::Integer(u64::MAX.into()));
        inner.insert("negative".into(), plist::Value::Integer((-5i64).into()));
        inner.insert("real".into(), plist::Value::Real(1.5));
        inner.insert("flag".into(), plist::Value::Boolean(true));
        let mut d = plist::Dictionary::new();
        d.insert("Name".into(), "x".into());
        d.insert("List".into(), plist::Value::Array(vec![inner.clone().into(), "s".into()]));
        d.insert("Inner".into(), inner.into());
        d
    }

    /// Entries taken apart give what they were, every kind included (dates,
    /// UIDs, integers beyond `i64`), through this crate's decoding.
    #[test]
    fn entries_taken_apart_are_what_they_were() {
        let dict = sample();
        let entries: Vec<(String, plist::Value)> = dict.clone().into_iter().collect();
        let rest = MapDeserializer::<_, plist::Error>::new(std::iter::empty::<(String, String)>());
        let value: plist::Value = decode_prefixed(entries, rest).unwrap();
        assert_eq!(value, plist::Value::Dictionary(dict));
    }

    /// Reading stops at the tag; the rest is still to be read, and a
    /// dictionary kept whole keeps its order.
    #[test]
    fn reading_stops_at_the_tag() {
        let keys = ["Name", "Other", "Tag", "After"];
        let mut map = MapDeserializer::<_, plist::Error>::new(keys.iter().map(|k| (k.to_string(), format!("{k}!"))));
        let (prefix, tag) = read_until_tag(&mut map, "Tag").unwrap();
        assert_eq!(prefix.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["Name", "Other"]);
        assert_eq!(tag, Some(plist::Value::String("Tag!".into())));
        let whole = finish_buffer(map, prefix, tag.map(|v| ("Tag", v))).unwrap();
        assert_eq!(whole.keys().collect::<Vec<_>>(), keys);
        let mut map = MapDeserializer::<_, plist::Error>::new(keys.iter().map(|k| (k.to_string(), k.to_string())));
        let (prefix, tag) = read_until_tag(&mut map, "Missing").unwrap();
        assert_eq!((prefix.len(), tag), (4, None));
    }
}
