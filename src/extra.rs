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
///
/// An empty `Extra`, what nearly every decoded record holds, is one null
/// pointer: records are smaller to move and to keep in a `Vec` (an inline
/// dictionary and two lists were 120 bytes in every record).
#[derive(Clone, Default)]
pub struct Extra(Option<Box<Parts>>);

#[derive(Clone, Default)]
struct Parts {
    keys: plist::Dictionary,
    absent: Vec<&'static str>,
    /// Every known key whose value was kept raw while decoding, with where
    /// inside the value its culprit is (`None`: the value itself).
    inner: Vec<(&'static str, Option<Box<InnerMismatch>>)>,
}

/// The dictionary of an `Extra` that holds nothing.
fn no_keys() -> &'static plist::Dictionary {
    static EMPTY: std::sync::OnceLock<plist::Dictionary> = std::sync::OnceLock::new();
    EMPTY.get_or_init(plist::Dictionary::new)
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

    fn parts_mut(&mut self) -> &mut Parts {
        self.0.get_or_insert_with(Box::default)
    }

    /// The dictionary, without the record of absent keys.
    pub fn into_dictionary(self) -> plist::Dictionary {
        self.0.map(|p| p.keys).unwrap_or_default()
    }

    /// The required keys that were absent when this value was decoded
    /// (always empty for values built in code).
    pub fn absent(&self) -> &[&'static str] {
        self.0.as_deref().map_or(&[], |p| &p.absent)
    }

    /// True when `key` is a required key that was absent when decoding.
    pub fn is_absent(&self, key: &str) -> bool {
        self.absent().contains(&key)
    }

    /// Forgets that `key` was absent, so that it is written again (with
    /// whatever its field holds, even the default value).
    pub fn mark_present(&mut self, key: &str) {
        if let Some(p) = self.0.as_deref_mut() {
            p.absent.retain(|k| *k != key);
        }
    }

    pub(crate) fn mark_absent(&mut self, key: &'static str) {
        if !self.absent().contains(&key) {
            self.parts_mut().absent.push(key);
        }
    }

    /// Keeps `raw`, the value of the known `key` that had the wrong kind,
    /// and where inside it the culprit is (`None`: the value itself), in
    /// place of what an earlier value of the same key left.
    pub(crate) fn keep_raw(&mut self, key: &'static str, raw: plist::Value, inner: Option<Box<InnerMismatch>>) {
        let p = self.parts_mut();
        p.keys.insert(key.to_owned(), raw);
        p.inner.retain(|(k, _)| *k != key);
        p.inner.push((key, inner));
    }

    /// Forgets the raw value kept for the known `key`, when a later value of
    /// the same key (a duplicate key in one dictionary) was typed: the last
    /// one wins, and the typed field is written in its place. The order of
    /// the other kept keys does not change. Costs nothing unless a known
    /// key was kept raw.
    pub(crate) fn forget_raw(&mut self, key: &str) {
        let Some(p) = self.0.as_deref_mut() else { return };
        if p.inner.is_empty() {
            return;
        }
        if let Some(at) = p.inner.iter().position(|(k, _)| *k == key) {
            p.inner.remove(at);
            p.keys.retain(|k, _| k != key);
        }
    }

    pub(crate) fn inner(&self, key: &str) -> Option<&InnerMismatch> {
        let p = self.0.as_deref()?;
        p.inner.iter().find(|(k, _)| *k == key).and_then(|(_, i)| i.as_deref())
    }
}

/// Compares the keys and the absent keys (where inside a raw value the
/// culprit is follows from the value).
impl PartialEq for Extra {
    fn eq(&self, other: &Extra) -> bool {
        **self == **other && self.absent() == other.absent()
    }
}

impl Deref for Extra {
    type Target = plist::Dictionary;
    fn deref(&self) -> &plist::Dictionary {
        match self.0.as_deref() {
            Some(p) => &p.keys,
            None => no_keys(),
        }
    }
}

impl DerefMut for Extra {
    fn deref_mut(&mut self) -> &mut plist::Dictionary {
        &mut self.parts_mut().keys
    }
}

impl From<plist::Dictionary> for Extra {
    fn from(keys: plist::Dictionary) -> Extra {
        if keys.is_empty() {
            return Extra::default();
        }
        Extra(Some(Box::new(Parts { keys, absent: Vec::new(), inner: Vec::new() })))
    }
}

impl fmt::Debug for Extra {
    /// The dictionary, plus the absent keys when there are any.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.absent().is_empty() {
            fmt::Debug::fmt(&**self, f)
        } else {
            f.debug_struct("Extra").field("keys", &**self).field("absent", &self.absent()).finish()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_extra_is_one_pointer_and_reads_as_an_empty_dictionary() {
        assert_eq!(std::mem::size_of::<Extra>(), std::mem::size_of::<usize>());
        let mut e = Extra::new();
        assert!(e.is_empty() && e.absent().is_empty() && !e.is_absent("A") && e.inner("A").is_none());
        e.forget_raw("A");
        e.mark_present("A");
        assert!(e.0.is_none(), "reading and forgetting allocate nothing");
        assert_eq!(format!("{e:?}"), "{}");
        // Written through: a dictionary like any other.
        e.insert("Unknown".into(), 1.into());
        e.mark_absent("Required");
        e.mark_absent("Required");
        assert_eq!(e.get("Unknown"), Some(&plist::Value::from(1)));
        assert_eq!(e.absent(), ["Required"]);
        assert!(e.is_absent("Required"));
        assert_ne!(e, Extra::new());
        // An emptied one equals a new one.
        e.clear();
        e.mark_present("Required");
        assert_eq!(e, Extra::new());
        assert_eq!(Extra::from(plist::Dictionary::new()), Extra::new());
        assert!(Extra::from(plist::Dictionary::new()).0.is_none());
    }

    #[test]
    fn a_raw_value_is_kept_and_forgotten_by_its_key() {
        let mut e = Extra::new();
        let inner = InnerMismatch { path: KeyPath::from(vec![PathSegment::Index(1)]), expected: ValueKind::String };
        e.keep_raw("A", plist::Value::Array(vec![1.into(), 2.into()]), Some(Box::new(inner.clone())));
        e.keep_raw("B", 3.into(), None);
        assert_eq!(e.inner("A"), Some(&inner));
        assert_eq!(e.inner("A").unwrap().element(&e["A"]), &plist::Value::from(2));
        assert_eq!(e.inner("B"), None);
        e.forget_raw("A");
        assert_eq!(e.keys().collect::<Vec<_>>(), ["B"]);
        assert_eq!(e.clone().into_dictionary().len(), 1);
    }
}
