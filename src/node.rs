//! What the checker (`validate`) reads of a document: [`Node`], implemented
//! by the compact copy of a serialised value (`validate/tree.rs`) and by a
//! view of a typed value in place ([`View`](crate::view::View)).

// Validation (the `commands` feature) is what reads documents through
// this; without it the readers are unused.
#![cfg_attr(not(feature = "commands"), allow(dead_code))]

use std::fmt;

use crate::value::ValueKind;

/// One value of a document being checked: a dictionary, an array or a
/// scalar. `Copy` and cheap; `'t` is how long the document lives.
///
/// `Display` renders the value for messages (strings plain at the top,
/// quoted inside containers; containers cut after a few entries), the same
/// for every implementation.
pub(crate) trait Node<'t>: Copy + fmt::Display {
    /// The plist kind.
    fn kind(self) -> ValueKind;
    /// A string's text.
    fn as_str(self) -> Option<&'t str>;
    /// A boolean.
    fn as_bool(self) -> Option<bool>;
    /// An integer.
    fn as_int(self) -> Option<i128>;
    /// An integer or a real, as `f64`.
    fn number(self) -> Option<f64>;
    /// The length of a `<data>` value.
    fn data_len(self) -> Option<usize>;
    /// The number of elements or entries (0 for a scalar).
    fn len(self) -> usize;
    /// A dictionary's entries in order (none for other kinds).
    fn entries(self) -> impl Iterator<Item = (&'t str, Self)>;
    /// Calls `f` with each of a dictionary's entries in order: what
    /// [`Node::entries`] gives, without an iterator's state between entries
    /// (a typed record lists its fields in one call).
    fn each_entry(self, mut f: impl FnMut(&'t str, Self)) {
        for (k, v) in self.entries() {
            f(k, v);
        }
    }
    /// [`Node::each_entry`], with a hint for each key: for a field of a
    /// typed record, where it sits (see [`Hint`]); `None` otherwise.
    /// A hint: a row found by it is used only when its name is the key.
    fn each_entry_hinted(self, mut f: impl FnMut(&'t str, Option<Hint>, Self)) {
        self.each_entry(|k, v| f(k, None, v));
    }
    /// An array's elements in order (none for other kinds).
    fn items(self) -> impl Iterator<Item = Self>;
    /// Calls `f` with each of an array's elements in order, with its
    /// index. With `listed`, an element that is a value of a typed enum is
    /// first given as [`Item::Listed`] (without a node for it: see
    /// [`Node::listed`]); when `f` answers false it is given again as
    /// [`Item::Node`]; one whose index in the enum's list
    /// ([`Node::listed_names`]) is set in `skip` (bit `i % 64` of word
    /// `i / 64`) is passed over. Every other element is given as
    /// [`Item::Node`], and `f`'s answer to it is not read.
    fn each_item(self, listed: bool, skip: &[u64], mut f: impl FnMut(usize, Item<'t, Self>) -> bool) {
        for (i, item) in self.items().enumerate() {
            if listed
                && let (Some(index), Some(name)) = (item.listed(), item.as_str())
                && (is_set(skip, index) || f(i, Item::Listed(index, name)))
            {
                continue;
            }
            f(i, Item::Node(item));
        }
    }
    /// For an array of values of a typed enum: the enum's values in order,
    /// which [`Node::listed`] indexes; empty otherwise.
    fn listed_names(self) -> &'static [&'static str] {
        &[]
    }
    /// A dictionary's value for `key` (the last one, if repeated).
    fn get(self, key: &str) -> Option<Self>;

    /// Writes a scalar for messages: a string plain at the top (`top`),
    /// quoted inside a container. Nothing for a container.
    fn scalar(self, f: &mut fmt::Formatter<'_>, top: bool) -> fmt::Result;

    /// For a string that is a value of a typed enum, its index in the
    /// enum's list: where the list is the key's subkeys (a catalogue such
    /// as DeviceInformation's queries), the index of its row among them.
    /// A hint: the row is used only when its name is the string.
    fn listed(self) -> Option<usize> {
        None
    }

    /// An array or a dictionary.
    fn is_container(self) -> bool {
        matches!(self.kind(), ValueKind::Array | ValueKind::Dictionary)
    }

    /// The value itself when it is a dictionary.
    fn as_dict(self) -> Option<Self> {
        (self.kind() == ValueKind::Dictionary).then_some(self)
    }
}

/// Where a typed record's field sits: which of the records a dictionary
/// is written from it belongs to (`part` 0; a profile payload's body is
/// part 1, after its common keys) and its index among that record's keys
/// (which are its schema level's, in order, in a generated record).
#[derive(Clone, Copy)]
pub(crate) struct Hint {
    pub(crate) part: usize,
    pub(crate) index: usize,
}

/// Bit `i` of a set held as words of 64 bits (`false` past its end).
#[inline]
pub(crate) fn is_set(bits: &[u64], i: usize) -> bool {
    bits.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
}

/// An element of an array, as [`Node::each_item`] gives it.
pub(crate) enum Item<'t, N> {
    /// A value of a typed enum: its index in the enum's list and its text
    /// (what [`Node::listed`] and [`Node::as_str`] answer for it).
    Listed(usize, &'t str),
    /// The element.
    Node(N),
}

/// A short rendering for messages: strings plain at the top, quoted
/// inside containers; containers cut after a few entries and three levels.
pub(crate) fn render<'t, N: Node<'t>>(n: N, f: &mut fmt::Formatter<'_>, depth: usize) -> fmt::Result {
    const MAX_ENTRIES: usize = 8;
    let kind = n.kind();
    if !matches!(kind, ValueKind::Array | ValueKind::Dictionary) {
        return n.scalar(f, depth == 0);
    }
    if depth >= 3 {
        return f.write_str("…");
    }
    let (open, close) = if kind == ValueKind::Array { ("[", "]") } else { ("{", "}") };
    f.write_str(open)?;
    if kind == ValueKind::Array {
        for (i, item) in n.items().take(MAX_ENTRIES).enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            render(item, f, depth + 1)?;
        }
    } else {
        for (i, (k, v)) in n.entries().take(MAX_ENTRIES).enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{k}: ")?;
            render(v, f, depth + 1)?;
        }
    }
    if n.len() > MAX_ENTRIES {
        f.write_str(", …")?;
    }
    f.write_str(close)
}
