//! A typed value seen in place, as validation reads it.
//!
//! Validating a typed value used to copy it first (serialising it into a
//! compact tree, `validate/tree.rs`), and the copy was about a third of the
//! validation time. A [`View`] lends the checker the value itself: each
//! generated record lists its fields through [`Record::view_field`], in
//! the order and with the same omissions as [`Record::encode_fields`]
//! (then the tag before them and `extra` after them, as
//! [`encode_record`](crate::record::encode_record) writes them), so the
//! checker sees what the encoded plist would hold without building it.
//!
//! Every [`FieldValue`](crate::record::FieldValue) says how it is seen
//! ([`FieldValue::view`](crate::record::FieldValue::view)), as its
//! `Serialize` implementation writes it.

// Validation (the `commands` feature) is what reads documents through
// this; without it the readers are unused.
#![cfg_attr(not(feature = "commands"), allow(dead_code))]

use std::fmt;

use crate::availability::same_key;
use crate::node::{Hint, Item, Node, is_set, render};
use crate::record::{FieldValue, Record, Tag};
use crate::value::ValueKind;

/// One value of a typed document, borrowed.
///
/// Small (32 bytes): views are passed by value through every call of the
/// walk, and a tag is a reference to its static pair, not the pair.
#[doc(hidden)]
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum View<'t> {
    /// A string (also an open enum's wire value).
    Str(&'t str),
    /// A value of an open enum, with its index in the enum's list (for a
    /// key whose subkeys are the list, the index of its row among them).
    Listed(&'t str, u16),
    /// An integer (also a bit set's bits).
    Int(i64),
    /// A real.
    Real(f64),
    /// A boolean.
    Bool(bool),
    /// `<data>`.
    Data(&'t [u8]),
    /// A date.
    Date(plist::Date),
    /// An untyped value (a field of `plist::Value`, an entry of `extra`).
    Value(&'t plist::Value),
    /// An untyped dictionary.
    Dict(&'t plist::Dictionary),
    /// A generated record with its tag (`RequestType`, `MessageType`...),
    /// written unless `extra` records the tag as absent.
    Record(&'t dyn RecordView, ViewTag),
    /// Two records in one dictionary, with the first's tag: a profile
    /// payload (`PayloadType`, the common payload keys and their `extra`,
    /// then the body's keys and `extra`).
    Pair(&'t dyn PairView),
    /// A variant of a union: the discriminator (key and value) is always
    /// written first.
    Variant(&'t dyn RecordView, &'static (&'static str, &'static str)),
    /// An array of typed elements.
    Seq(&'t dyn SeqView),
    /// A dictionary of typed values under any keys.
    Map(&'t dyn MapView),
    /// An absent `Option` (nothing is written).
    Absent,
}

// Views are passed by value at every step of a walk: a larger one (72
// bytes, with tags held inline) was copied between calls, and the copies
// stalled on the stores that had just written it.
const _: () = assert!(std::mem::size_of::<View<'static>>() <= 32);

/// A record's tag as a [`View`] holds it: its key and value, static.
#[doc(hidden)]
pub type ViewTag = Option<&'static (&'static str, &'static str)>;

/// A [`Tag`] as a [`View`] holds it. Call it on a constant
/// (`view_tag(&TAG)`), whose reference is static.
#[doc(hidden)]
#[inline]
pub const fn view_tag(tag: &'static Tag) -> ViewTag {
    tag.as_ref()
}

/// Two records written as one dictionary, for [`View::Pair`].
#[doc(hidden)]
pub trait PairView {
    /// The record written first, after the tag.
    fn first(&self) -> &dyn RecordView;
    /// The first record's tag (`PayloadType` and its value).
    fn tag(&self) -> &'static (&'static str, &'static str);
    /// The record written after the first (and its `extra`).
    fn second(&self) -> &dyn RecordView;
}

/// A record's fields, for [`View::Record`].
#[doc(hidden)]
pub trait RecordView {
    /// The wire names of the known keys.
    fn keys(&self) -> &'static [&'static str];
    /// Key `index`'s value, when it is written.
    fn field(&self, index: usize) -> Option<View<'_>>;
    /// Calls `f` with the index and value of each key written, in order.
    fn each_field<'s>(&'s self, f: &mut dyn FnMut(usize, View<'s>));
    /// Key `key`'s value, when it is a known key and written.
    fn field_named(&self, key: &str) -> Option<View<'_>>;
    /// What `extra` holds (written after the fields).
    fn extra_entries(&self) -> &plist::Dictionary;
    /// True when the key was absent when decoding (its tag is not written).
    fn absent(&self, key: &str) -> bool;
}

impl<R: Record> RecordView for R {
    fn keys(&self) -> &'static [&'static str] {
        R::KEYS
    }
    #[inline]
    fn field(&self, index: usize) -> Option<View<'_>> {
        self.view_field(index)
    }
    fn each_field<'s>(&'s self, f: &mut dyn FnMut(usize, View<'s>)) {
        self.view_fields(f)
    }
    fn field_named(&self, key: &str) -> Option<View<'_>> {
        R::key_index(key).and_then(|i| self.view_field(i))
    }
    fn extra_entries(&self) -> &plist::Dictionary {
        self.extra()
    }
    fn absent(&self, key: &str) -> bool {
        self.extra().is_absent(key)
    }
}

/// An array's elements, for [`View::Seq`].
#[doc(hidden)]
pub trait SeqView {
    /// The number of elements.
    fn count(&self) -> usize;
    /// Element `index` (`index < count()`).
    fn item(&self, index: usize) -> View<'_>;
    /// Element `index` when it is a value of an open enum
    /// ([`View::Listed`]): its wire value and its index in the enum's
    /// list, without the view of the element (a catalogue's elements,
    /// DeviceInformation's queries, are checked by this alone).
    fn listed(&self, index: usize) -> Option<(&str, u16)>;
    /// For an array of an open enum's values, the enum's values in order
    /// (what [`SeqView::listed`]'s index indexes); empty otherwise.
    fn listed_names(&self) -> &'static [&'static str];
    /// The first element from `from` on that is not a listed value whose
    /// index is set in `skip` (bit `i % 64` of word `i / 64`): `count()`
    /// when there is none. One call passes over a run of such elements
    /// (the queries a target supports plainly).
    fn next_unskipped(&self, from: usize, skip: &[u64]) -> usize;
}

impl<T: FieldValue> SeqView for Vec<T> {
    fn count(&self) -> usize {
        self.len()
    }
    #[inline]
    fn item(&self, index: usize) -> View<'_> {
        self[index].view()
    }
    #[inline]
    fn listed(&self, index: usize) -> Option<(&str, u16)> {
        self.get(index)?.listed()
    }
    fn listed_names(&self) -> &'static [&'static str] {
        T::listed_names()
    }
    fn next_unskipped(&self, from: usize, skip: &[u64]) -> usize {
        let rest = self.get(from..).unwrap_or_default();
        let skipped = |v: &T| v.listed_index().is_some_and(|index| is_set(skip, usize::from(index)));
        from + rest.iter().position(|v| !skipped(v)).unwrap_or(rest.len())
    }
}

/// A dictionary's entries, for [`View::Map`].
#[doc(hidden)]
pub trait MapView {
    /// The number of entries.
    fn count(&self) -> usize;
    /// The entries in order.
    fn entries(&self) -> Box<dyn Iterator<Item = (&str, View<'_>)> + '_>;
    /// The value of `key` (the last one written, if repeated).
    fn value(&self, key: &str) -> Option<View<'_>> {
        self.entries().filter(|(k, _)| *k == key).last().map(|(_, v)| v)
    }
}

/// A record's entries as [`encode_record`](crate::record::encode_record)
/// writes them (the tag, the fields, `extra`): for the hand-written
/// envelopes, whose entries chain a record's with their own.
pub(crate) fn record_entries<'t>(
    record: &'t dyn RecordView,
    tag: ViewTag,
) -> impl Iterator<Item = (&'t str, View<'t>)> + 't {
    View::Record(record, tag).entries()
}

/// A dictionary's entries, as [`encode_extra`](crate::record::encode_extra)
/// writes them.
pub(crate) fn dict_entries(d: &plist::Dictionary) -> impl Iterator<Item = (&str, View<'_>)> {
    d.iter().map(|(k, v)| (k.as_str(), View::Value(v)))
}

impl<T: FieldValue> MapView for std::collections::BTreeMap<String, T> {
    fn count(&self) -> usize {
        self.len()
    }
    fn entries(&self) -> Box<dyn Iterator<Item = (&str, View<'_>)> + '_> {
        Box::new(self.iter().map(|(k, v)| (k.as_str(), v.view())))
    }
    fn value(&self, key: &str) -> Option<View<'_>> {
        self.get(key).map(FieldValue::view)
    }
}

/// A required field as [`encode_req`](crate::record::encode_req) writes
/// it: not when its received value is kept in `extra` (written from
/// there), nor when it was absent and still holds its default.
#[inline]
pub fn view_req<'t, T: FieldValue + Default + PartialEq>(
    value: &'t T,
    extra: &crate::Extra,
    key: &str,
) -> Option<View<'t>> {
    if !extra.is_empty() && extra.contains_key(key) {
        return None;
    }
    if extra.is_absent(key) && *value == T::default() {
        return None;
    }
    Some(value.view())
}

/// An optional field as [`encode_opt`](crate::record::encode_opt) writes
/// it: when set.
#[inline]
pub fn view_opt<T: FieldValue>(value: &Option<T>) -> Option<View<'_>> {
    value.as_ref().map(FieldValue::view)
}

fn of_value(v: &plist::Value) -> View<'_> {
    View::Value(v)
}

/// A record's `extra` value for `key` (nearly every record's `extra` is
/// empty: no lookup then).
#[inline]
fn extra_value<'t>(r: &'t dyn RecordView, key: &str) -> Option<View<'t>> {
    let extra = r.extra_entries();
    if extra.is_empty() { None } else { extra.get(key).map(of_value) }
}

impl<'t> View<'t> {
    /// The tag this record writes first, if any.
    fn tag(self) -> Option<(&'static str, &'static str)> {
        match self {
            View::Record(r, Some(&(k, v))) if !r.absent(k) => Some((k, v)),
            View::Pair(p) => {
                let (k, v) = *p.tag();
                (!p.first().absent(k)).then_some((k, v))
            }
            View::Variant(_, &(k, v)) => Some((k, v)),
            _ => None,
        }
    }

    /// The tag's value when `key` is the tag's key and the tag is written
    /// ([`View::tag`] for one key: the names are compared first, as the
    /// prose rules ask records for keys they do not have). `get` answers
    /// a record's and a variant's tag itself.
    fn tag_named(self, key: &str) -> Option<View<'t>> {
        let View::Pair(p) = self else { return None };
        let (k, v) = *p.tag();
        (same_key(k, key) && !p.first().absent(k)).then_some(View::Str(v))
    }
}

impl<'t> Node<'t> for View<'t> {
    fn kind(self) -> ValueKind {
        match self {
            View::Str(_) | View::Listed(..) | View::Absent => ValueKind::String,
            View::Int(_) => ValueKind::Integer,
            View::Real(_) => ValueKind::Real,
            View::Bool(_) => ValueKind::Boolean,
            View::Data(_) => ValueKind::Data,
            View::Date(_) => ValueKind::Date,
            View::Value(v) => ValueKind::of(v),
            View::Dict(_) | View::Record(..) | View::Pair(..) | View::Variant(..) | View::Map(_) => {
                ValueKind::Dictionary
            }
            View::Seq(_) => ValueKind::Array,
        }
    }

    fn as_str(self) -> Option<&'t str> {
        match self {
            View::Str(s) | View::Listed(s, _) => Some(s),
            View::Absent => Some(""),
            View::Value(v) => v.as_string(),
            _ => None,
        }
    }

    fn as_bool(self) -> Option<bool> {
        match self {
            View::Bool(b) => Some(b),
            View::Value(v) => v.as_boolean(),
            _ => None,
        }
    }

    fn as_int(self) -> Option<i128> {
        match self {
            View::Int(i) => Some(i.into()),
            View::Value(plist::Value::Integer(i)) => {
                i.as_signed().map(i128::from).or_else(|| i.as_unsigned().map(i128::from))
            }
            _ => None,
        }
    }

    fn number(self) -> Option<f64> {
        match self {
            View::Int(i) => Some(i as f64),
            View::Real(r) => Some(r),
            View::Value(plist::Value::Real(r)) => Some(*r),
            View::Value(plist::Value::Integer(_)) => self.as_int().map(|i| i as f64),
            _ => None,
        }
    }

    fn data_len(self) -> Option<usize> {
        match self {
            View::Data(d) => Some(d.len()),
            View::Value(plist::Value::Data(d)) => Some(d.len()),
            _ => None,
        }
    }

    fn len(self) -> usize {
        match self {
            View::Value(plist::Value::Array(a)) => a.len(),
            View::Value(plist::Value::Dictionary(d)) | View::Dict(d) => d.len(),
            View::Seq(s) => s.count(),
            View::Map(m) => m.count(),
            View::Record(..) | View::Pair(..) | View::Variant(..) => {
                let mut n = 0;
                self.each_entry(|_, _| n += 1);
                n
            }
            _ => 0,
        }
    }

    fn entries(self) -> impl Iterator<Item = (&'t str, Self)> {
        match self {
            View::Value(plist::Value::Dictionary(d)) | View::Dict(d) => Entries::Dict(d.iter()),
            View::Record(r, _) | View::Variant(r, ..) => {
                Entries::Record { record: r, tag: self.tag(), next: 0, extra: r.extra_entries().iter(), then: None }
            }
            View::Pair(p) => Entries::Record {
                record: p.first(),
                tag: self.tag(),
                next: 0,
                extra: p.first().extra_entries().iter(),
                then: Some(p.second()),
            },
            View::Map(m) => Entries::Map(m.entries()),
            _ => Entries::None,
        }
    }

    fn listed(self) -> Option<usize> {
        match self {
            View::Listed(_, i) => Some(usize::from(i)),
            _ => None,
        }
    }

    fn listed_names(self) -> &'static [&'static str] {
        match self {
            View::Seq(s) => s.listed_names(),
            _ => &[],
        }
    }

    fn each_entry(self, mut f: impl FnMut(&'t str, Self)) {
        self.each_entry_hinted(|k, _, v| f(k, v));
    }

    fn each_entry_hinted(self, mut f: impl FnMut(&'t str, Option<Hint>, Self)) {
        match self {
            View::Record(r, _) | View::Variant(r, _) => {
                if let Some((k, v)) = self.tag() {
                    f(k, None, View::Str(v));
                }
                each_field_hinted(r, 0, &mut f);
            }
            View::Pair(p) => {
                if let Some((k, v)) = self.tag() {
                    f(k, None, View::Str(v));
                }
                each_field_hinted(p.first(), 0, &mut f);
                each_field_hinted(p.second(), 1, &mut f);
            }
            _ => {
                for (k, v) in self.entries() {
                    f(k, None, v);
                }
            }
        }
    }

    fn items(self) -> impl Iterator<Item = Self> {
        match self {
            View::Value(plist::Value::Array(a)) => Items::Array(a.iter()),
            View::Seq(s) => Items::Seq { seq: s, next: 0, count: s.count() },
            _ => Items::None,
        }
    }

    fn each_item(self, listed: bool, skip: &[u64], mut f: impl FnMut(usize, Item<'t, Self>) -> bool) {
        match self {
            // A typed array's elements that are enum values need no view,
            // and those `skip` names are passed over in one call.
            View::Seq(s) => {
                let count = s.count();
                let mut i = 0;
                while i < count {
                    if listed && !skip.is_empty() {
                        i = s.next_unskipped(i, skip);
                        if i >= count {
                            break;
                        }
                    }
                    let taken = listed
                        && match s.listed(i) {
                            Some((name, index)) => f(i, Item::Listed(usize::from(index), name)),
                            None => false,
                        };
                    if !taken {
                        f(i, Item::Node(s.item(i)));
                    }
                    i += 1;
                }
            }
            View::Value(plist::Value::Array(a)) => {
                for (i, v) in a.iter().enumerate() {
                    f(i, Item::Node(View::Value(v)));
                }
            }
            _ => {}
        }
    }

    fn get(self, key: &str) -> Option<Self> {
        match self {
            View::Value(plist::Value::Dictionary(d)) | View::Dict(d) => d.get(key).map(of_value),
            View::Map(m) => m.value(key),
            // The last one written: `extra` comes after the fields and the
            // tag. A tag's key is never a field: decoding reads that key as
            // the tag, whatever the record's fields ([`decode_record`]), so
            // the tag is answered without looking the key up among them
            // (the walk asks each Settings item for its `Item`).
            //
            // [`decode_record`]: crate::record::decode_record
            View::Record(r, tag) => extra_value(r, key).or_else(|| match tag {
                Some(&(k, v)) if same_key(k, key) => (!r.absent(k)).then_some(View::Str(v)),
                _ => r.field_named(key),
            }),
            View::Variant(r, &(k, v)) => {
                extra_value(r, key).or_else(|| if same_key(k, key) { Some(View::Str(v)) } else { r.field_named(key) })
            }
            View::Pair(p) => extra_value(p.second(), key)
                .or_else(|| p.second().field_named(key))
                .or_else(|| extra_value(p.first(), key))
                .or_else(|| p.first().field_named(key))
                .or_else(|| self.tag_named(key)),
            _ => None,
        }
    }

    fn scalar(self, f: &mut fmt::Formatter<'_>, top: bool) -> fmt::Result {
        match self {
            View::Str(s) | View::Listed(s, _) if top => f.write_str(s),
            View::Str(s) | View::Listed(s, _) => write!(f, "{s:?}"),
            View::Absent if top => Ok(()),
            View::Absent => f.write_str("\"\""),
            View::Int(i) => write!(f, "{i}"),
            View::Real(r) => write!(f, "{r}"),
            View::Bool(b) => write!(f, "{b}"),
            View::Data(d) => write!(f, "<data: {} bytes>", d.len()),
            View::Date(d) => f.write_str(&d.to_xml_format()),
            View::Value(v) => match v {
                plist::Value::String(s) if top => f.write_str(s),
                plist::Value::String(s) => write!(f, "{s:?}"),
                plist::Value::Integer(i) => write!(f, "{i}"),
                plist::Value::Real(r) => write!(f, "{r}"),
                plist::Value::Boolean(b) => write!(f, "{b}"),
                plist::Value::Data(d) => write!(f, "<data: {} bytes>", d.len()),
                plist::Value::Date(d) => f.write_str(&d.to_xml_format()),
                plist::Value::Uid(u) => write!(f, "UID({})", u.get()),
                _ => Ok(()),
            },
            _ => Ok(()),
        }
    }
}

/// A record's fields with their place (the record being `part` of its
/// dictionary), then its `extra`, as [`Node::each_entry_hinted`] lists them.
fn each_field_hinted<'t>(r: &'t dyn RecordView, part: usize, f: &mut impl FnMut(&'t str, Option<Hint>, View<'t>)) {
    let keys = r.keys();
    r.each_field(&mut |index, v| f(keys[index], Some(Hint { part, index }), v));
    for (k, v) in r.extra_entries() {
        f(k, None, View::Value(v));
    }
}

impl fmt::Display for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        render(*self, f, 0)
    }
}

enum Entries<'t> {
    None,
    Dict(plist::dictionary::Iter<'t>),
    Record {
        record: &'t dyn RecordView,
        tag: Option<(&'static str, &'static str)>,
        next: usize,
        extra: plist::dictionary::Iter<'t>,
        /// The record whose entries follow (a [`View::Pair`]'s second).
        then: Option<&'t dyn RecordView>,
    },
    Map(Box<dyn Iterator<Item = (&'t str, View<'t>)> + 't>),
}

impl<'t> Iterator for Entries<'t> {
    type Item = (&'t str, View<'t>);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Entries::None => None,
            Entries::Dict(it) => it.next().map(|(k, v)| (k.as_str(), View::Value(v))),
            Entries::Record { record, tag, next, extra, then } => loop {
                if let Some((k, v)) = tag.take() {
                    return Some((k, View::Str(v)));
                }
                let keys = record.keys();
                while *next < keys.len() {
                    let i = *next;
                    *next += 1;
                    if let Some(v) = record.field(i) {
                        return Some((keys[i], v));
                    }
                }
                if let Some((k, v)) = extra.next() {
                    return Some((k.as_str(), View::Value(v)));
                }
                let second = then.take()?;
                *record = second;
                *next = 0;
                *extra = second.extra_entries().iter();
            },
            Entries::Map(it) => it.next(),
        }
    }
}

enum Items<'t> {
    None,
    Array(std::slice::Iter<'t, plist::Value>),
    Seq { seq: &'t dyn SeqView, next: usize, count: usize },
}

impl<'t> Iterator for Items<'t> {
    type Item = View<'t>;

    fn next(&mut self) -> Option<View<'t>> {
        match self {
            Items::None => None,
            Items::Array(it) => it.next().map(View::Value),
            Items::Seq { seq, next, count } => {
                if *next >= *count {
                    return None;
                }
                *next += 1;
                Some(seq.item(*next - 1))
            }
        }
    }
}
