//! The plist writers against the plist crate's: XML byte for byte, binary
//! by the value it decodes to and by its length (both write every scalar
//! once), for every shape serde can give them, and the same refusals.

use std::collections::BTreeMap;
use std::time::{Duration, UNIX_EPOCH};

use apple_device_management::{Error, from_plist_lenient, to_plist_binary, to_plist_xml};
use plist::Value;
use serde::Serialize;

fn plist_xml<T: Serialize>(v: &T) -> Result<String, plist::Error> {
    let mut out = Vec::new();
    plist::to_writer_xml(&mut out, v)?;
    Ok(String::from_utf8(out).unwrap())
}

fn plist_binary<T: Serialize>(v: &T) -> Result<Vec<u8>, plist::Error> {
    let mut out = Vec::new();
    plist::to_writer_binary(&mut out, v)?;
    Ok(out)
}

/// Both writers agree on `v`; returns our XML.
#[track_caller]
fn agree<T: Serialize>(v: &T) -> String {
    let xml = to_plist_xml(v).unwrap();
    assert_eq!(xml, plist_xml(v).unwrap(), "XML");
    let bin = to_plist_binary(v).unwrap();
    let theirs = plist_binary(v).unwrap();
    if theirs.is_empty() {
        assert!(bin.is_empty(), "nothing to write");
    } else {
        let expected = Value::from_reader(std::io::Cursor::new(&theirs)).unwrap();
        assert_eq!(Value::from_reader(std::io::Cursor::new(&bin)).unwrap(), expected, "binary");
        // The scalars come first in the file, the collections after them:
        // this crate's own decoder finds every object by the offset table too.
        assert_eq!(from_plist_lenient::<Value>(&bin).unwrap(), expected, "binary, read by this crate");
        assert_eq!(bin.len(), theirs.len(), "binary length (each scalar written once)");
    }
    xml
}

fn date(secs: i64) -> plist::Date {
    if secs < 0 {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    } else {
        UNIX_EPOCH + Duration::from_secs(secs as u64)
    }
    .into()
}

fn dict(entries: Vec<(&str, Value)>) -> Value {
    Value::Dictionary(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

#[test]
fn every_kind_of_value_is_written_as_the_plist_crate_writes_it() {
    let data = |n: usize| Value::Data((0..n).map(|i| (i * 7) as u8).collect());
    let text = "a < b & c > d 'q' \"dq\" \r\n\t é € 😀 \u{7f}";
    let v = dict(vec![
        ("Empty array", Value::Array(vec![])),
        ("Empty dict", dict(vec![])),
        ("Text", Value::String(text.into())),
        ("Empty text", Value::String(String::new())),
        (text, Value::Boolean(true)),
        ("False", Value::Boolean(false)),
        (
            "Integers",
            Value::Array(
                [0i64, 1, 255, 256, 65_535, 65_536, u32::MAX.into(), i64::from(u32::MAX) + 1, -1, i64::MIN, i64::MAX]
                    .into_iter()
                    .map(|i| Value::Integer(i.into()))
                    .chain([Value::Integer(u64::MAX.into()), Value::Integer((1u64 << 63).into())])
                    .collect(),
            ),
        ),
        (
            "Reals",
            Value::Array(
                [0.0, -0.0, 0.5, 1.0, -1.5, 1e300, 1e-300, f64::INFINITY, f64::NEG_INFINITY, 123_456_789.125]
                    .into_iter()
                    .map(Value::Real)
                    .collect(),
            ),
        ),
        (
            "Dates",
            Value::Array(vec![
                Value::Date(date(0)),
                Value::Date(date(-4_000_000_000)),
                Value::Date(date(1_700_000_000)),
            ]),
        ),
        ("Data", Value::Array([0, 1, 50, 51, 52, 102, 103, 500].into_iter().map(data).collect())),
        (
            "Deep",
            Value::Array(vec![dict(vec![(
                "a",
                Value::Array(vec![
                    Value::Array(vec![data(60), Value::Array(vec![]), dict(vec![])]),
                    dict(vec![("b", data(0))]),
                ]),
            )])]),
        ),
        ("Repeated", Value::Array(vec![Value::String("Text".into()); 20])),
    ]);
    let xml = agree(&v);
    assert!(xml.contains("<key>a &lt; b &amp; c &gt; d &apos;q&apos; &quot;dq&quot; &#13;\n"), "{xml}");
    assert!(xml.contains("\t<array/>\n") && xml.contains("\t<dict/>\n"), "{xml}");
    // Each root kind, and the empty collections at the root.
    for root in [
        Value::String("x".into()),
        Value::Integer(7.into()),
        Value::Real(2.5),
        Value::Boolean(false),
        Value::Date(date(86_400)),
        data(70),
        Value::Array(vec![]),
        dict(vec![]),
    ] {
        agree(&root);
    }
}

#[test]
fn many_objects_and_long_collections_take_wider_references() {
    // More than 256 and 65,536 objects (2- and 4-byte references), counts
    // of 15 and more (an integer after the marker), offsets past 64 KiB.
    for n in [14usize, 15, 16, 300, 70_000] {
        let v = Value::Array((0..n).map(|i| Value::String(format!("item {i}"))).collect());
        agree(&v);
        let d: plist::Dictionary = (0..n).map(|i| (format!("k{i}"), Value::Integer((i as u64).into()))).collect();
        agree(&Value::Dictionary(d));
    }
}

#[derive(Serialize)]
enum Shape {
    Unit,
    Newtype(u8),
    Tuple(u8, String),
    Struct { a: Option<u8>, b: Option<u8> },
}

#[derive(Serialize)]
struct Record {
    present: Option<String>,
    absent: Option<String>,
    nested_some: Option<Option<u8>>,
    list: Vec<Option<u8>>,
    unit: (),
    tuple: (u8, i8),
    character: char,
    shapes: Vec<Shape>,
    map: BTreeMap<String, Shape>,
    #[serde(with = "serde_bytes_like")]
    bytes: Vec<u8>,
    date: plist::Date,
    small: (u16, u32, i16, i32, f32),
}

/// `serialize_bytes` for a `Vec<u8>` (serde writes a sequence otherwise).
mod serde_bytes_like {
    pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }
}

#[test]
fn options_enums_and_other_serde_shapes_are_written_as_the_plist_crate_writes_them() {
    let record = Record {
        present: Some("here".into()),
        absent: None,
        nested_some: Some(Some(3)),
        list: vec![Some(1), None, Some(2)],
        unit: (),
        tuple: (1, -1),
        character: 'é',
        shapes: vec![
            Shape::Unit,
            Shape::Newtype(4),
            Shape::Tuple(5, "six".into()),
            Shape::Struct { a: Some(7), b: None },
        ],
        map: [("one".to_owned(), Shape::Unit), ("two".to_owned(), Shape::Newtype(2))].into(),
        bytes: vec![1, 2, 3],
        date: date(1_000_000_000),
        small: (1, 2, -3, -4, 0.25),
    };
    let xml = agree(&record);
    assert!(!xml.contains("absent"), "a None field is left out");
    assert!(xml.contains("<key>None</key>") && xml.contains("<key>Some</key>"), "{xml}");
    agree(&Some(5u8));
    agree(&vec![None::<u8>]);
}

#[test]
fn none_at_the_root_writes_nothing() {
    assert_eq!(to_plist_xml(&None::<u8>).unwrap(), "");
    assert!(to_plist_binary(&None::<u8>).unwrap().is_empty());
    assert_eq!(plist_xml(&None::<u8>).unwrap(), "");
}

#[test]
fn uids_are_written_in_binary_and_refused_in_xml() {
    for uid in [0u64, 255, 256, 65_536, u64::from(u32::MAX) + 1, u64::MAX] {
        let v = Value::Array(vec![Value::Uid(plist::Uid::new(uid)), Value::Uid(plist::Uid::new(uid))]);
        let bin = to_plist_binary(&v).unwrap();
        assert_eq!(Value::from_reader(std::io::Cursor::new(&bin)).unwrap(), v);
        assert_eq!(bin.len(), plist_binary(&v).unwrap().len());
        let e = to_plist_xml(&v).unwrap_err();
        assert!(matches!(e, Error::Encode { .. }), "{e}");
        assert!(e.to_string().contains("UID"), "{e}");
        assert!(plist_xml(&v).is_err());
    }
}

#[test]
fn dictionary_keys_that_are_not_strings_are_refused() {
    let ints: BTreeMap<u8, u8> = [(1, 2)].into();
    let lists: BTreeMap<Vec<u8>, u8> = [(vec![1], 2)].into();
    let bools: BTreeMap<bool, u8> = [(true, 2)].into();
    for e in [to_plist_xml(&ints), to_plist_xml(&lists), to_plist_xml(&bools)] {
        let e = e.unwrap_err();
        assert!(e.to_string().contains("a dictionary key must be a string"), "{e}");
    }
    for e in [to_plist_binary(&ints), to_plist_binary(&lists), to_plist_binary(&bools)] {
        let e = e.unwrap_err();
        assert!(e.to_string().contains("a dictionary key must be a string"), "{e}");
    }
    assert!(plist_xml(&ints).is_err() && plist_binary(&ints).is_err());
}

#[derive(Serialize)]
struct BadDate(#[serde(serialize_with = "not_a_date")] ());

fn not_a_date<S: serde::Serializer>(_: &(), s: S) -> Result<S::Ok, S::Error> {
    s.serialize_newtype_struct("PLIST-DATE", "yesterday")
}

#[test]
fn a_date_that_is_not_a_date_is_refused() {
    for e in
        [to_plist_xml(&BadDate(())).unwrap_err().to_string(), to_plist_binary(&BadDate(())).unwrap_err().to_string()]
    {
        assert!(e.contains("plist date string expected"), "{e}");
    }
    assert!(plist_xml(&BadDate(())).is_err());
}

#[test]
fn integers_beyond_64_bits_are_refused() {
    for e in [to_plist_xml(&1u128).unwrap_err(), to_plist_binary(&-1i128).unwrap_err()] {
        assert!(matches!(e, Error::Encode { .. }), "{e}");
    }
}

/// The binary writer keeps its tables for the thread's next encode: what it
/// writes must not depend on what it wrote before, large or small, whole
/// or refused half-way.
#[test]
fn an_encode_does_not_depend_on_the_encodes_before_it() {
    let small = dict(vec![("a", Value::String("x".into())), ("b", Value::Boolean(true))]);
    let medium = Value::Array((0..3_000).map(|i| Value::String(format!("m{}", i % 1_000))).collect());
    let large = Value::Array((0..80_000).map(|i| Value::Integer((i as i64).into())).collect());
    let alone: Vec<Vec<u8>> = [&small, &medium, &large]
        .iter()
        .map(|v| {
            let bin = plist_binary(v).unwrap();
            assert_eq!(to_plist_binary(v).unwrap().len(), bin.len());
            to_plist_binary(v).unwrap()
        })
        .collect();
    let refused: BTreeMap<u8, u8> = [(1, 2)].into();
    let order = [0, 1, 0, 2, 0, 1, 1, 2, 2, 0];
    for (step, &i) in order.iter().enumerate() {
        let v = [&small, &medium, &large][i];
        assert_eq!(to_plist_binary(v).unwrap(), alone[i], "step {step}");
        // A refused value between encodes leaves nothing behind either.
        assert!(to_plist_binary(&vec![refused.clone()]).is_err());
    }
}
