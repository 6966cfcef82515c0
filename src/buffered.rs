//! Decoding a dictionary whose type one of its keys names, reading each
//! value once.
//!
//! A union element (Settings' `Item`), an any-command (`RequestType`) or a
//! payload (`PayloadType`) cannot be typed before its tag is read, and the
//! tag may come after other keys. [`read_head`] learns the tag: this
//! crate's token decoder reads a binary plist ahead to it through the
//! dictionary's references, consuming nothing but the first key (nothing
//! buffered); XML, and any other deserializer, is read entry by entry up
//! to the tag, those entries kept as `plist::Value`s (reading XML ahead
//! means reading its tokens twice, which measured slower).
//! [`decode_head`] and [`decode_head_tagged`] then give the chosen type
//! those entries, taking the
//! values apart (their strings and data are moved, not copied), followed by
//! the rest of the dictionary straight from the deserializer. The values
//! are presented exactly as the plist crate's own deserializer presents
//! them (dates and UIDs as its enum inside a `plist::Value`, integers as
//! `u64` when they fit), so every decoding rule of [`crate::record`]
//! applies unchanged.

use std::borrow::Cow;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, MapDeserializer, StrDeserializer};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

/// Entries of a dictionary read before its tag, in their order.
pub type Entries = Vec<(String, plist::Value)>;

/// Reads entries, starting with `first` when a key was already read, up to
/// and including the `tag`'s; whether the tag was read.
fn read_entries_to_tag<'de, A: MapAccess<'de>>(
    map: &mut A,
    mut first: Option<String>,
    tag: &str,
) -> Result<(Entries, bool), A::Error> {
    let mut entries = Vec::new();
    loop {
        let key = match first.take() {
            Some(key) => key,
            None => match map.next_key::<String>()? {
                Some(key) => key,
                None => return Ok((entries, false)),
            },
        };
        let value = crate::record::raw_value(map)?;
        #[cfg(test)]
        BUFFERED_ENTRIES.with(|n| n.set(n.get() + 1));
        let found = key == tag;
        entries.push((key, value));
        if found {
            return Ok((entries, true));
        }
    }
}

#[cfg(test)]
thread_local! {
    /// Entries [`read_head`] kept as `plist::Value`s on this thread: none
    /// when the tag was read ahead.
    pub(crate) static BUFFERED_ENTRIES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The name of the newtype a [`read_head`] probe asks a dictionary's first
/// key as. A deserializer that can read ahead in its input (this crate's
/// token-level decoder of binary plists) answers with the entries of the
/// rest of the dictionary, values read only on request and nothing
/// consumed but the first key (see [`Probe`]); any other gives the key as
/// a plain string.
pub(crate) const TAG_PROBE: &str = "\u{0}apple-device-management::tag-probe";

/// A dictionary read up to its tag, for a type that keeps the tag among
/// its fields (`PayloadType`, `MessageType`, a declaration's `Type`).
pub struct Head {
    /// The entries read, in their order (the tag's among them when it was
    /// read).
    entries: Entries,
    /// A key read whose value is still to come: the tag was found by
    /// reading ahead, and nothing else was buffered.
    pending: Option<String>,
    /// The tag's string was moved out of the last entry to the caller of
    /// [`read_head`]; the entry holds an empty string until the tag is put
    /// back ([`Head::put_back`]) or the entry is dropped as read
    /// ([`decode_head_tagged`]).
    moved: bool,
}

impl Head {
    /// The entries with the tag's value back in place.
    fn put_back(mut self, tag: Option<&str>) -> Self {
        if std::mem::take(&mut self.moved)
            && let (Some((_, value)), Some(tag)) = (self.entries.last_mut(), tag)
        {
            *value = plist::Value::String(tag.to_owned());
        }
        self
    }
}

/// Reads a dictionary as far as it takes to learn its `tag`'s string value
/// (`None`: no tag, or not a string). A deserializer that can read ahead
/// (see `TAG_PROBE` in this module) gives the tag without anything being buffered; any
/// other is read entry by entry up to the tag, each entry kept as a
/// `plist::Value`.
pub fn read_head<'de, A: MapAccess<'de>>(map: &mut A, tag: &str) -> Result<(Head, Option<String>), A::Error> {
    let Some(Probed { key, ahead }) = map.next_key_seed(Probe { tag })? else {
        return Ok((Head { entries: Vec::new(), pending: None, moved: false }, None));
    };
    if let Some(value) = ahead {
        return Ok((Head { entries: Vec::new(), pending: Some(key), moved: false }, Some(value)));
    }
    let (mut entries, found) = read_entries_to_tag(map, Some(key), tag)?;
    // The tag's string is moved, not copied (see `Head::moved`).
    let value = match entries.last_mut() {
        Some((_, plist::Value::String(s))) if found => Some(std::mem::take(s)),
        _ => None,
    };
    Ok((Head { entries, pending: None, moved: value.is_some() }, value))
}

/// Decodes `T` from a [`Head`] whose tag's value is `tag` (as
/// [`read_head`] gave it) and the rest of the dictionary: nothing more is
/// buffered, and each value is decoded once.
pub fn decode_head<'de, T: crate::record::FieldValue, A: MapAccess<'de>>(
    head: Head,
    tag: &str,
    map: A,
) -> Result<T, A::Error> {
    decode_dict(head_entries(head.put_back(Some(tag)), map))
}

/// Decodes the record `T`, which the tag `(key, value)` chose, from a
/// [`Head`] and the rest of the dictionary, as
/// [`decode_record`](crate::record::decode_record) with that tag does: a
/// tag read into the head (the last entry) counts as read and is not read
/// again; a tag read ahead is read where it comes. A repeated tag is
/// checked either way.
pub fn decode_head_tagged<'de, T: crate::record::Record, A: MapAccess<'de>>(
    mut head: Head,
    tag: (&'static str, &'static str),
    map: A,
) -> Result<T, A::Error> {
    let seen = std::mem::take(&mut head.moved);
    if seen {
        head.entries.pop();
    }
    crate::record::decode_record_from(head_entries(head, map), Some(tag), seen)
}

/// The entries of a [`Head`] (taken apart), then the rest of the
/// dictionary.
fn head_entries<'de, A: MapAccess<'de>>(head: Head, map: A) -> Prefixed<A> {
    Prefixed { prefix: head.entries.into_iter(), pending: head.pending, value: None, live: map }
}

/// The name of the newtype [`speculate`] asks the value of a dictionary's
/// first key as (when [`read_head`] read its tag ahead). The token decoder
/// answers with `visit_seq`: an element asked for as a [`KEYS_AHEAD`]
/// newtype is the dictionary's other keys, listed ahead (or an error); any
/// other is the dictionary's entries from that value on, read by a copy of
/// the reader. When a copy reads the dictionary to its end, the reader
/// takes that copy's place; if none does, nothing has moved.
pub(crate) const SPECULATE: &str = "\u{0}apple-device-management::speculate";

/// Chooses among the types that share a tag read ahead (see [`read_head`])
/// straight from the deserializer: the dictionary's keys are listed ahead
/// (a binary plist's key references; nothing else is read), `candidates`
/// gives each type's place and bound for those keys, and each candidate
/// is decoded from the dictionary's tokens by a copy of the reader, in the
/// order and with the skips of [`choose`](crate::dispatch::choose). The
/// choice is the one decoding every candidate would make, and the chosen
/// value is decoded once, with no `plist::Value` built.
///
/// `None` (and nothing read) when the tag was not read ahead (XML, or a
/// deserializer other than the token decoder), when the keys are not
/// listed ahead, or when no candidate decodes: the caller then reads the
/// whole dictionary and chooses from it (`finish_head`, `choose`), as
/// before.
pub fn speculate<'de, Out, A, F>(map: &mut A, head: &Head, candidates: F) -> Result<Option<Out>, A::Error>
where
    Out: crate::dispatch::Candidates,
    A: MapAccess<'de>,
    F: FnOnce(&[&str]) -> Vec<crate::dispatch::Candidate>,
{
    // Only the token decoder reads the tag ahead, and only it is asked: any
    // other deserializer would read the value.
    let Some(key) = head.pending.as_deref() else { return Ok(None) };
    map.next_value_seed(Speculate { key, candidates, out: PhantomData })
}

/// The seed of [`speculate`].
struct Speculate<'k, Out, F> {
    key: &'k str,
    candidates: F,
    out: PhantomData<fn() -> Out>,
}

impl<'de, Out, F> DeserializeSeed<'de> for Speculate<'_, Out, F>
where
    Out: crate::dispatch::Candidates,
    F: FnOnce(&[&str]) -> Vec<crate::dispatch::Candidate>,
{
    type Value = Option<Out>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<Out>, D::Error> {
        d.deserialize_newtype_struct(SPECULATE, self)
    }
}

impl<'de, Out, F> Visitor<'de> for Speculate<'_, Out, F>
where
    Out: crate::dispatch::Candidates,
    F: FnOnce(&[&str]) -> Vec<crate::dispatch::Candidate>,
{
    type Value = Option<Out>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a dictionary read ahead")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut copies: S) -> Result<Option<Out>, S::Error> {
        let key = self.key;
        // The first element: the keys after the first, when the reader
        // lists them ahead.
        let Ok(Some(KeysAhead(mut keys))) = copies.next_element_seed(PhantomData::<KeysAhead>) else {
            return Ok(None);
        };
        keys.push(key.to_owned());
        keys.sort_unstable();
        keys.dedup();
        let candidates = (self.candidates)(&keys.iter().map(String::as_str).collect::<Vec<_>>());
        // A candidate that does not decode (an error) is passed over.
        Ok(crate::dispatch::choose(candidates, |index| {
            copies.next_element_seed(Trial { key, index, out: PhantomData }).ok().flatten()
        }))
    }
}

/// One candidate decoded by a copy of the reader: the dictionary's first
/// key (read already), then its entries from that key's value on.
struct Trial<'k, Out> {
    key: &'k str,
    index: usize,
    out: PhantomData<fn() -> Out>,
}

impl<'de, Out: crate::dispatch::Candidates> DeserializeSeed<'de> for Trial<'_, Out> {
    type Value = (crate::dispatch::Fit, Out);

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, Out: crate::dispatch::Candidates> Visitor<'de> for Trial<'_, Out> {
    type Value = (crate::dispatch::Fit, Out);

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a dictionary")
    }

    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Self::Value, M::Error> {
        let entries =
            Prefixed { prefix: Vec::new().into_iter(), pending: Some(self.key.to_owned()), value: None, live: map };
        Out::decode_candidate(self.index, entries)
    }
}

/// The name of the newtype the first element of [`speculate`]'s copies is
/// asked as: the token decoder answers with `visit_map` over the keys of
/// the dictionary after the one read (values not read), or declines.
pub(crate) const KEYS_AHEAD: &str = "\u{0}apple-device-management::keys-ahead";

/// The keys of a dictionary after its first, listed ahead.
struct KeysAhead(Vec<String>);

impl<'de> de::Deserialize<'de> for KeysAhead {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<KeysAhead, D::Error> {
        d.deserialize_newtype_struct(KEYS_AHEAD, KeysAheadVisitor)
    }
}

struct KeysAheadVisitor;

impl<'de> Visitor<'de> for KeysAheadVisitor {
    type Value = KeysAhead;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the keys of a dictionary")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<KeysAhead, M::Error> {
        let mut keys = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            keys.push(key);
        }
        Ok(KeysAhead(keys))
    }
}

/// The whole dictionary of a [`Head`] whose tag `tag_key` has the value `tag`
/// (as [`read_head`] gave it), for a tag no single type takes: the entries
/// in their order. A tag repeated later with another value is an error
/// (see `crate::dispatch::check_repeated_tag`).
pub fn finish_head<'de, A: MapAccess<'de>>(
    mut map: A,
    head: Head,
    tag_key: &str,
    tag: Option<&str>,
) -> Result<plist::Dictionary, A::Error> {
    let head = head.put_back(tag);
    let mut dict: plist::Dictionary = head.entries.into_iter().collect();
    if let Some(key) = head.pending {
        let value = crate::record::raw_value(&mut map)?;
        dict.insert(key, value);
    }
    while let Some(key) = map.next_key::<String>()? {
        let value = crate::record::raw_value(&mut map)?;
        dict.insert(key, value);
    }
    crate::dispatch::check_repeated_tag(&dict, tag_key, tag)?;
    Ok(dict)
}

/// Decodes a dictionary type (a record, a payload) from its entries.
pub(crate) fn decode_dict<'de, T: crate::record::FieldValue, M: MapAccess<'de>>(map: M) -> Result<T, M::Error> {
    match T::from_map(map)? {
        crate::record::Decoded::Typed(t) => Ok(t),
        _ => Err(de::Error::custom("a dictionary that is not a record")),
    }
}

/// The entries read before a tag, then the rest of the live dictionary
/// (starting with a key already read, when there is one).
struct Prefixed<A> {
    prefix: std::vec::IntoIter<(String, plist::Value)>,
    pending: Option<String>,
    value: Option<plist::Value>,
    live: A,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Prefixed<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        if let Some((key, value)) = self.prefix.next() {
            self.value = Some(value);
            return seed.deserialize(StrDeserializer::<A::Error>::new(&key)).map(Some);
        }
        match self.pending.take() {
            // Its value is the live dictionary's next.
            Some(key) => seed.deserialize(StrDeserializer::<A::Error>::new(&key)).map(Some),
            None => self.live.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        match self.value.take() {
            // Read inside a `plist::Value` (the tagged enum's own decoding).
            Some(value) => seed.deserialize(Given::<A::Error>::new(Cow::Owned(value), true)),
            None => self.live.next_value_seed(seed),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        self.live.size_hint().map(|n| n + self.prefix.len() + usize::from(self.pending.is_some()))
    }
}

/// The first key of a dictionary, and what lies ahead.
struct Probed {
    key: String,
    /// The tag's value, when the deserializer read ahead and found it a
    /// string. `None` otherwise: the deserializer cannot read ahead, the
    /// dictionary has no tag, or the tag is not a string (then the
    /// dictionary is read entry by entry, so that the value is kept for
    /// the deviation that names it).
    ahead: Option<String>,
}

/// Reads a dictionary's first key as a [`TAG_PROBE`] newtype. The token
/// decoder answers with `visit_map` over the dictionary's entries from that
/// key on, having consumed only the key: the keys are read until the tag,
/// whose value alone is asked for (a string, or a unit for anything else).
struct Probe<'t> {
    tag: &'t str,
}

impl<'de> DeserializeSeed<'de> for Probe<'_> {
    type Value = Probed;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Probed, D::Error> {
        d.deserialize_newtype_struct(TAG_PROBE, self)
    }
}

impl<'de> Visitor<'de> for Probe<'_> {
    type Value = Probed;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a dictionary key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Probed, E> {
        Ok(Probed { key: key.to_owned(), ahead: None })
    }

    fn visit_string<E: de::Error>(self, key: String) -> Result<Probed, E> {
        Ok(Probed { key, ahead: None })
    }

    fn visit_newtype_struct<D: de::Deserializer<'de>>(self, d: D) -> Result<Probed, D::Error> {
        <String as de::Deserialize>::deserialize(d).map(|key| Probed { key, ahead: None })
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Probed, M::Error> {
        let key: String = map.next_key()?.ok_or_else(|| de::Error::custom("a tag probe without its key"))?;
        // A document the reader declines on the way ahead is read entry by
        // entry instead (and declined there, where it counts). The keys
        // ahead are compared in place, never copied.
        let mut at_tag = key == self.tag;
        let ahead = loop {
            if at_tag {
                break map.next_value::<TagValue>().ok().and_then(|TagValue(value)| value);
            }
            match map.next_key_seed(IsKey(self.tag)) {
                Ok(Some(is_tag)) => at_tag = is_tag,
                Ok(None) | Err(_) => break None,
            }
        };
        Ok(Probed { key, ahead })
    }
}

/// Whether a key read ahead is the given one.
struct IsKey<'t>(&'t str);

impl<'de> DeserializeSeed<'de> for IsKey<'_> {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for IsKey<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a dictionary key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(key == self.0)
    }
}

/// A tag's value read ahead: its text, or `None` when it is not a string.
struct TagValue(Option<String>);

impl<'de> de::Deserialize<'de> for TagValue {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<TagValue, D::Error> {
        struct Text;
        impl<'de> Visitor<'de> for Text {
            type Value = TagValue;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a tag's value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TagValue, E> {
                Ok(TagValue(Some(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<TagValue, E> {
                Ok(TagValue(Some(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<TagValue, E> {
                Ok(TagValue(None))
            }
        }
        d.deserialize_any(Text)
    }
}

/// A deserializer over a plist value, owned (its strings and data are moved
/// out) or lent (nothing is copied but what the decoded type keeps), with
/// the error type of the deserializer it stands in for. It presents values
/// as the plist crate's own deserializer does (see the module docs).
pub(crate) struct Given<'v, E> {
    value: Cow<'v, plist::Value>,
    /// Inside a `plist::Value` (the crate's `PLIST-VALUE` newtype): dates
    /// and UIDs are given as the plist crate's enum, as its deserializer
    /// does.
    in_plist_value: bool,
    error: PhantomData<fn() -> E>,
}

impl<'v, E> Given<'v, E> {
    pub(crate) fn new(value: Cow<'v, plist::Value>, in_plist_value: bool) -> Given<'v, E> {
        Given { value, in_plist_value, error: PhantomData }
    }
}

impl<'de, E: de::Error> de::Deserializer<'de> for Given<'_, E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        use plist::Value as P;
        let in_plist_value = self.in_plist_value;
        let value = match self.value {
            Cow::Owned(P::Array(items)) => {
                return visitor.visit_seq(Seq::new(Items::Owned(items.into_iter()), in_plist_value));
            }
            Cow::Borrowed(P::Array(items)) => {
                return visitor.visit_seq(Seq::new(Items::Lent(items.iter()), in_plist_value));
            }
            Cow::Owned(P::Dictionary(dict)) => {
                return visitor.visit_map(Map::new(DictEntries::Owned(dict.into_iter()), in_plist_value));
            }
            Cow::Borrowed(P::Dictionary(dict)) => {
                return visitor.visit_map(Map::new(DictEntries::Lent(dict.iter()), in_plist_value));
            }
            Cow::Owned(P::String(v)) => return visitor.visit_string(v),
            Cow::Owned(P::Data(v)) => return visitor.visit_byte_buf(v),
            value => value,
        };
        match value.as_ref() {
            P::String(v) => visitor.visit_str(v),
            P::Data(v) => visitor.visit_byte_buf(v.clone()),
            P::Boolean(v) => visitor.visit_bool(*v),
            P::Date(v) if in_plist_value => visitor.visit_enum(MapAccessDeserializer::new(MapDeserializer::new(
                [(crate::record::PLIST_DATE, v.to_xml_format())].into_iter(),
            ))),
            P::Date(v) => visitor.visit_string(v.to_xml_format()),
            P::Integer(v) => match (v.as_unsigned(), v.as_signed()) {
                (Some(u), _) => visitor.visit_u64(u),
                (None, Some(i)) => visitor.visit_i64(i),
                (None, None) => Err(de::Error::custom("an integer that is neither signed nor unsigned")),
            },
            P::Real(v) => visitor.visit_f64(*v),
            P::Uid(v) if in_plist_value => visitor.visit_enum(MapAccessDeserializer::new(MapDeserializer::new(
                [(crate::record::PLIST_UID, v.get())].into_iter(),
            ))),
            P::Uid(v) => visitor.visit_u64(v.get()),
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
        match self.value.as_ref() {
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
        match self.value.as_ref() {
            plist::Value::String(s) => StrDeserializer::<E>::new(s).deserialize_enum(name, variants, visitor),
            _ => self.deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// The entries of a dictionary, owned or lent.
enum DictEntries<'v> {
    Owned(<plist::Dictionary as IntoIterator>::IntoIter),
    Lent(plist::dictionary::Iter<'v>),
}

/// The entries of a dictionary being read.
struct Map<'v, E> {
    entries: DictEntries<'v>,
    value: Option<Cow<'v, plist::Value>>,
    in_plist_value: bool,
    error: PhantomData<fn() -> E>,
}

impl<'v, E> Map<'v, E> {
    fn new(entries: DictEntries<'v>, in_plist_value: bool) -> Self {
        Map { entries, value: None, in_plist_value, error: PhantomData }
    }
}

impl<'de, E: de::Error> MapAccess<'de> for Map<'_, E> {
    type Error = E;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, E> {
        // The key is lent, not given: a known key is matched in place and
        // only a key kept in `extra` is copied.
        match &mut self.entries {
            DictEntries::Owned(entries) => {
                let Some((key, value)) = entries.next() else { return Ok(None) };
                self.value = Some(Cow::Owned(value));
                seed.deserialize(StrDeserializer::<E>::new(&key)).map(Some)
            }
            DictEntries::Lent(entries) => {
                let Some((key, value)) = entries.next() else { return Ok(None) };
                self.value = Some(Cow::Borrowed(value));
                seed.deserialize(StrDeserializer::<E>::new(key)).map(Some)
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, E> {
        let value = self.value.take().ok_or_else(|| E::custom("a value asked for before its key"))?;
        seed.deserialize(Given::<E>::new(value, self.in_plist_value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(match &self.entries {
            DictEntries::Owned(entries) => entries.size_hint().0,
            DictEntries::Lent(entries) => entries.size_hint().0,
        })
    }
}

/// The elements of an array, owned or lent.
enum Items<'v> {
    Owned(std::vec::IntoIter<plist::Value>),
    Lent(std::slice::Iter<'v, plist::Value>),
}

/// The elements of an array being read.
struct Seq<'v, E> {
    items: Items<'v>,
    in_plist_value: bool,
    error: PhantomData<fn() -> E>,
}

impl<'v, E> Seq<'v, E> {
    fn new(items: Items<'v>, in_plist_value: bool) -> Self {
        Seq { items, in_plist_value, error: PhantomData }
    }
}

impl<'de, E: de::Error> SeqAccess<'de> for Seq<'_, E> {
    type Error = E;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, E> {
        let item = match &mut self.items {
            Items::Owned(items) => items.next().map(Cow::Owned),
            Items::Lent(items) => items.next().map(Cow::Borrowed),
        };
        let Some(value) = item else { return Ok(None) };
        seed.deserialize(Given::<E>::new(value, self.in_plist_value)).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(match &self.items {
            Items::Owned(items) => items.len(),
            Items::Lent(items) => items.len(),
        })
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
        let value: plist::Value = decode_head(Head { entries, pending: None, moved: false }, "", rest).unwrap();
        assert_eq!(value, plist::Value::Dictionary(dict));
    }

    /// What [`read_head`] made of a dictionary: the keys it buffered,
    /// whether the tag was read ahead, the tag, and the whole dictionary
    /// read after it.
    #[derive(Debug, PartialEq)]
    struct HeadSeen {
        buffered: Vec<String>,
        ahead: bool,
        tag: Option<String>,
        whole: plist::Dictionary,
    }

    impl<'de> de::Deserialize<'de> for HeadSeen {
        fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<HeadSeen, D::Error> {
            struct Seen;
            impl<'de> Visitor<'de> for Seen {
                type Value = HeadSeen;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("a dictionary")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<HeadSeen, A::Error> {
                    let (head, tag) = read_head(&mut map, "Tag")?;
                    let buffered = head.entries.iter().map(|(k, _)| k.clone()).collect();
                    let ahead = head.pending.is_some();
                    let whole = finish_head(map, head, "Tag", tag.as_deref())?;
                    Ok(HeadSeen { buffered, ahead, tag, whole })
                }
            }
            d.deserialize_map(Seen)
        }
    }

    /// The token decoder reads a binary dictionary's tag ahead wherever it
    /// is (nested values, data and empty collections passed over) and
    /// buffers nothing; XML (through the token decoder or the plist crate's
    /// deserializer) is read entry by entry up to the tag. Either way the
    /// tag and the whole dictionary are the same.
    #[test]
    fn the_token_decoder_reads_the_tag_ahead() {
        let rest = "<key>A</key><dict><key>Tag</key><string>inner</string><key>E</key><dict/></dict>\
                    <key>B</key><data>AAE=</data><key>L</key><array><array/><true/></array>";
        let cases = [
            (format!("{rest}<key>Tag</key><string>T&amp;</string><key>C</key><true/>"), Some("T&"), 3),
            (format!("<key>Tag</key><string>T</string>{rest}"), Some("T"), 0),
            (format!("{rest}<key>Tag</key><integer>1</integer>"), None, 3),
            (format!("{rest}<key>Tag</key><array><string>T</string></array>"), None, 3),
            (rest.to_owned(), None, 3),
            (String::new(), None, 0),
        ];
        for (body, tag, before) in cases {
            let xml = format!("<plist version=\"1.0\"><dict>{body}</dict></plist>");
            let value: plist::Value = plist::from_bytes(xml.as_bytes()).unwrap();
            let mut binary = Vec::new();
            value.to_writer_binary(&mut binary).unwrap();
            let whole = value.into_dictionary().unwrap();
            let buffered = whole.len().min(before + 1);
            for (bytes, ahead) in [(xml.as_bytes(), false), (&binary[..], true)] {
                let seen = crate::plist_read::from_bytes::<HeadSeen>(bytes).expect("the token decoder reads it");
                let reference: HeadSeen = plist::from_bytes(bytes).unwrap();
                assert_eq!(seen.tag.as_deref(), tag, "{body}");
                let ahead = ahead && tag.is_some();
                assert_eq!((seen.ahead, seen.buffered.len()), (ahead, if ahead { 0 } else { buffered }), "{body}");
                assert_eq!(seen.whole, whole, "{body}");
                assert_eq!(
                    (reference.ahead, reference.tag.as_deref(), &reference.whole),
                    (false, tag, &whole),
                    "{body}"
                );
            }
        }
    }
}
