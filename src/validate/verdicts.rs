//! What a target makes of each per-OS entry, remembered between checks.
//!
//! The checker asks [`check`](crate::availability::check) about every key a document
//! holds and every listed value (a DeviceInformation command: once per
//! query). The answer depends only on the entry and the target, and the
//! schema has few distinct entries ([`OS_ENTRIES`], 957 for the pinned
//! schema), most of them plainly supported on a given target (not
//! deprecated, not ignored). [`Verdicts`] remembers, for each of the last
//! few targets checked on this thread, the answer for each entry asked about: a slot
//! per entry, plain or the index of the answer kept (unsupported,
//! deprecated or ignored, which a walk asks about twice: whether it may
//! skip an element, then what to report).

use std::cell::Cell;

use crate::availability::{KeyEntry, OS_ENTRIES, SchemaFile, Support, Target, check, same_key};

/// Not asked about yet for this target.
const UNKNOWN: u32 = 0;
/// Supported, not deprecated, not ignored.
const PLAIN: u32 = 1;
/// Slots from this one up: `others[slot - FIRST_OTHER]`.
const FIRST_OTHER: u32 = 2;

const SUPPORTED: Support = Support::Supported { deprecated: None, ignored: false };

/// The verdicts of one target, one slot per entry of [`OS_ENTRIES`].
pub(super) struct Verdicts {
    target: Target,
    slots: Box<[u32]>,
    /// The answers that are not plain, in the order first asked.
    others: Vec<Support>,
    /// The catalogues met, each with its plain rows (see
    /// [`Verdicts::take_plain_rows`]).
    catalogues: Vec<Catalogue>,
}

/// A catalogue's rows the target supports plainly, as the values of an
/// enum name them.
struct Catalogue {
    /// The rows, told apart from other catalogues by address and length.
    rows: &'static [KeyEntry],
    /// The enum's values, told apart the same way.
    names: &'static [&'static str],
    /// Bit `i`: row `i` is plain and its name is value `i`. Lent out
    /// (left empty) while a walk reads it.
    plain: Vec<u64>,
}

/// How many targets' verdicts a thread keeps (a server checking for a
/// few kinds of device in turn does not start over each time).
const KEPT: usize = 4;

thread_local! {
    /// The most recent target's verdicts, when no walker holds them: most
    /// walks check for the target the last one checked for, and take them
    /// from here without a search.
    static RECENT: Cell<Option<Box<Verdicts>>> = const { Cell::new(None) };
    /// The verdicts of the targets before it, the most recent first (at
    /// most [`KEPT`] in all, with [`RECENT`]'s). Each set is lent to one
    /// walker at a time. Boxed: a walker holds its set by pointer, and
    /// sets move between the walkers and these.
    #[allow(clippy::vec_box)]
    static LAST: Cell<Vec<Box<Verdicts>>> = const { Cell::new(Vec::new()) };
}

impl Verdicts {
    /// The verdicts for `target`: this thread's, when it kept some for
    /// the same target, else empty ones (the least recently used kept ones
    /// when it keeps [`KEPT`]). Give them back with [`Verdicts::give_back`].
    pub(super) fn take(target: &Target) -> Box<Verdicts> {
        let recent = RECENT.with(Cell::take);
        if let Some(v) = recent {
            if v.target == *target {
                return v;
            }
            return Verdicts::search(target, Some(v));
        }
        Verdicts::search(target, None)
    }

    /// [`Verdicts::take`] from the older targets' sets (`recent`, the most
    /// recent target's, joins them first).
    #[cold]
    fn search(target: &Target, recent: Option<Box<Verdicts>>) -> Box<Verdicts> {
        let mut kept = LAST.with(Cell::take);
        if let Some(v) = recent {
            kept.insert(0, v);
        }
        let found = match kept.iter().position(|v| v.target == *target) {
            Some(i) => kept.remove(i),
            None if kept.len() >= KEPT => {
                let mut v = kept.pop().unwrap_or_else(|| Verdicts::new(target));
                v.target = target.clone();
                v.slots.fill(UNKNOWN);
                v.others.clear();
                v.catalogues.clear();
                v
            }
            None => Verdicts::new(target),
        };
        LAST.with(|last| last.set(kept));
        found
    }

    fn new(target: &Target) -> Box<Verdicts> {
        Box::new(Verdicts {
            target: target.clone(),
            slots: vec![UNKNOWN; OS_ENTRIES.len()].into(),
            others: Vec::new(),
            catalogues: Vec::new(),
        })
    }

    /// Keeps the verdicts for the next walker on this thread.
    pub(super) fn give_back(self: Box<Self>) {
        match RECENT.with(Cell::take) {
            None => RECENT.with(|recent| recent.set(Some(self))),
            // A walker inside another, for the same target, took fresh
            // ones: keep one set per target.
            Some(other) if other.target == self.target => RECENT.with(|recent| recent.set(Some(self))),
            Some(other) => {
                let mut kept = LAST.with(Cell::take);
                kept.retain(|v| v.target != self.target && v.target != other.target);
                kept.insert(0, other);
                kept.truncate(KEPT - 1);
                LAST.with(|last| last.set(kept));
                RECENT.with(|recent| recent.set(Some(self)));
            }
        }
    }

    /// What the target makes of `key`: [`KeyEntry::support`]'s answer.
    #[inline]
    pub(super) fn support(&mut self, key: &KeyEntry) -> Support {
        self.of(&key.os)
    }

    /// What the target makes of a file (a command, a payload type):
    /// [`SchemaFile::support`]'s answer. A file's entries are the keys'.
    #[inline]
    pub(super) fn file(&mut self, file: &SchemaFile) -> Support {
        self.of(&file.os)
    }

    /// The answer for the entry `os` names on the target's platform.
    #[inline]
    fn of(&mut self, os: &[u16; 5]) -> Support {
        match self.slot(os) {
            PLAIN => SUPPORTED,
            slot => self.others[(slot - FIRST_OTHER) as usize].clone(),
        }
    }

    /// True when the target supports `key` plainly: not deprecated, not
    /// ignored (nothing to report).
    #[inline]
    pub(super) fn is_plain(&mut self, key: &KeyEntry) -> bool {
        self.slot(&key.os) == PLAIN
    }

    /// The rows of a catalogue the target supports plainly and whose name
    /// is the enum value of the same index: bit `i % 64` of word `i / 64`
    /// for row `i` of `rows` and value `i` of `names`. An array element
    /// that is such a value needs no check (nothing to report). Worked out
    /// once per target and catalogue; give the set back with
    /// [`Verdicts::give_plain_rows`].
    pub(super) fn take_plain_rows(&mut self, rows: &'static [KeyEntry], names: &'static [&'static str]) -> Vec<u64> {
        if let Some(c) = self.catalogue(rows, names) {
            return std::mem::take(&mut c.plain);
        }
        let mut plain = vec![0u64; rows.len().div_ceil(64)];
        for (i, (row, name)) in rows.iter().zip(names).enumerate() {
            if same_key(row.name, name) && self.is_plain(row) {
                plain[i / 64] |= 1 << (i % 64);
            }
        }
        self.catalogues.push(Catalogue { rows, names, plain: Vec::new() });
        plain
    }

    /// Gives back what [`Verdicts::take_plain_rows`] lent.
    pub(super) fn give_plain_rows(
        &mut self,
        rows: &'static [KeyEntry],
        names: &'static [&'static str],
        plain: Vec<u64>,
    ) {
        if let Some(c) = self.catalogue(rows, names) {
            c.plain = plain;
        }
    }

    /// The catalogue met before with these very rows and values (the same
    /// statics: compared by address and length, not by content).
    fn catalogue(&mut self, rows: &'static [KeyEntry], names: &'static [&'static str]) -> Option<&mut Catalogue> {
        self.catalogues.iter_mut().find(|c| std::ptr::eq(c.rows, rows) && std::ptr::eq(c.names, names))
    }

    /// The slot of the entry `os` names, filled on first use.
    #[inline]
    fn slot(&mut self, os: &[u16; 5]) -> u32 {
        let index = usize::from(os[self.target.platform.index()]);
        match self.slots.get(index) {
            Some(&slot) if slot != UNKNOWN => slot,
            _ => self.fill(index),
        }
    }

    #[cold]
    fn fill(&mut self, index: usize) -> u32 {
        // An index past the entries (no generated table has one) reads as
        // entry 0, not listed.
        let (index, entry) = match OS_ENTRIES.get(index) {
            Some(entry) => (index, entry),
            None => (0, &OS_ENTRIES[0]),
        };
        let support = check(entry, index != 0, &self.target);
        let slot = if support == SUPPORTED {
            PLAIN
        } else {
            // Each entry is filled once per target, so `others` holds at
            // most one answer per entry (at most 65,536, a `u16` index).
            self.others.push(support);
            FIRST_OTHER + (self.others.len() - 1) as u32
        };
        if let Some(s) = self.slots.get_mut(index) {
            *s = slot;
        }
        slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::availability::{OsVersion, Platform};

    /// Every entry, asked twice (the second time from memory where it is
    /// plain), for targets that differ in each field the check reads,
    /// answers as the check does.
    #[test]
    fn remembered_verdicts_are_the_checks_answers() {
        let version = |s: &str| s.parse::<OsVersion>().unwrap();
        let mut targets = Vec::new();
        for platform in [Platform::IOS, Platform::MacOS, Platform::TvOS, Platform::VisionOS, Platform::WatchOS] {
            for v in ["9.0", "15.0", "17.4", "26.0"] {
                let mut t = Target::new(platform, version(v));
                targets.push(t.clone());
                t.supervised = true;
                targets.push(t.clone());
                t.shared_ipad = true;
                t.channel = crate::availability::Channel::User;
                targets.push(t.clone());
                t.shared_ipad = false;
                t.enrollment = crate::availability::Enrollment::User;
                targets.push(t);
            }
        }
        let mut plain = 0;
        for target in &targets {
            let mut verdicts = Verdicts::take(target);
            for round in 0..2 {
                for (index, entry) in OS_ENTRIES.iter().enumerate() {
                    let mut os = [0; 5];
                    os[target.platform.index()] = u16::try_from(index).unwrap();
                    let key = KeyEntry {
                        name: "Key",
                        kind: crate::value::ValueKind::String,
                        presence: crate::availability::Presence::Optional,
                        element: false,
                        os,
                        rangelist: &[],
                        range: None,
                        repetition: None,
                        format: None,
                        default: None,
                        children: (0, 0),
                    };
                    let expected = crate::availability::check(entry, index != 0, target);
                    assert_eq!(verdicts.support(&key), expected, "entry {index}, {target:?}, round {round}");
                    plain += usize::from(round == 1 && verdicts.slots[index] == PLAIN);
                }
                // A file's entries are the keys': a command's answer is its own.
                for file in crate::availability::commands() {
                    assert_eq!(verdicts.file(file), file.support(target), "{}, {target:?}", file.name);
                }
            }
            verdicts.give_back();
        }
        // Memory was used: some entries are plain on some target.
        assert!(plain > 0);
    }

    /// A catalogue's plain rows are the rows the target supports plainly
    /// whose name is the enum value of the same index: for the
    /// DeviceInformation queries against `Query`'s values, and against
    /// the values shifted by one (names that do not match are not plain),
    /// worked out and then remembered.
    #[test]
    fn plain_rows_are_plain_and_named_as_the_values() {
        use crate::node::is_set;
        let table = &crate::availability::command_schema("DeviceInformation").unwrap().request;
        let queries = table.rows.iter().find(|r| r.name == "Queries").unwrap();
        let rows = table.children(&table.children(queries)[0]);
        let values = crate::commands::device_information::Query::VALUES;
        assert!(rows.len() > 64 && rows.iter().zip(values).all(|(r, v)| r.name == *v));
        let mut some_plain = [0; 2];
        for platform in [Platform::IOS, Platform::MacOS, Platform::TvOS, Platform::VisionOS, Platform::WatchOS] {
            for version in ["12.0", "17.4", "26.0"] {
                let target = Target::new(platform, version.parse::<OsVersion>().unwrap());
                let mut verdicts = Verdicts::take(&target);
                for (n, names) in [values, &values[1..]].into_iter().enumerate() {
                    for round in 0..2 {
                        let plain = verdicts.take_plain_rows(rows, names);
                        for (i, row) in rows.iter().enumerate() {
                            let expected = names.get(i) == Some(&row.name) && row.support(&target) == SUPPORTED;
                            assert_eq!(is_set(&plain, i), expected, "{} on {target:?}, round {round}", row.name);
                            some_plain[n] += usize::from(expected);
                        }
                        verdicts.give_plain_rows(rows, names, plain);
                    }
                }
                verdicts.give_back();
            }
        }
        assert!(some_plain[0] > 0, "some query is plain somewhere");
        assert_eq!(some_plain[1], 0, "no shifted name is its row's");
    }

    /// A thread keeps the verdicts of its last few targets, the most
    /// recent first, one set per target.
    #[test]
    fn the_last_targets_verdicts_are_kept() {
        let target = |v: &str| Target::new(Platform::MacOS, v.parse::<OsVersion>().unwrap());
        let kept = || {
            let recent = RECENT.with(Cell::take);
            let older = LAST.with(Cell::take);
            let versions: Vec<String> =
                recent.iter().chain(older.iter()).map(|v| v.target.version.to_string()).collect();
            RECENT.with(|r| r.set(recent));
            LAST.with(|last| last.set(older));
            versions
        };
        for v in ["10.0", "11.0", "12.0", "13.0", "14.0", "12.0"] {
            let mut verdicts = Verdicts::take(&target(v));
            let mut key = crate::availability::command_schema("DeviceInformation").unwrap().request.rows[0];
            key.os = [0; 5];
            assert!(!verdicts.is_plain(&key), "a platform not listed is not plain");
            // Two sets for one target at once: one is kept.
            let inner = Verdicts::take(&target(v));
            inner.give_back();
            verdicts.give_back();
        }
        assert_eq!(kept(), ["12.0", "14.0", "13.0", "11.0"]);
    }
}
