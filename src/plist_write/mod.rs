//! The plist encoder: XML and binary plists written straight into memory,
//! without the plist crate's event writers.
//!
//! The serde layer ([`Serializer`]) mirrors the plist crate's `Serializer`
//! call for call (the same option modes, `None` fields left out, `Some` in a
//! sequence written as a one-key `Some` dictionary, unit as an empty string,
//! enum variants as one-key dictionaries, and the same `PLIST-DATE` and
//! `PLIST-UID` conventions), so a value encodes to the same plist either
//! way. Only the writers differ:
//!
//! - [`xml`] writes the bytes the plist crate's `XmlWriter` writes (its
//!   prologue, tab indentation, `<array/>` for an empty array, the same
//!   escapes, the same base64 lines), straight into a `String`, instead of
//!   through quick-xml's event writer and `std::io`;
//! - [`binary`] writes a binary plist whose values are those the plist
//!   crate's `BinaryWriter` writes (every string, number, date and data
//!   written once and referenced wherever it repeats), from flat tables
//!   filled as the value is walked, instead of an `IndexMap` of owned
//!   copies hashed with SipHash.
//!
//! Both are checked against the plist crate: the XML byte for byte, the
//! binary by decoding it back (`tests/plist_write.rs`, and the property
//! tests in `harness/tests/properties.rs`).

mod binary;
mod xml;

use std::fmt;

use serde::ser::{self, Serialize};

use crate::record::{PLIST_DATE, PLIST_UID};

pub(crate) use binary::BinarySink;
pub(crate) use xml::XmlSink;

/// Why a value cannot be written as a plist.
#[derive(Debug)]
pub(crate) struct WriteError(pub(crate) String);

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WriteError {}

impl ser::Error for WriteError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        WriteError(msg.to_string())
    }
}

/// The kind of a plist value, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Array,
    Dictionary,
    Boolean,
    Data,
    Date,
    Integer,
    Real,
    Uid,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Array => "an array",
            Kind::Dictionary => "a dictionary",
            Kind::Boolean => "a boolean",
            Kind::Data => "data",
            Kind::Date => "a date",
            Kind::Integer => "an integer",
            Kind::Real => "a real",
            Kind::Uid => "a UID",
        }
    }
}

/// A dictionary key must be a string; `found` was written in its place.
pub(crate) fn key_must_be_a_string(found: Kind) -> WriteError {
    WriteError(format!("a dictionary key must be a string, found {}", found.name()))
}

/// An integer as the plist crate keeps it: any `i64`, and `u64` above it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Int {
    Signed(i64),
    Unsigned(u64),
}

impl Int {
    fn from_u64(v: u64) -> Int {
        match i64::try_from(v) {
            Ok(v) => Int::Signed(v),
            Err(_) => Int::Unsigned(v),
        }
    }
}

/// Where the serializer's events go: one plist writer.
pub(crate) trait Sink {
    fn start_array(&mut self) -> Result<(), WriteError>;
    fn start_dictionary(&mut self) -> Result<(), WriteError>;
    /// Ends the innermost open array or dictionary.
    fn end_collection(&mut self) -> Result<(), WriteError>;
    fn boolean(&mut self, v: bool) -> Result<(), WriteError>;
    fn data(&mut self, v: &[u8]) -> Result<(), WriteError>;
    fn date(&mut self, v: plist::Date) -> Result<(), WriteError>;
    fn integer(&mut self, v: Int) -> Result<(), WriteError>;
    fn real(&mut self, v: f64) -> Result<(), WriteError>;
    /// A string: a dictionary key where one is expected, else a value.
    fn string(&mut self, v: &str) -> Result<(), WriteError>;
    fn uid(&mut self, v: u64) -> Result<(), WriteError>;
}

/// Encodes `value` as an XML plist, as the plist crate's `to_writer_xml`
/// writes it with its default options.
pub(crate) fn to_xml<T: Serialize + ?Sized>(value: &T) -> Result<String, WriteError> {
    write(XmlSink::default(), value)?.finish()
}

/// Encodes `value` as a binary plist.
pub(crate) fn to_binary<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, WriteError> {
    // On an error the tables go with the serializer; the next encode
    // starts from empty ones.
    let sink = write(BinarySink::take_spare(), value)?;
    let out = sink.finish();
    sink.keep_as_spare();
    out
}

/// Gives `sink` the events of `value`, as a plist would hold it, and
/// returns the sink. Validation's copy of a document is the third sink
/// (`validate/tree.rs`), so it sees what the encoded plist would hold.
pub(crate) fn write<S: Sink, T: Serialize + ?Sized>(sink: S, value: &T) -> Result<S, WriteError> {
    let mut ser = Serializer::new(sink);
    value.serialize(&mut ser)?;
    Ok(ser.sink)
}

/// How an `Option` is written where it is met (the plist crate's modes).
#[derive(Clone, Copy)]
enum OptionMode {
    /// The document's root: `None` writes nothing, `Some(v)` writes `v`.
    Root,
    /// A struct field whose name is not written yet: `None` leaves the
    /// field out, anything else writes the name first.
    StructField(&'static str),
    /// A struct field whose name is written.
    StructFieldNameWritten,
    /// Anywhere else: `None` and `Some(v)` are one-key dictionaries.
    Explicit,
}

/// The serde serializer over a [`Sink`].
pub(crate) struct Serializer<S> {
    sink: S,
    mode: OptionMode,
}

impl<S: Sink> Serializer<S> {
    fn new(sink: S) -> Self {
        Serializer { sink, mode: OptionMode::Root }
    }

    fn with_mode<T: Serialize + ?Sized>(&mut self, mode: OptionMode, value: &T) -> Result<(), WriteError> {
        let before = std::mem::replace(&mut self.mode, mode);
        let result = value.serialize(&mut *self);
        self.mode = before;
        result
    }

    /// Writes the name of the struct field being written, once.
    #[inline]
    fn field_name(&mut self) -> Result<(), WriteError> {
        if let OptionMode::StructField(name) = self.mode {
            self.mode = OptionMode::StructFieldNameWritten;
            self.sink.string(name)?;
        }
        Ok(())
    }

    /// A one-key dictionary: `key`, then what `value` writes.
    fn tagged(&mut self, key: &str, value: impl FnOnce(&mut Self) -> Result<(), WriteError>) -> Result<(), WriteError> {
        self.field_name()?;
        self.sink.start_dictionary()?;
        self.sink.string(key)?;
        value(self)?;
        self.sink.end_collection()
    }
}

impl<'a, S: Sink> ser::Serializer for &'a mut Serializer<S> {
    type Ok = ();
    type Error = WriteError;
    type SerializeSeq = Compound<'a, S>;
    type SerializeTuple = Compound<'a, S>;
    type SerializeTupleStruct = Compound<'a, S>;
    type SerializeTupleVariant = Compound<'a, S>;
    type SerializeMap = Compound<'a, S>;
    type SerializeStruct = Compound<'a, S>;
    type SerializeStructVariant = Compound<'a, S>;

    fn serialize_bool(self, v: bool) -> Result<(), WriteError> {
        self.field_name()?;
        self.sink.boolean(v)
    }

    fn serialize_i8(self, v: i8) -> Result<(), WriteError> {
        self.serialize_i64(v.into())
    }

    fn serialize_i16(self, v: i16) -> Result<(), WriteError> {
        self.serialize_i64(v.into())
    }

    fn serialize_i32(self, v: i32) -> Result<(), WriteError> {
        self.serialize_i64(v.into())
    }

    fn serialize_i64(self, v: i64) -> Result<(), WriteError> {
        self.field_name()?;
        self.sink.integer(Int::Signed(v))
    }

    fn serialize_u8(self, v: u8) -> Result<(), WriteError> {
        self.serialize_u64(v.into())
    }

    fn serialize_u16(self, v: u16) -> Result<(), WriteError> {
        self.serialize_u64(v.into())
    }

    fn serialize_u32(self, v: u32) -> Result<(), WriteError> {
        self.serialize_u64(v.into())
    }

    fn serialize_u64(self, v: u64) -> Result<(), WriteError> {
        self.field_name()?;
        self.sink.integer(Int::from_u64(v))
    }

    fn serialize_f32(self, v: f32) -> Result<(), WriteError> {
        self.serialize_f64(v.into())
    }

    fn serialize_f64(self, v: f64) -> Result<(), WriteError> {
        self.field_name()?;
        self.sink.real(v)
    }

    fn serialize_char(self, v: char) -> Result<(), WriteError> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<(), WriteError> {
        self.field_name()?;
        self.sink.string(v)
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), WriteError> {
        self.field_name()?;
        self.sink.data(v)
    }

    fn serialize_none(self) -> Result<(), WriteError> {
        match self.mode {
            OptionMode::Root | OptionMode::StructField(_) => Ok(()),
            // The plist crate cannot reach this either: a field's name is
            // written only by a value, after which no `None` follows.
            OptionMode::StructFieldNameWritten => Err(WriteError("a field's value is written twice".into())),
            OptionMode::Explicit => self.tagged("None", |ser| ser.sink.string("")),
        }
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), WriteError> {
        match self.mode {
            OptionMode::Root => self.with_mode(OptionMode::Explicit, value),
            OptionMode::StructField(name) => {
                self.mode = OptionMode::StructFieldNameWritten;
                self.sink.string(name)?;
                self.with_mode(OptionMode::Explicit, value)
            }
            OptionMode::StructFieldNameWritten => Err(WriteError("a field's value is written twice".into())),
            OptionMode::Explicit => self.tagged("Some", |ser| value.serialize(ser)),
        }
    }

    fn serialize_unit(self) -> Result<(), WriteError> {
        self.serialize_str("")
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), WriteError> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<(), WriteError> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, value: &T) -> Result<(), WriteError> {
        match name {
            PLIST_DATE => {
                let date = value.serialize(DateString)?;
                self.field_name()?;
                self.sink.date(date)
            }
            PLIST_UID => {
                let uid = value.serialize(UidNumber)?;
                self.field_name()?;
                self.sink.uid(uid)
            }
            _ => value.serialize(self),
        }
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), WriteError> {
        self.tagged(variant, |ser| value.serialize(ser))
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a, S>, WriteError> {
        self.field_name()?;
        self.sink.start_array()?;
        Ok(Compound { ser: self, ends: 1 })
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'a, S>, WriteError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Compound<'a, S>, WriteError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a, S>, WriteError> {
        self.field_name()?;
        self.sink.start_dictionary()?;
        self.sink.string(variant)?;
        self.sink.start_array()?;
        Ok(Compound { ser: self, ends: 2 })
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a, S>, WriteError> {
        self.field_name()?;
        self.sink.start_dictionary()?;
        Ok(Compound { ser: self, ends: 1 })
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'a, S>, WriteError> {
        self.serialize_map(None)
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a, S>, WriteError> {
        self.field_name()?;
        self.sink.start_dictionary()?;
        self.sink.string(variant)?;
        self.sink.start_dictionary()?;
        Ok(Compound { ser: self, ends: 2 })
    }
}

/// An open array or dictionary; `ends` is how many collections its end
/// closes (two for an enum variant's one-key dictionary around it).
pub(crate) struct Compound<'a, S> {
    ser: &'a mut Serializer<S>,
    ends: u8,
}

impl<S: Sink> Compound<'_, S> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.ser.with_mode(OptionMode::Explicit, value)
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), WriteError> {
        self.ser.with_mode(OptionMode::StructField(key), value)
    }

    fn close(self) -> Result<(), WriteError> {
        for _ in 0..self.ends {
            self.ser.sink.end_collection()?;
        }
        Ok(())
    }
}

impl<S: Sink> ser::SerializeSeq for Compound<'_, S> {
    type Ok = ();
    type Error = WriteError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.element(value)
    }

    fn end(self) -> Result<(), WriteError> {
        self.close()
    }
}

impl<S: Sink> ser::SerializeTuple for Compound<'_, S> {
    type Ok = ();
    type Error = WriteError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.element(value)
    }

    fn end(self) -> Result<(), WriteError> {
        self.close()
    }
}

impl<S: Sink> ser::SerializeTupleStruct for Compound<'_, S> {
    type Ok = ();
    type Error = WriteError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.element(value)
    }

    fn end(self) -> Result<(), WriteError> {
        self.close()
    }
}

impl<S: Sink> ser::SerializeTupleVariant for Compound<'_, S> {
    type Ok = ();
    type Error = WriteError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.element(value)
    }

    fn end(self) -> Result<(), WriteError> {
        self.close()
    }
}

impl<S: Sink> ser::SerializeMap for Compound<'_, S> {
    type Ok = ();
    type Error = WriteError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), WriteError> {
        self.element(key)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.element(value)
    }

    fn end(self) -> Result<(), WriteError> {
        self.close()
    }
}

impl<S: Sink> ser::SerializeStruct for Compound<'_, S> {
    type Ok = ();
    type Error = WriteError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), WriteError> {
        self.field(key, value)
    }

    fn end(self) -> Result<(), WriteError> {
        self.close()
    }
}

impl<S: Sink> ser::SerializeStructVariant for Compound<'_, S> {
    type Ok = ();
    type Error = WriteError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), WriteError> {
        self.field(key, value)
    }

    fn end(self) -> Result<(), WriteError> {
        self.close()
    }
}

/// Reads the string inside a `PLIST-DATE` newtype, as the plist crate does.
struct DateString;

/// Reads the number inside a `PLIST-UID` newtype, as the plist crate does.
struct UidNumber;

fn expected(what: &str) -> WriteError {
    WriteError(format!("plist {what} expected"))
}

/// Every method of a serializer that takes one kind of value refuses the
/// others with `$err`.
macro_rules! refuse_all_but {
    ($err:expr; $($method:ident($($arg:ty),*) -> $ret:ty;)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<$ret, WriteError> { Err($err) })*
    };
}

macro_rules! refuse_the_rest {
    ($err:expr) => {
        refuse_all_but! { $err;
            serialize_bool(bool) -> Self::Ok;
            serialize_i8(i8) -> Self::Ok;
            serialize_i16(i16) -> Self::Ok;
            serialize_i32(i32) -> Self::Ok;
            serialize_u8(u8) -> Self::Ok;
            serialize_u16(u16) -> Self::Ok;
            serialize_u32(u32) -> Self::Ok;
            serialize_f32(f32) -> Self::Ok;
            serialize_f64(f64) -> Self::Ok;
            serialize_char(char) -> Self::Ok;
            serialize_bytes(&[u8]) -> Self::Ok;
            serialize_none() -> Self::Ok;
            serialize_unit() -> Self::Ok;
            serialize_unit_struct(&'static str) -> Self::Ok;
            serialize_unit_variant(&'static str, u32, &'static str) -> Self::Ok;
            serialize_seq(Option<usize>) -> Self::SerializeSeq;
            serialize_tuple(usize) -> Self::SerializeTuple;
            serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
            serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
            serialize_map(Option<usize>) -> Self::SerializeMap;
            serialize_struct(&'static str, usize) -> Self::SerializeStruct;
            serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
        }
        fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<Self::Ok, WriteError> {
            Err($err)
        }
        fn serialize_newtype_struct<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: &T,
        ) -> Result<Self::Ok, WriteError> {
            Err($err)
        }
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<Self::Ok, WriteError> {
            Err($err)
        }
    };
}

impl ser::Serializer for DateString {
    type Ok = plist::Date;
    type Error = WriteError;
    type SerializeSeq = ser::Impossible<plist::Date, WriteError>;
    type SerializeTuple = ser::Impossible<plist::Date, WriteError>;
    type SerializeTupleStruct = ser::Impossible<plist::Date, WriteError>;
    type SerializeTupleVariant = ser::Impossible<plist::Date, WriteError>;
    type SerializeMap = ser::Impossible<plist::Date, WriteError>;
    type SerializeStruct = ser::Impossible<plist::Date, WriteError>;
    type SerializeStructVariant = ser::Impossible<plist::Date, WriteError>;

    fn serialize_str(self, v: &str) -> Result<plist::Date, WriteError> {
        plist::Date::from_xml_format(v).map_err(|_| expected("date string"))
    }

    fn serialize_i64(self, _: i64) -> Result<plist::Date, WriteError> {
        Err(expected("date string"))
    }

    fn serialize_u64(self, _: u64) -> Result<plist::Date, WriteError> {
        Err(expected("date string"))
    }

    refuse_the_rest!(expected("date string"));
}

impl ser::Serializer for UidNumber {
    type Ok = u64;
    type Error = WriteError;
    type SerializeSeq = ser::Impossible<u64, WriteError>;
    type SerializeTuple = ser::Impossible<u64, WriteError>;
    type SerializeTupleStruct = ser::Impossible<u64, WriteError>;
    type SerializeTupleVariant = ser::Impossible<u64, WriteError>;
    type SerializeMap = ser::Impossible<u64, WriteError>;
    type SerializeStruct = ser::Impossible<u64, WriteError>;
    type SerializeStructVariant = ser::Impossible<u64, WriteError>;

    fn serialize_u64(self, v: u64) -> Result<u64, WriteError> {
        Ok(v)
    }

    fn serialize_i64(self, _: i64) -> Result<u64, WriteError> {
        Err(expected("uid"))
    }

    fn serialize_str(self, _: &str) -> Result<u64, WriteError> {
        Err(expected("uid"))
    }

    refuse_the_rest!(expected("uid"));
}
