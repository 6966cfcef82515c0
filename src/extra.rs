//! [`Extra`]: what a record holds besides its typed fields.

use std::fmt;
use std::ops::{Deref, DerefMut};

use crate::value::{KeyPath, PathSegment, ValueKind};

/// What a generated struct holds besides its typed fields, so that nothing
/// a device sent is lost and nothing it did not send is invented:
///
/// - keys this version of the schema does not know, and known keys whose
///   value had the wrong kind, exactly as received (the dictionary this
///   type dereferences to);
/// - the required keys that were absent from what was decoded
///   ([`Extra::absent`]): lenient decoding accepts such a message, lists
///   each as a [`crate::Deviation`], and encoding does not write them back
///   while their field holds its default value (give the field a value and
///   it is written).
///
/// It dereferences to the [`plist::Dictionary`], so `record.extra.get("Key")`
/// and `record.extra.insert(...)` work as on a dictionary.
#[derive(Clone, Default)]
pub struct Extra {
    keys: plist::Dictionary,
    absent: Vec<&'static str>,
    /// Every known key whose value was kept raw while decoding, with where
    /// inside the value its culprit is (`None`: the value itself).
    inner: Vec<(&'static str, Option<Box<InnerMismatch>>)>,
}

/// Where, inside a value kept raw, the element that had the wrong kind is:
/// an array or map is kept whole when one of its elements cannot be typed.
#[derive(Debug, Clone, PartialEq)]
#[doc(hidden)]
pub struct InnerMismatch {
    /// The element's path below the key.
    pub(crate) path: KeyPath,
    /// The kind the schema gives the element.
    pub(crate) expected: ValueKind,
}

impl InnerMismatch {
    /// The element inside `raw` (the value kept for the key) this names.
    pub(crate) fn element<'v>(&self, raw: &'v plist::Value) -> &'v plist::Value {
        let mut v = raw;
        for seg in self.path.segments() {
            let next = match (seg, v) {
                (PathSegment::Index(i), plist::Value::Array(a)) => a.get(*i),
                (PathSegment::Key(k), plist::Value::Dictionary(d)) => d.get(k),
                _ => None,
            };
            // The path was recorded from this value; it always resolves.
            let Some(next) = next else { break };
            v = next;
        }
        v
    }
}

impl Extra {
    /// An empty `Extra`.
    pub fn new() -> Extra {
        Extra::default()
    }

    /// The dictionary, without the record of absent keys.
    pub fn into_dictionary(self) -> plist::Dictionary {
        self.keys
    }

    /// The required keys that were absent when this value was decoded
    /// (always empty for values built in code).
    pub fn absent(&self) -> &[&'static str] {
        &self.absent
    }

    /// True when `key` is a required key that was absent when decoding.
    pub fn is_absent(&self, key: &str) -> bool {
        !self.absent.is_empty() && self.absent.contains(&key)
    }

    /// Forgets that `key` was absent, so that it is written again (with
    /// whatever its field holds, even the default value).
    pub fn mark_present(&mut self, key: &str) {
        self.absent.retain(|k| *k != key);
    }

    pub(crate) fn mark_absent(&mut self, key: &'static str) {
        if !self.absent.contains(&key) {
            self.absent.push(key);
        }
    }

    /// Keeps `raw`, the value of the known `key` that had the wrong kind,
    /// and where inside it the culprit is (`None`: the value itself), in
    /// place of what an earlier value of the same key left.
    pub(crate) fn keep_raw(&mut self, key: &'static str, raw: plist::Value, inner: Option<Box<InnerMismatch>>) {
        self.keys.insert(key.to_owned(), raw);
        self.inner.retain(|(k, _)| *k != key);
        self.inner.push((key, inner));
    }

    /// Forgets the raw value kept for the known `key`, when a later value of
    /// the same key (a duplicate key in one dictionary) was typed: the last
    /// one wins, and the typed field is written in its place. The order of
    /// the other kept keys does not change. Costs nothing unless a known
    /// key was kept raw.
    pub(crate) fn forget_raw(&mut self, key: &str) {
        if self.inner.is_empty() {
            return;
        }
        if let Some(at) = self.inner.iter().position(|(k, _)| *k == key) {
            self.inner.remove(at);
            self.keys.retain(|k, _| k != key);
        }
    }

    pub(crate) fn inner(&self, key: &str) -> Option<&InnerMismatch> {
        self.inner.iter().find(|(k, _)| *k == key).and_then(|(_, i)| i.as_deref())
    }
}

/// Compares the keys and the absent keys (where inside a raw value the
/// culprit is follows from the value).
impl PartialEq for Extra {
    fn eq(&self, other: &Extra) -> bool {
        self.keys == other.keys && self.absent == other.absent
    }
}

impl Deref for Extra {
    type Target = plist::Dictionary;
    fn deref(&self) -> &plist::Dictionary {
        &self.keys
    }
}

impl DerefMut for Extra {
    fn deref_mut(&mut self) -> &mut plist::Dictionary {
        &mut self.keys
    }
}

impl From<plist::Dictionary> for Extra {
    fn from(keys: plist::Dictionary) -> Extra {
        Extra { keys, absent: Vec::new(), inner: Vec::new() }
    }
}

impl fmt::Debug for Extra {
    /// The dictionary, plus the absent keys when there are any.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.absent.is_empty() {
            fmt::Debug::fmt(&self.keys, f)
        } else {
            f.debug_struct("Extra").field("keys", &self.keys).field("absent", &self.absent).finish()
        }
    }
}
