//! A compact, read-only copy of a payload, made for validation.
//!
//! Validation used to encode the payload into a `plist::Value` and walk
//! that. Building the `Value` (a hashed `IndexMap` and a `String` per key,
//! a `String` per value) cost three quarters of the validation time. A
//! [`Tree`] holds the same information in one `Vec` of nodes and one
//! `String` for all text, built by a serde `Serializer`, so a typed payload
//! and a `plist::Value` (which implements `Serialize`) reach the checker
//! the same way.

use std::fmt;

use serde::Serialize;
use serde::ser::{self, Impossible};

use crate::value::ValueKind;

/// A byte range in [`Tree::text`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Span {
    start: u32,
    len: u32,
}

#[derive(Debug, Clone, Copy)]
enum Val {
    Str(Span),
    Int(i64),
    /// An integer above `i64::MAX`.
    UInt(u64),
    Real(f64),
    Bool(bool),
    Data(usize),
    Date(Span),
    Uid(u64),
    /// The number of elements; they follow the node.
    Array(u32),
    /// The number of entries; they follow the node.
    Dict(u32),
}

#[derive(Debug, Clone, Copy)]
struct Node {
    val: Val,
    /// The entry's key when the node is a dictionary value.
    key: Span,
    /// The next sibling; 0 (the root, never a sibling) when there is none.
    next: u32,
}

/// The payload, flattened.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    nodes: Vec<Node>,
    text: String,
}

impl Tree {
    /// Copies any serialisable value (a typed payload, a `plist::Value`).
    #[cfg(test)]
    pub(crate) fn of<T: Serialize + ?Sized>(value: &T) -> Result<Tree, TreeError> {
        let mut b = Builder::default();
        b.build(value)?;
        Ok(b.tree)
    }

    /// Copies `value` and gives the copy to `f`. The buffers are kept per
    /// thread and reused, so that validating a typical command allocates
    /// nothing (allocation was a tenth of the validation time).
    pub(crate) fn with<T: Serialize + ?Sized, R>(value: &T, f: impl FnOnce(Result<&Tree, TreeError>) -> R) -> R {
        thread_local! {
            static SPARE: std::cell::Cell<Option<Builder>> = const { std::cell::Cell::new(None) };
        }
        let mut b = SPARE.take().unwrap_or_else(|| Builder {
            tree: Tree { nodes: Vec::with_capacity(32), text: String::with_capacity(512) },
            stack: Vec::with_capacity(8),
            ..Builder::default()
        });
        let out = match b.build(value) {
            Ok(()) => f(Ok(&b.tree)),
            Err(e) => f(Err(e)),
        };
        // Keep modest buffers only: one huge payload should not pin its memory.
        if b.tree.nodes.capacity() <= 4096 && b.tree.text.capacity() <= 64 << 10 {
            b.reset();
            SPARE.set(Some(b));
        }
        out
    }

    /// The root value.
    pub(crate) fn root(&self) -> NodeRef<'_> {
        NodeRef { tree: self, idx: 0 }
    }

    fn text(&self, s: Span) -> &str {
        &self.text[s.start as usize..(s.start + s.len) as usize]
    }
}

/// One value of a [`Tree`].
#[derive(Clone, Copy)]
pub(crate) struct NodeRef<'t> {
    tree: &'t Tree,
    idx: u32,
}

impl<'t> NodeRef<'t> {
    fn node(&self) -> &'t Node {
        &self.tree.nodes[self.idx as usize]
    }

    pub(crate) fn kind(&self) -> ValueKind {
        match self.node().val {
            Val::Str(_) => ValueKind::String,
            Val::Int(_) | Val::UInt(_) => ValueKind::Integer,
            Val::Real(_) => ValueKind::Real,
            Val::Bool(_) => ValueKind::Boolean,
            Val::Data(_) => ValueKind::Data,
            Val::Date(_) => ValueKind::Date,
            Val::Uid(_) => ValueKind::Uid,
            Val::Array(_) => ValueKind::Array,
            Val::Dict(_) => ValueKind::Dictionary,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&'t str> {
        match self.node().val {
            Val::Str(s) => Some(self.tree.text(s)),
            _ => None,
        }
    }

    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self.node().val {
            Val::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub(crate) fn as_int(&self) -> Option<i128> {
        match self.node().val {
            Val::Int(i) => Some(i.into()),
            Val::UInt(u) => Some(u.into()),
            _ => None,
        }
    }

    /// An integer or a real, as `f64`.
    pub(crate) fn number(&self) -> Option<f64> {
        match self.node().val {
            Val::Int(i) => Some(i as f64),
            Val::UInt(u) => Some(u as f64),
            Val::Real(r) => Some(r),
            _ => None,
        }
    }

    /// The length of a `<data>` value.
    pub(crate) fn data_len(&self) -> Option<usize> {
        match self.node().val {
            Val::Data(n) => Some(n),
            _ => None,
        }
    }

    pub(crate) fn is_container(&self) -> bool {
        matches!(self.node().val, Val::Array(_) | Val::Dict(_))
    }

    /// The value itself when it is a dictionary.
    pub(crate) fn as_dict(&self) -> Option<NodeRef<'t>> {
        matches!(self.node().val, Val::Dict(_)).then_some(*self)
    }

    /// The number of elements or entries (0 for a scalar).
    pub(crate) fn len(&self) -> usize {
        match self.node().val {
            Val::Array(n) | Val::Dict(n) => n as usize,
            _ => 0,
        }
    }

    fn children(&self) -> Children<'t> {
        let next = if self.is_container() && self.len() > 0 { self.idx + 1 } else { 0 };
        Children { tree: self.tree, next }
    }

    /// A dictionary's entries in order (none for other kinds).
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&'t str, NodeRef<'t>)> + use<'t> {
        let dict = matches!(self.node().val, Val::Dict(_));
        self.children().filter(move |_| dict).map(|n| (n.tree.text(n.node().key), n))
    }

    /// An array's elements in order (none for other kinds).
    pub(crate) fn items(&self) -> impl Iterator<Item = NodeRef<'t>> + use<'t> {
        let array = matches!(self.node().val, Val::Array(_));
        self.children().filter(move |_| array)
    }

    /// A dictionary's value for `key` (the last one, if repeated).
    pub(crate) fn get(&self, key: &str) -> Option<NodeRef<'t>> {
        let mut found = None;
        for (k, v) in self.entries() {
            if crate::availability::same_key(k, key) {
                found = Some(v);
            }
        }
        found
    }
}

struct Children<'t> {
    tree: &'t Tree,
    next: u32,
}

impl<'t> Iterator for Children<'t> {
    type Item = NodeRef<'t>;

    fn next(&mut self) -> Option<NodeRef<'t>> {
        if self.next == 0 {
            return None;
        }
        let n = NodeRef { tree: self.tree, idx: self.next };
        self.next = n.node().next;
        Some(n)
    }
}

/// A short rendering for messages: strings plain at the top, quoted
/// inside containers; containers cut after a few entries.
impl fmt::Display for NodeRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        render(*self, f, 0)
    }
}

fn render(n: NodeRef<'_>, f: &mut fmt::Formatter<'_>, depth: usize) -> fmt::Result {
    const MAX_ENTRIES: usize = 8;
    match n.node().val {
        Val::Str(s) if depth == 0 => f.write_str(n.tree.text(s)),
        Val::Str(s) => write!(f, "{:?}", n.tree.text(s)),
        Val::Date(s) => f.write_str(n.tree.text(s)),
        Val::Int(i) => write!(f, "{i}"),
        Val::UInt(u) => write!(f, "{u}"),
        Val::Real(r) => write!(f, "{r}"),
        Val::Bool(b) => write!(f, "{b}"),
        Val::Uid(u) => write!(f, "UID({u})"),
        Val::Data(len) => write!(f, "<data: {len} bytes>"),
        Val::Array(_) | Val::Dict(_) if depth >= 3 => f.write_str("…"),
        Val::Array(len) => {
            f.write_str("[")?;
            for (i, item) in n.children().take(MAX_ENTRIES).enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                render(item, f, depth + 1)?;
            }
            if len as usize > MAX_ENTRIES {
                f.write_str(", …")?;
            }
            f.write_str("]")
        }
        Val::Dict(len) => {
            f.write_str("{")?;
            for (i, (k, v)) in n.entries().take(MAX_ENTRIES).enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{k}: ")?;
                render(v, f, depth + 1)?;
            }
            if len as usize > MAX_ENTRIES {
                f.write_str(", …")?;
            }
            f.write_str("}")
        }
    }
}

/// The value does not serialise to a plist shape: the plist writers' error.
pub(crate) use crate::plist_write::WriteError as TreeError;

/// An open container.
struct Frame {
    idx: u32,
    last: u32,
    count: u32,
}

/// What the next scalar is, set by plist's marker newtypes.
#[derive(Default, Clone, Copy, PartialEq)]
enum Marker {
    #[default]
    None,
    Date,
    Uid,
}

#[derive(Default)]
struct Builder {
    tree: Tree,
    stack: Vec<Frame>,
    /// The key of the dictionary entry being written.
    pending_key: Span,
    marker: Marker,
}

impl Builder {
    fn build<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), TreeError> {
        self.reset();
        value.serialize(&mut *self)?;
        if self.tree.nodes.is_empty() {
            return Err(TreeError("the value encodes to nothing".into()));
        }
        Ok(())
    }

    fn reset(&mut self) {
        self.tree.nodes.clear();
        self.tree.text.clear();
        self.stack.clear();
        self.pending_key = Span::default();
        self.marker = Marker::None;
    }

    fn span(&mut self, s: &str) -> Result<Span, TreeError> {
        let start = u32::try_from(self.tree.text.len()).map_err(|_| TreeError("payload too large".into()))?;
        let len = u32::try_from(s.len()).map_err(|_| TreeError("payload too large".into()))?;
        self.tree.text.push_str(s);
        Ok(Span { start, len })
    }

    fn push(&mut self, val: Val) -> Result<u32, TreeError> {
        let idx = u32::try_from(self.tree.nodes.len()).map_err(|_| TreeError("payload too large".into()))?;
        if idx > 0 && self.stack.is_empty() {
            return Err(TreeError("more than one root value".into()));
        }
        let key = std::mem::take(&mut self.pending_key);
        self.tree.nodes.push(Node { val, key, next: 0 });
        if let Some(frame) = self.stack.last_mut() {
            if frame.count > 0 {
                self.tree.nodes[frame.last as usize].next = idx;
            }
            frame.last = idx;
            frame.count += 1;
        }
        Ok(idx)
    }

    fn scalar(&mut self, val: Val) -> Result<(), TreeError> {
        if self.marker != Marker::None {
            return Err(TreeError("a plist date or UID of the wrong shape".into()));
        }
        self.push(val).map(drop)
    }

    fn open(&mut self, dict: bool) -> Result<(), TreeError> {
        let idx = self.push(if dict { Val::Dict(0) } else { Val::Array(0) })?;
        self.stack.push(Frame { idx, last: 0, count: 0 });
        Ok(())
    }

    fn close(&mut self) -> Result<(), TreeError> {
        let frame = self.stack.pop().ok_or_else(|| TreeError("unbalanced container".into()))?;
        let node = &mut self.tree.nodes[frame.idx as usize];
        node.val = match node.val {
            Val::Dict(_) => Val::Dict(frame.count),
            _ => Val::Array(frame.count),
        };
        Ok(())
    }
}

impl<'a> ser::Serializer for &'a mut Builder {
    type Ok = ();
    type Error = TreeError;
    type SerializeSeq = &'a mut Builder;
    type SerializeTuple = &'a mut Builder;
    type SerializeTupleStruct = &'a mut Builder;
    type SerializeTupleVariant = &'a mut Builder;
    type SerializeMap = &'a mut Builder;
    type SerializeStruct = &'a mut Builder;
    type SerializeStructVariant = &'a mut Builder;

    fn serialize_bool(self, v: bool) -> Result<(), TreeError> {
        self.scalar(Val::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<(), TreeError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), TreeError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), TreeError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), TreeError> {
        self.scalar(Val::Int(v))
    }
    fn serialize_i128(self, v: i128) -> Result<(), TreeError> {
        match (i64::try_from(v), u64::try_from(v)) {
            (Ok(i), _) => self.scalar(Val::Int(i)),
            (_, Ok(u)) => self.scalar(Val::UInt(u)),
            _ => Err(TreeError(format!("{v} does not fit a plist integer"))),
        }
    }
    fn serialize_u8(self, v: u8) -> Result<(), TreeError> {
        self.serialize_i64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), TreeError> {
        self.serialize_i64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), TreeError> {
        self.serialize_i64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), TreeError> {
        if self.marker == Marker::Uid {
            self.marker = Marker::None;
            return self.scalar(Val::Uid(v));
        }
        self.serialize_i128(v.into())
    }
    fn serialize_f32(self, v: f32) -> Result<(), TreeError> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<(), TreeError> {
        self.scalar(Val::Real(v))
    }
    fn serialize_char(self, v: char) -> Result<(), TreeError> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), TreeError> {
        let span = self.span(v)?;
        if self.marker == Marker::Date {
            self.marker = Marker::None;
            return self.scalar(Val::Date(span));
        }
        self.scalar(Val::Str(span))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), TreeError> {
        self.scalar(Val::Data(v.len()))
    }
    /// An absent optional value writes nothing, as in a plist.
    fn serialize_none(self) -> Result<(), TreeError> {
        self.pending_key = Span::default();
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), TreeError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), TreeError> {
        self.serialize_str("")
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), TreeError> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), TreeError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, name: &'static str, value: &T) -> Result<(), TreeError> {
        self.marker = match name {
            "PLIST-DATE" => Marker::Date,
            "PLIST-UID" => Marker::Uid,
            _ => Marker::None,
        };
        value.serialize(&mut *self)?;
        if self.marker != Marker::None {
            return Err(TreeError(format!("`{name}` of the wrong shape")));
        }
        Ok(())
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), TreeError> {
        self.open(true)?;
        self.pending_key = self.span(variant)?;
        value.serialize(&mut *self)?;
        self.close()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, TreeError> {
        self.open(false)?;
        Ok(self)
    }
    fn serialize_tuple(self, len: usize) -> Result<Self, TreeError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Self, TreeError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, TreeError> {
        self.open(true)?;
        self.pending_key = self.span(variant)?;
        self.open(false)?;
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, TreeError> {
        self.open(true)?;
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, TreeError> {
        self.open(true)?;
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, TreeError> {
        self.open(true)?;
        self.pending_key = self.span(variant)?;
        self.open(true)?;
        Ok(self)
    }
}

/// The containers other than maps: elements (sequences) or named fields
/// (structs) are values; `end` closes the container, and for a variant the
/// dictionary around it too.
macro_rules! container_impl {
    ($($trait:ident :: $method:ident ($($key:ident)?), closes $n:literal;)*) => {$(
        impl ser::$trait for &mut Builder {
            type Ok = ();
            type Error = TreeError;
            fn $method<T: ?Sized + Serialize>(&mut self, $($key: &'static str,)? value: &T) -> Result<(), TreeError> {
                $(self.pending_key = self.span($key)?;)?
                value.serialize(&mut **self)
            }
            fn end(self) -> Result<(), TreeError> {
                for _ in 0..$n {
                    self.close()?;
                }
                Ok(())
            }
        }
    )*};
}

container_impl! {
    SerializeSeq::serialize_element(), closes 1;
    SerializeTuple::serialize_element(), closes 1;
    SerializeTupleStruct::serialize_field(), closes 1;
    SerializeTupleVariant::serialize_field(), closes 2;
    SerializeStruct::serialize_field(key), closes 1;
    SerializeStructVariant::serialize_field(key), closes 2;
}

impl ser::SerializeMap for &mut Builder {
    type Ok = ();
    type Error = TreeError;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), TreeError> {
        self.pending_key = key.serialize(KeySerializer { builder: self })?;
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), TreeError> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), TreeError> {
        self.close()
    }
}

/// Dictionary keys: strings only, as in a plist.
struct KeySerializer<'a> {
    builder: &'a mut Builder,
}

fn not_a_key() -> TreeError {
    TreeError("a dictionary key that is not a string".into())
}

/// The `Serializer` methods a key refuses.
macro_rules! refuse_keys {
    ($($method:ident($($arg:ty),*) -> $ok:ty;)*) => {$(
        fn $method(self, $(_: $arg),*) -> Result<$ok, TreeError> {
            Err(not_a_key())
        }
    )*};
}

impl ser::Serializer for KeySerializer<'_> {
    type Ok = Span;
    type Error = TreeError;
    type SerializeSeq = Impossible<Span, TreeError>;
    type SerializeTuple = Impossible<Span, TreeError>;
    type SerializeTupleStruct = Impossible<Span, TreeError>;
    type SerializeTupleVariant = Impossible<Span, TreeError>;
    type SerializeMap = Impossible<Span, TreeError>;
    type SerializeStruct = Impossible<Span, TreeError>;
    type SerializeStructVariant = Impossible<Span, TreeError>;

    fn serialize_str(self, v: &str) -> Result<Span, TreeError> {
        self.builder.span(v)
    }
    fn serialize_char(self, v: char) -> Result<Span, TreeError> {
        self.builder.span(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<Span, TreeError> {
        self.builder.span(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, value: &T) -> Result<Span, TreeError> {
        value.serialize(self)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<Span, TreeError> {
        Err(not_a_key())
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Span, TreeError> {
        Err(not_a_key())
    }
    refuse_keys! {
        serialize_bool(bool) -> Span;
        serialize_i8(i8) -> Span;
        serialize_i16(i16) -> Span;
        serialize_i32(i32) -> Span;
        serialize_i64(i64) -> Span;
        serialize_u8(u8) -> Span;
        serialize_u16(u16) -> Span;
        serialize_u32(u32) -> Span;
        serialize_u64(u64) -> Span;
        serialize_f32(f32) -> Span;
        serialize_f64(f64) -> Span;
        serialize_bytes(&[u8]) -> Span;
        serialize_none() -> Span;
        serialize_unit() -> Span;
        serialize_unit_struct(&'static str) -> Span;
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct(&'static str, usize) -> Self::SerializeStruct;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xml(body: &str) -> plist::Value {
        let text = format!("<plist version=\"1.0\">{body}</plist>");
        plist::Value::from_reader_xml(text.as_bytes()).unwrap()
    }

    #[test]
    fn a_plist_value_is_copied_with_every_kind() {
        let v = xml("<dict><key>s</key><string>x</string><key>i</key><integer>-3</integer>\
             <key>u</key><integer>18446744073709551615</integer><key>r</key><real>1.5</real>\
             <key>b</key><true/><key>d</key><data>AAEC</data><key>t</key><date>2024-01-02T03:04:05Z</date>\
             <key>a</key><array><string>p</string><dict/><array><integer>1</integer></array></array>\
             <key>e</key><dict><key>k</key><string>v</string></dict></dict>");
        let tree = Tree::of(&v).unwrap();
        let root = tree.root();
        assert_eq!(root.kind(), ValueKind::Dictionary);
        let keys: Vec<&str> = root.entries().map(|(k, _)| k).collect();
        assert_eq!(keys, ["s", "i", "u", "r", "b", "d", "t", "a", "e"]);
        assert_eq!(root.get("s").unwrap().as_str(), Some("x"));
        assert_eq!(root.get("i").unwrap().as_int(), Some(-3));
        assert_eq!(root.get("u").unwrap().as_int(), Some(u64::MAX.into()));
        assert_eq!(root.get("r").unwrap().kind(), ValueKind::Real);
        assert_eq!(root.get("r").unwrap().number(), Some(1.5));
        assert_eq!(root.get("b").unwrap().as_bool(), Some(true));
        assert_eq!(root.get("d").unwrap().data_len(), Some(3));
        assert_eq!(root.get("t").unwrap().kind(), ValueKind::Date);
        let a = root.get("a").unwrap();
        assert_eq!(a.len(), 3);
        let kinds: Vec<ValueKind> = a.items().map(|n| n.kind()).collect();
        assert_eq!(kinds, [ValueKind::String, ValueKind::Dictionary, ValueKind::Array]);
        assert_eq!(a.items().nth(2).unwrap().items().next().unwrap().as_int(), Some(1));
        assert_eq!(root.get("e").unwrap().get("k").unwrap().as_str(), Some("v"));
        assert!(root.get("missing").is_none());
        assert_eq!(a.entries().count(), 0, "an array has no entries");
        assert_eq!(root.items().count(), 0, "a dictionary has no items");
    }

    #[test]
    fn rendering_is_short_and_bounded() {
        let v =
            xml("<dict><key>Item</key><string>X</string><key>n</key><array><integer>1</integer><true/></array></dict>");
        assert_eq!(Tree::of(&v).unwrap().root().to_string(), "{Item: \"X\", n: [1, true]}");
        let many = format!("<array>{}</array>", "<integer>7</integer>".repeat(20));
        assert_eq!(Tree::of(&xml(&many)).unwrap().root().to_string(), "[7, 7, 7, 7, 7, 7, 7, 7, …]");
    }

    #[test]
    fn absent_options_write_nothing() {
        let mut m = std::collections::BTreeMap::new();
        m.insert("a", None);
        m.insert("b", Some(1));
        let tree = Tree::of(&m).unwrap();
        let keys: Vec<&str> = tree.root().entries().map(|(k, _)| k).collect();
        assert_eq!(keys, ["b"]);
    }

    #[test]
    fn non_string_keys_are_refused() {
        let mut m = std::collections::BTreeMap::new();
        m.insert(1, 2);
        assert!(Tree::of(&m).is_err());
    }
}
