//! The token-level plist decoder: XML and binary plists read straight from
//! the bytes, without the plist crate's event stream.
//!
//! The plist crate reads a document through `std::io` into owned events (a
//! `String` for every key and string, the `<data>` text copied before it is
//! decoded), then hands those to its serde `Deserializer`. Here the XML is
//! scanned in place ([`xml`]: keys and strings without entities are
//! borrowed from the input) and a binary plist is read through its offset
//! table ([`binary`]: nothing is copied but the values kept). The serde
//! layer on top mirrors the plist crate's `Deserializer` call for call (the
//! same `visit_*` for the same event, but `visit_str` for a borrowed string
//! where the plist crate passes an owned one to `visit_string`; the same
//! `PLIST-VALUE`, `PLIST-DATE` and `PLIST-UID` conventions; the same option
//! modes; the same checks of a binary plist's tables), so every type
//! decodes to the same value either way.
//!
//! This decoder takes the plists that real devices, servers and admins
//! write. Anything else, and every error, it leaves to the plist crate
//! ([`crate::from_plist_serde`] calls that second): XML it does not read
//! (CDATA, comments or processing instructions inside a value, entities
//! other than the five predefined ones and character references, text
//! that is not UTF-8), ASCII plists, and every malformed document, whose
//! error message and key path come from the reference decoder as before.
//! Both decoders are checked against each other: random documents of every
//! generated type and random values, XML and binary
//! (`harness/tests/properties.rs`), every real fixture
//! (`tests/real_fixtures.rs`), and any bytes (the `plist_decoders` fuzz
//! target).

mod binary;
pub(crate) mod xml;

use std::borrow::Cow;
use std::fmt;

use serde::de::value::{MapAccessDeserializer, MapDeserializer};
use serde::de::{self, IntoDeserializer};

use crate::record::{PLIST_DATE, PLIST_UID, PLIST_VALUE};

/// One event of a plist, as both readers produce it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token<'a> {
    StartArray(Option<usize>),
    StartDictionary(Option<usize>),
    EndCollection,
    Boolean(bool),
    /// Always owned: the plist crate hands data to `visit_byte_buf`, and
    /// both readers copy it (base64 decoding, or bytes the tests compare).
    Data(Vec<u8>),
    Date(plist::Date),
    /// Non-negative integers are unsigned, as the plist crate reports them.
    Unsigned(u64),
    Signed(i64),
    Real(f64),
    String(Cow<'a, str>),
    Uid(u64),
}

/// This decoder does not take the document (or the document is invalid):
/// the plist crate decodes it instead. It carries no message, since it
/// never reaches a user.
#[derive(Debug)]
pub(crate) struct Declined;

impl fmt::Display for Declined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("declined by the token-level plist decoder")
    }
}

impl std::error::Error for Declined {}

impl de::Error for Declined {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Declined
    }
}

/// Where the tokens come from.
// The binary reader holds its memory of checked strings inline (768
// bytes, see `binary::Checked`): one reader is made per document and moved
// a few times, where a box would be an allocation per document.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
enum Source<'a> {
    Xml(xml::XmlTokens<'a>),
    Binary(binary::BinaryTokens<'a>),
}

impl<'a> Source<'a> {
    /// A binary plist by its magic, else XML; `None` when the header is
    /// not one this decoder reads.
    fn new(bytes: &'a [u8]) -> Option<Source<'a>> {
        Some(if bytes.starts_with(b"bplist00") {
            Source::Binary(binary::BinaryTokens::new(bytes).ok()?)
        } else {
            Source::Xml(xml::XmlTokens::new(bytes).ok()?)
        })
    }

    fn next(&mut self) -> Result<Option<Token<'a>>, Declined> {
        match self {
            Source::Xml(x) => x.next(),
            Source::Binary(b) => b.next(),
        }
    }
}

/// Decodes an XML or binary plist into `T`; `None` when the plist crate
/// must do it (see the module documentation).
pub(crate) fn from_bytes<T: de::DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    let source = Source::new(bytes)?;
    let mut de = Deserializer { source, peeked: None, option_mode: OptionMode::Root, in_plist_value: false, depth: 0 };
    let value = T::deserialize(&mut de).ok()?;
    // The whole document was one value.
    match de.next() {
        Ok(None) => Some(value),
        _ => None,
    }
}

/// Reads every token of an XML or binary plist, building nothing, and
/// counts them (`None` when this decoder declines the document): the
/// tokenizer bound of a typed decode, which the benches measure beside it.
/// A `<data>` token is decoded into its bytes, as a decode does.
#[doc(hidden)]
pub fn token_count(bytes: &[u8]) -> Option<usize> {
    let mut source = Source::new(bytes)?;
    let mut n = 0;
    while source.next().ok()?.is_some() {
        n += 1;
    }
    Some(n)
}

#[derive(Clone, Copy)]
enum OptionMode {
    Root,
    StructField,
    Explicit,
}

struct Deserializer<'a> {
    source: Source<'a>,
    peeked: Option<Token<'a>>,
    option_mode: OptionMode,
    in_plist_value: bool,
    depth: usize,
}

impl<'a> Deserializer<'a> {
    fn next(&mut self) -> Result<Option<Token<'a>>, Declined> {
        match self.peeked.take() {
            Some(t) => Ok(Some(t)),
            None => self.source.next(),
        }
    }

    /// The next token, which must exist.
    fn token(&mut self) -> Result<Token<'a>, Declined> {
        self.next()?.ok_or(Declined)
    }

    fn peek(&mut self) -> Result<Option<&Token<'a>>, Declined> {
        if self.peeked.is_none() {
            self.peeked = self.source.next()?;
        }
        Ok(self.peeked.as_ref())
    }

    fn at_end_of_collection(&mut self) -> Result<bool, Declined> {
        Ok(matches!(self.peek()?, Some(Token::EndCollection)))
    }

    fn expect_end(&mut self) -> Result<(), Declined> {
        match self.token()? {
            Token::EndCollection => Ok(()),
            _ => Err(Declined),
        }
    }

    /// One level deeper. Past [`crate::record::MAX_DEPTH`] levels the
    /// plist crate takes over (the crate's own types refuse such
    /// nesting; serde types that recurse without a limit are no worse off
    /// than before), rather than this decoder's recursion overflowing the
    /// stack.
    fn enter(&mut self) -> Result<(), Declined> {
        self.depth += 1;
        if self.depth > crate::record::MAX_DEPTH { Err(Declined) } else { Ok(()) }
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Visits the content of an array or dictionary whose start was just
    /// read, then reads its end.
    fn collection<T>(
        &mut self,
        is_struct: bool,
        remaining: Option<usize>,
        visit: impl FnOnce(Access<'_, 'a>) -> Result<T, Declined>,
    ) -> Result<T, Declined> {
        self.enter()?;
        let out = visit(Access { de: &mut *self, is_struct, remaining })?;
        self.leave();
        self.expect_end()?;
        Ok(out)
    }

    /// Reads the dictionary being read, from the value of the key just
    /// read, for `crate::buffered::speculate`: its keys listed ahead, then
    /// its entries read by copies of this reader, one per element the
    /// visitor asks for (see [`ReaderCopy`]). A copy that reads the dictionary to
    /// its end is kept, and this reader takes its place: any two such
    /// copies read the same tokens, so which one is kept does not matter.
    /// If no copy does, this reader has not moved.
    fn speculate<'de, V: de::Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Declined> {
        let mut copies = Copies { reader: &*self, kept: None };
        let out = visitor.visit_seq(&mut copies)?;
        if let Some((source, peeked)) = copies.kept {
            self.source = source;
            self.peeked = peeked;
        }
        Ok(out)
    }

    fn with_option_mode<T>(
        &mut self,
        mode: OptionMode,
        f: impl FnOnce(&mut Self) -> Result<T, Declined>,
    ) -> Result<T, Declined> {
        let before = std::mem::replace(&mut self.option_mode, mode);
        let out = f(self);
        self.option_mode = before;
        out
    }
}

impl<'de> de::Deserializer<'de> for &mut Deserializer<'_> {
    type Error = Declined;

    fn deserialize_any<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        match self.token()? {
            Token::StartArray(len) => self.collection(false, len, |access| visitor.visit_seq(access)),
            Token::StartDictionary(len) => self.collection(false, len, |access| visitor.visit_map(access)),
            Token::EndCollection => Err(Declined),
            Token::Boolean(v) => visitor.visit_bool(v),
            Token::Data(v) => visitor.visit_byte_buf(v),
            Token::Date(v) if self.in_plist_value => visitor.visit_enum(MapAccessDeserializer::new(
                MapDeserializer::new([(PLIST_DATE, v.to_xml_format())].into_iter()),
            )),
            Token::Date(v) => visitor.visit_string(v.to_xml_format()),
            Token::Unsigned(v) => visitor.visit_u64(v),
            Token::Signed(v) => visitor.visit_i64(v),
            Token::Real(v) => visitor.visit_f64(v),
            Token::String(Cow::Borrowed(v)) => visitor.visit_str(v),
            Token::String(Cow::Owned(v)) => visitor.visit_string(v),
            Token::Uid(v) if self.in_plist_value => {
                visitor.visit_enum(MapAccessDeserializer::new(MapDeserializer::new([(PLIST_UID, v)].into_iter())))
            }
            Token::Uid(v) => visitor.visit_u64(v),
        }
    }

    serde::forward_to_deserialize_any! {
        bool u8 u16 u32 u64 i8 i16 i32 i64 f32 f64 char str string
        seq bytes byte_buf map unit_struct
        tuple_struct tuple ignored_any identifier
    }

    fn deserialize_unit<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        match self.token()? {
            Token::String(_) => visitor.visit_unit(),
            _ => Err(Declined),
        }
    }

    fn deserialize_option<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        match self.option_mode {
            OptionMode::Root => {
                if self.peek()?.is_none() {
                    visitor.visit_none()
                } else {
                    self.with_option_mode(OptionMode::Explicit, |de| visitor.visit_some(de))
                }
            }
            OptionMode::StructField => self.with_option_mode(OptionMode::Explicit, |de| visitor.visit_some(de)),
            OptionMode::Explicit => {
                if !matches!(self.token()?, Token::StartDictionary(_)) {
                    return Err(Declined);
                }
                let out = match self.token()? {
                    Token::String(s) if s == "None" => {
                        if !matches!(self.token()?, Token::String(_)) {
                            return Err(Declined);
                        }
                        visitor.visit_none()?
                    }
                    Token::String(s) if s == "Some" => visitor.visit_some(&mut *self)?,
                    _ => return Err(Declined),
                };
                self.expect_end()?;
                Ok(out)
            }
        }
    }

    fn deserialize_newtype_struct<V: de::Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Declined> {
        if name == PLIST_VALUE {
            let before = std::mem::replace(&mut self.in_plist_value, true);
            let out = visitor.visit_newtype_struct(&mut *self);
            self.in_plist_value = before;
            out
        } else if name == crate::buffered::TAG_PROBE {
            // A dictionary's first key, asked for with a look at the rest
            // (see `crate::buffered::read_head`): only the key is consumed.
            // A binary dictionary's keys and values are reached through its
            // references, without reading what lies between. An XML reader
            // would have to read every token before the tag, and then again:
            // that measured slower than keeping the entries before the tag
            // as values (BENCHMARKS.md, eighth round), so XML answers with
            // the key alone, as any other deserializer does.
            if !matches!(self.source, Source::Binary(_)) {
                return visitor.visit_newtype_struct(self);
            }
            let Token::String(key) = self.token()? else { return Err(Declined) };
            let Source::Binary(b) = &self.source else { return Err(Declined) };
            let ahead = b.ahead()?;
            visitor.visit_map(Lookahead { first: Some(key), ahead, value_due: false })
        } else if name == crate::buffered::SPECULATE {
            self.speculate(visitor)
        } else {
            visitor.visit_newtype_struct(self)
        }
    }

    fn deserialize_struct<V: de::Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Declined> {
        if !matches!(self.token()?, Token::StartDictionary(_)) {
            return Err(Declined);
        }
        self.collection(true, None, |access| visitor.visit_map(access))
    }

    fn deserialize_enum<V: de::Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Declined> {
        match self.token()? {
            // Unit variants are written as plain strings.
            Token::String(s) => {
                let s: de::value::StrDeserializer<'_, Declined> = (*s).into_deserializer();
                de::Deserializer::deserialize_enum(s, name, variants, visitor)
            }
            Token::StartDictionary(_) => {
                let out = visitor.visit_enum(&mut *self)?;
                self.expect_end()?;
                Ok(out)
            }
            _ => Err(Declined),
        }
    }
}

impl<'de> de::EnumAccess<'de> for &mut Deserializer<'_> {
    type Error = Declined;
    type Variant = Self;

    fn variant_seed<V: de::DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Declined> {
        Ok((seed.deserialize(&mut *self)?, self))
    }
}

impl<'de> de::VariantAccess<'de> for &mut Deserializer<'_> {
    type Error = Declined;

    fn unit_variant(self) -> Result<(), Declined> {
        <() as de::Deserialize>::deserialize(self)
    }

    fn newtype_variant_seed<T: de::DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Declined> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: de::Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Declined> {
        de::Deserializer::deserialize_tuple(self, len, visitor)
    }

    fn struct_variant<V: de::Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Declined> {
        de::Deserializer::deserialize_struct(self, "", fields, visitor)
    }
}

/// The elements of an array, or the entries of a dictionary.
struct Access<'d, 'a> {
    de: &'d mut Deserializer<'a>,
    is_struct: bool,
    remaining: Option<usize>,
}

impl Access<'_, '_> {
    /// The next element of an array or key of a dictionary; `None` at its
    /// end.
    fn next_item<'de, T: de::DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Declined> {
        if self.de.at_end_of_collection()? {
            return Ok(None);
        }
        self.remaining = self.remaining.map(|r| r.saturating_sub(1));
        self.de.with_option_mode(OptionMode::Explicit, |de| seed.deserialize(de)).map(Some)
    }
}

impl<'de> de::SeqAccess<'de> for Access<'_, '_> {
    type Error = Declined;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Declined> {
        self.next_item(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.remaining
    }
}

impl<'de> de::MapAccess<'de> for Access<'_, '_> {
    type Error = Declined;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Declined> {
        self.next_item(seed)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Declined> {
        let mode = if self.is_struct { OptionMode::StructField } else { OptionMode::Explicit };
        self.de.with_option_mode(mode, |de| seed.deserialize(de))
    }

    fn size_hint(&self) -> Option<usize> {
        self.remaining
    }
}

/// The copies of a reader of [`Deserializer::speculate`].
struct Copies<'r, 'a> {
    reader: &'r Deserializer<'a>,
    /// The state of a copy that read the dictionary to its end.
    kept: Option<(Source<'a>, Option<Token<'a>>)>,
}

impl<'de> de::SeqAccess<'de> for Copies<'_, '_> {
    type Error = Declined;

    /// Gives `seed` the dictionary, from the current value on, through a
    /// [`ReaderCopy`] of the reader.
    fn next_element_seed<T: de::DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Declined> {
        seed.deserialize(ReaderCopy { copies: self }).map(Some)
    }
}

/// One element of [`Copies`]: the keys of the dictionary after the current
/// one (a `KEYS_AHEAD` newtype), or its entries read by a new copy of the
/// reader (anything else).
struct ReaderCopy<'c, 'r, 'a> {
    copies: &'c mut Copies<'r, 'a>,
}

impl<'de> de::Deserializer<'de> for ReaderCopy<'_, '_, '_> {
    type Error = Declined;

    fn deserialize_any<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        let reader = self.copies.reader;
        let mut copy = Deserializer {
            source: reader.source.clone(),
            peeked: reader.peeked.clone(),
            option_mode: reader.option_mode,
            in_plist_value: reader.in_plist_value,
            depth: reader.depth,
        };
        // The dictionary's entries are a struct's when its value was asked
        // for as a struct field (the reader's option mode).
        let is_struct = matches!(copy.option_mode, OptionMode::StructField);
        let value = visitor.visit_map(Access { de: &mut copy, is_struct, remaining: None })?;
        // Read to the dictionary's end: its end token is what comes next.
        if !matches!(copy.peeked, Some(Token::EndCollection)) {
            return Err(Declined);
        }
        if self.copies.kept.is_none() {
            self.copies.kept = Some((copy.source, copy.peeked));
        }
        Ok(value)
    }

    fn deserialize_newtype_struct<V: de::Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Declined> {
        if name != crate::buffered::KEYS_AHEAD {
            return self.deserialize_any(visitor);
        }
        // A binary plist's keys are read through the dictionary's key
        // references, no value read. Listing an XML dictionary's keys
        // means reading every token of it, which measured slower than
        // building the value the keys are then taken from: declined.
        match &self.copies.reader.source {
            Source::Binary(b) if self.copies.reader.peeked.is_none() => {
                visitor.visit_map(Lookahead { first: None, ahead: b.ahead()?, value_due: true })
            }
            _ => Err(Declined),
        }
    }

    serde::forward_to_deserialize_any! {
        bool u8 u16 u32 u64 i8 i16 i32 i64 f32 f64 char str string
        seq bytes byte_buf map unit_struct option unit struct enum
        tuple_struct tuple ignored_any identifier
    }
}

/// A binary dictionary's entries from its first key on, read ahead
/// through its key and value references (nothing else is read): keys as
/// they come, a value only when asked for (as a string, or a unit for any
/// other kind).
struct Lookahead<'t, 'a> {
    first: Option<Cow<'a, str>>,
    ahead: binary::Ahead<'t, 'a>,
    /// A key was given whose value has not been read.
    value_due: bool,
}

impl<'de> de::MapAccess<'de> for Lookahead<'_, '_> {
    type Error = Declined;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Declined> {
        let key = match self.first.take() {
            Some(key) => key,
            // A value not asked for needs no passing over: values are
            // reached by index.
            None => match self.ahead.key()? {
                Some(key) => key,
                None => return Ok(None),
            },
        };
        self.value_due = true;
        seed.deserialize(de::value::StrDeserializer::<Declined>::new(&key)).map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Declined> {
        if !std::mem::take(&mut self.value_due) {
            return Err(Declined);
        }
        match self.ahead.string_value()? {
            Some(value) => seed.deserialize(de::value::StrDeserializer::<Declined>::new(&value)),
            None => seed.deserialize(de::value::UnitDeserializer::<Declined>::new()),
        }
    }
}

/// The integer of an `<integer>` element, read as the plist crate reads it
/// (Apple's rule: signed first, then unsigned; `0x` is unsigned hex, the
/// NetBSD dialect).
fn integer(text: &str) -> Option<Token<'static>> {
    let value: i128 = if text.starts_with("0x") {
        u64::from_str_radix(text.trim_start_matches("0x"), 16).ok()?.into()
    } else {
        match text.parse::<i64>() {
            Ok(v) => v.into(),
            Err(_) => text.parse::<u64>().ok()?.into(),
        }
    };
    Some(int_token(value))
}

/// The token of an integer: unsigned when it is not negative.
fn int_token(value: i128) -> Token<'static> {
    match u64::try_from(value) {
        Ok(u) => Token::Unsigned(u),
        // Every value that reaches here came from an i64 or a u64.
        Err(_) => Token::Signed(i64::try_from(value).unwrap_or(i64::MIN)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_loop_reads_xml_and_binary_alike() {
        let value = plist::Value::Dictionary(plist::Dictionary::from_iter([
            ("a".to_owned(), plist::Value::Array(vec![1.into(), true.into(), plist::Value::Data(vec![1, 2])])),
            ("b".to_owned(), "x".into()),
        ]));
        let (mut xml, mut bin) = (Vec::new(), Vec::new());
        value.to_writer_xml(&mut xml).unwrap();
        value.to_writer_binary(&mut bin).unwrap();
        // The dictionary, its two keys, the array and its three elements,
        // the string, and the two ends.
        assert_eq!(token_count(&xml), Some(10));
        assert_eq!(token_count(&bin), Some(10));
        // Declined: no plist.
        assert_eq!(token_count(b"<plist version=\"1.0\"><dict><key>a</key>"), None);
    }

    #[test]
    fn integers_are_read_as_the_plist_crate_reads_them() {
        assert_eq!(integer("42"), Some(Token::Unsigned(42)));
        assert_eq!(integer("-0"), Some(Token::Unsigned(0)));
        assert_eq!(integer("+7"), Some(Token::Unsigned(7)));
        assert_eq!(integer("-9223372036854775808"), Some(Token::Signed(i64::MIN)));
        assert_eq!(integer("18446744073709551615"), Some(Token::Unsigned(u64::MAX)));
        assert_eq!(integer("0xdeadbeef"), Some(Token::Unsigned(0xdead_beef)));
        assert_eq!(integer(" 1"), None);
        assert_eq!(integer("18446744073709551616"), None);
        assert_eq!(integer(""), None);
    }
}
