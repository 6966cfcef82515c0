//! A compact, read-only copy of a payload, made for validation of
//! untyped values (a typed value is read in place: `crate::view`).
//!
//! Validation used to encode the payload into a `plist::Value` and walk
//! that. Building the `Value` (a hashed `IndexMap` and a `String` per key,
//! a `String` per value) cost three quarters of the validation time. A
//! [`Tree`] holds the same information in one `Vec` of nodes and one
//! `String` for all text. It is built by the serializer that writes plists
//! ([`crate::plist_write`], as its third writer), so the checker sees what
//! the encoded plist would hold. A typed value's view lists the same
//! entries in the same order (the property tests compare the two reports).

use std::fmt;

use serde::Serialize;

use crate::plist_write::{Int, Kind, Sink, key_must_be_a_string};
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
        Ok(Builder::default().build(value)?.tree)
    }

    /// Copies `value` and gives the copy to `f`. The buffers are kept per
    /// thread and reused, so that validating a typical command allocates
    /// nothing (allocation was a tenth of the validation time).
    pub(crate) fn with<T: Serialize + ?Sized, R>(value: &T, f: impl FnOnce(Result<&Tree, TreeError>) -> R) -> R {
        thread_local! {
            static SPARE: std::cell::Cell<Option<Builder>> = const { std::cell::Cell::new(None) };
        }
        let b = SPARE.take().unwrap_or_else(|| Builder {
            tree: Tree { nodes: Vec::with_capacity(32), text: String::with_capacity(512) },
            stack: Vec::with_capacity(8),
            ..Builder::default()
        });
        match b.build(value) {
            Ok(b) => {
                let out = f(Ok(&b.tree));
                // Keep modest buffers only: one huge payload should not pin
                // its memory. `build` clears them before the next use.
                if b.tree.nodes.capacity() <= 4096 && b.tree.text.capacity() <= 64 << 10 {
                    SPARE.set(Some(b));
                }
                out
            }
            // A value that cannot be written as a plist: rare, and the
            // buffers went with the serializer; the next call makes new ones.
            Err(e) => f(Err(e)),
        }
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
        if !matches!(self.node().val, Val::Dict(_)) {
            return None;
        }
        // Lengths first, from the spans: most keys differ there, and no
        // key is sliced out of the text as a `str` (which checks both
        // ends for a character boundary).
        let text = self.tree.text.as_bytes();
        let mut found = None;
        for n in self.children() {
            let k = n.node().key;
            let start = k.start as usize;
            if k.len as usize == key.len() && text.get(start..start + key.len()) == Some(key.as_bytes()) {
                found = Some(n);
            }
        }
        found
    }
}

impl<'t> crate::node::Node<'t> for NodeRef<'t> {
    fn kind(self) -> ValueKind {
        NodeRef::kind(&self)
    }
    fn as_str(self) -> Option<&'t str> {
        NodeRef::as_str(&self)
    }
    fn as_bool(self) -> Option<bool> {
        NodeRef::as_bool(&self)
    }
    fn as_int(self) -> Option<i128> {
        NodeRef::as_int(&self)
    }
    fn number(self) -> Option<f64> {
        NodeRef::number(&self)
    }
    fn data_len(self) -> Option<usize> {
        NodeRef::data_len(&self)
    }
    fn len(self) -> usize {
        NodeRef::len(&self)
    }
    fn entries(self) -> impl Iterator<Item = (&'t str, Self)> {
        NodeRef::entries(&self)
    }
    fn items(self) -> impl Iterator<Item = Self> {
        NodeRef::items(&self)
    }
    fn get(self, key: &str) -> Option<Self> {
        NodeRef::get(&self, key)
    }
    fn is_container(self) -> bool {
        NodeRef::is_container(&self)
    }
    fn as_dict(self) -> Option<Self> {
        NodeRef::as_dict(&self)
    }
    fn scalar(self, f: &mut fmt::Formatter<'_>, top: bool) -> fmt::Result {
        match self.node().val {
            Val::Str(s) if top => f.write_str(self.tree.text(s)),
            Val::Str(s) => write!(f, "{:?}", self.tree.text(s)),
            Val::Date(s) => f.write_str(self.tree.text(s)),
            Val::Int(i) => write!(f, "{i}"),
            Val::UInt(u) => write!(f, "{u}"),
            Val::Real(r) => write!(f, "{r}"),
            Val::Bool(b) => write!(f, "{b}"),
            Val::Uid(u) => write!(f, "UID({u})"),
            Val::Data(len) => write!(f, "<data: {len} bytes>"),
            Val::Array(_) | Val::Dict(_) => Ok(()),
        }
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

impl fmt::Display for NodeRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::node::render(*self, f, 0)
    }
}

/// The value does not serialise to a plist shape: the plist writers' error.
pub(crate) use crate::plist_write::WriteError as TreeError;

/// An open container.
struct Frame {
    idx: u32,
    last: u32,
    count: u32,
    dictionary: bool,
}

/// Builds a [`Tree`] from the events of the plist writers' serializer
/// ([`crate::plist_write`]): the tree holds what an encoded plist would.
#[derive(Default)]
struct Builder {
    tree: Tree,
    stack: Vec<Frame>,
    /// The key of the dictionary entry whose value comes next; `None` in a
    /// dictionary means the next string is a key.
    pending_key: Option<Span>,
}

impl Builder {
    /// Copies `value` into a cleared builder. On an error the builder is
    /// dropped with the serializer; the caller makes a new one.
    fn build<T: Serialize + ?Sized>(mut self, value: &T) -> Result<Builder, TreeError> {
        self.reset();
        let b = crate::plist_write::write(self, value)?;
        if b.tree.nodes.is_empty() {
            return Err(TreeError("the value encodes to nothing".into()));
        }
        if !b.stack.is_empty() || b.pending_key.is_some() {
            return Err(TreeError("the value ends inside an array or dictionary".into()));
        }
        Ok(b)
    }

    fn reset(&mut self) {
        self.tree.nodes.clear();
        self.tree.text.clear();
        self.stack.clear();
        self.pending_key = None;
    }

    #[inline]
    fn span(&mut self, s: &str) -> Result<Span, TreeError> {
        let start = u32::try_from(self.tree.text.len()).map_err(|_| TreeError("payload too large".into()))?;
        let len = u32::try_from(s.len()).map_err(|_| TreeError("payload too large".into()))?;
        self.tree.text.push_str(s);
        Ok(Span { start, len })
    }

    /// The next string is a dictionary's key.
    #[inline]
    fn expecting_key(&self) -> bool {
        self.pending_key.is_none() && self.stack.last().is_some_and(|f| f.dictionary)
    }

    /// Adds a value where a value belongs.
    #[inline]
    fn push(&mut self, val: Val) -> Result<u32, TreeError> {
        let idx = u32::try_from(self.tree.nodes.len()).map_err(|_| TreeError("payload too large".into()))?;
        if idx > 0 && self.stack.is_empty() {
            return Err(TreeError("more than one root value".into()));
        }
        let key = self.pending_key.take().unwrap_or_default();
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

    /// Adds a value other than a string (`kind` names it where a key belongs).
    #[inline]
    fn value(&mut self, kind: Kind, val: Val) -> Result<u32, TreeError> {
        if self.expecting_key() {
            return Err(key_must_be_a_string(kind));
        }
        self.push(val)
    }

    #[inline]
    fn scalar(&mut self, kind: Kind, val: Val) -> Result<(), TreeError> {
        self.value(kind, val).map(drop)
    }

    fn open(&mut self, dictionary: bool) -> Result<(), TreeError> {
        let (kind, val) = if dictionary { (Kind::Dictionary, Val::Dict(0)) } else { (Kind::Array, Val::Array(0)) };
        let idx = self.value(kind, val)?;
        self.stack.push(Frame { idx, last: 0, count: 0, dictionary });
        Ok(())
    }
}

impl Sink for Builder {
    #[inline]
    fn start_array(&mut self) -> Result<(), TreeError> {
        self.open(false)
    }

    #[inline]
    fn start_dictionary(&mut self) -> Result<(), TreeError> {
        self.open(true)
    }

    #[inline]
    fn end_collection(&mut self) -> Result<(), TreeError> {
        if self.pending_key.is_some() {
            return Err(TreeError("a dictionary key without a value".into()));
        }
        let frame = self.stack.pop().ok_or_else(|| TreeError("unbalanced container".into()))?;
        let node = &mut self.tree.nodes[frame.idx as usize];
        node.val = if frame.dictionary { Val::Dict(frame.count) } else { Val::Array(frame.count) };
        Ok(())
    }

    #[inline]
    fn boolean(&mut self, v: bool) -> Result<(), TreeError> {
        self.scalar(Kind::Boolean, Val::Bool(v))
    }

    #[inline]
    fn data(&mut self, v: &[u8]) -> Result<(), TreeError> {
        self.scalar(Kind::Data, Val::Data(v.len()))
    }

    #[inline]
    fn date(&mut self, v: plist::Date) -> Result<(), TreeError> {
        let span = self.span(&v.to_xml_format())?;
        self.scalar(Kind::Date, Val::Date(span))
    }

    #[inline]
    fn integer(&mut self, v: Int) -> Result<(), TreeError> {
        self.scalar(
            Kind::Integer,
            match v {
                Int::Signed(i) => Val::Int(i),
                Int::Unsigned(u) => Val::UInt(u),
            },
        )
    }

    #[inline]
    fn real(&mut self, v: f64) -> Result<(), TreeError> {
        self.scalar(Kind::Real, Val::Real(v))
    }

    #[inline]
    fn string(&mut self, v: &str) -> Result<(), TreeError> {
        let span = self.span(v)?;
        if self.expecting_key() {
            self.pending_key = Some(span);
            return Ok(());
        }
        self.push(Val::Str(span)).map(drop)
    }

    #[inline]
    fn uid(&mut self, v: u64) -> Result<(), TreeError> {
        self.scalar(Kind::Uid, Val::Uid(v))
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
        assert!(a.get("0").is_none() && root.get("s").unwrap().get("s").is_none(), "only a dictionary has keys");
        assert_eq!(a.entries().count(), 0, "an array has no entries");
        assert_eq!(root.items().count(), 0, "a dictionary has no items");
    }

    /// `get` compares lengths from the spans before bytes: keys of the same
    /// length, prefixes, non-ASCII keys and the empty key are told apart.
    #[test]
    fn get_finds_exactly_its_key() {
        let v = xml("<dict><key>ab</key><integer>1</integer><key>ac</key><integer>2</integer>\
            <key>abc</key><integer>3</integer><key>é</key><integer>4</integer>\
            <key></key><integer>5</integer><key>e\u{301}</key><integer>6</integer></dict>");
        let tree = Tree::of(&v).unwrap();
        let root = tree.root();
        let get = |k: &str| root.get(k).and_then(|n| n.as_int());
        assert_eq!(
            [get("ab"), get("ac"), get("abc"), get("é"), get(""), get("e\u{301}")],
            [1, 2, 3, 4, 5, 6].map(Some)
        );
        for absent in ["a", "b", "abd", "abcd", "e", "ad", " "] {
            assert_eq!(get(absent), None, "{absent:?}");
        }
    }

    #[test]
    fn rendering_is_short_and_bounded() {
        let v =
            xml("<dict><key>Item</key><string>X</string><key>n</key><array><integer>1</integer><true/></array></dict>");
        assert_eq!(Tree::of(&v).unwrap().root().to_string(), "{Item: \"X\", n: [1, true]}");
        let many = format!("<array>{}</array>", "<integer>7</integer>".repeat(20));
        assert_eq!(Tree::of(&xml(&many)).unwrap().root().to_string(), "[7, 7, 7, 7, 7, 7, 7, 7, …]");
    }

    /// The tree of `v` and the tree of the plist `v` encodes to.
    fn as_written<T: Serialize>(v: &T) -> (String, String) {
        let written = crate::plist_write::to_xml(v).unwrap();
        let decoded: plist::Value = plist::from_bytes(written.as_bytes()).unwrap();
        (Tree::of(v).unwrap().root().to_string(), Tree::of(&decoded).unwrap().root().to_string())
    }

    #[test]
    fn options_are_copied_as_a_plist_writes_them() {
        // A `None` field is left out; elsewhere an option is the one-key
        // dictionary the plist crate writes.
        #[derive(Serialize)]
        struct Fields {
            #[serde(rename = "Gone")]
            gone: Option<i32>,
            #[serde(rename = "Here")]
            here: Option<i32>,
            #[serde(rename = "Listed")]
            listed: Vec<Option<&'static str>>,
        }
        let v = Fields { gone: None, here: Some(2), listed: vec![Some("x"), None] };
        let (tree, written) = as_written(&v);
        assert_eq!(tree, "{Here: 2, Listed: [{Some: \"x\"}, {None: \"\"}]}");
        assert_eq!(tree, written);
        let mut m = std::collections::BTreeMap::new();
        m.insert("a", None);
        m.insert("b", Some(1));
        let (tree, written) = as_written(&m);
        assert_eq!(tree, "{a: {None: \"\"}, b: {Some: 1}}");
        assert_eq!(tree, written);
    }

    #[test]
    fn every_serde_shape_is_copied_as_a_plist_writes_it() {
        #[derive(Serialize)]
        enum Shape {
            Unit,
            Newtype(u8),
            Tuple(u8, bool),
            Struct { x: f64 },
        }
        let date = plist::Date::from_xml_format("2024-01-02T03:04:05Z").unwrap();
        let v = (Shape::Unit, Shape::Newtype(1), Shape::Tuple(2, true), Shape::Struct { x: 0.5 }, (), 'c', date);
        let (tree, written) = as_written(&v);
        assert_eq!(
            tree,
            "[\"Unit\", {Newtype: 1}, {Tuple: [2, true]}, {Struct: {x: 0.5}}, \"\", \"c\", 2024-01-02T03:04:05Z]"
        );
        assert_eq!(tree, written);
        let t = Tree::of(&v).unwrap();
        assert_eq!(t.root().items().nth(6).unwrap().kind(), ValueKind::Date);
        let uid = Tree::of(&plist::Value::Uid(plist::Uid::new(7))).unwrap();
        assert_eq!((uid.root().kind(), uid.root().to_string()), (ValueKind::Uid, "UID(7)".to_owned()));
    }

    #[test]
    fn nothing_at_the_root_is_refused() {
        let err = Tree::of(&None::<i32>).unwrap_err();
        assert_eq!(err.to_string(), "the value encodes to nothing");
        // The thread's builder is made again after an error.
        let v = xml("<array><integer>1</integer></array>");
        assert!(Tree::with(&None::<i32>, |t| t.is_err()));
        assert_eq!(Tree::with(&v, |t| t.unwrap().root().to_string()), "[1]");
    }

    #[test]
    fn non_string_keys_are_refused() {
        let mut m = std::collections::BTreeMap::new();
        m.insert(1, 2);
        let err = Tree::of(&m).unwrap_err();
        assert_eq!(err.to_string(), "a dictionary key must be a string, found an integer");
    }
}
