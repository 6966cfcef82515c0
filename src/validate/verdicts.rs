//! What a target makes of each per-OS entry, remembered between checks.
//!
//! The checker asks [`availability::check`] about every key a document
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

use crate::availability::{self, KeyEntry, OS_ENTRIES, Support, Target};

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
}

/// How many targets' verdicts a thread keeps (a server checking for a
/// few kinds of device in turn does not start over each time).
const KEPT: usize = 4;

thread_local! {
    /// The last targets' verdicts, the most recent first, each lent to
    /// one walker at a time. Boxed: a walker holds its set by pointer, and
    /// sets move between the walkers and this list.
    #[allow(clippy::vec_box)]
    static LAST: Cell<Vec<Box<Verdicts>>> = const { Cell::new(Vec::new()) };
}

impl Verdicts {
    /// The verdicts for `target`: this thread's, when it kept some for
    /// the same target, else empty ones (the least recently used kept ones
    /// when it keeps [`KEPT`]). Give them back with [`Verdicts::give_back`].
    pub(super) fn take(target: &Target) -> Box<Verdicts> {
        let mut kept = LAST.with(Cell::take);
        let found = match kept.iter().position(|v| v.target == *target) {
            Some(i) => kept.remove(i),
            None if kept.len() >= KEPT => {
                let mut v = kept.pop().unwrap_or_else(|| Verdicts::new(target));
                v.target = target.clone();
                v.slots.fill(UNKNOWN);
                v.others.clear();
                v
            }
            None => Verdicts::new(target),
        };
        LAST.with(|last| last.set(kept));
        found
    }

    fn new(target: &Target) -> Box<Verdicts> {
        Box::new(Verdicts { target: target.clone(), slots: vec![UNKNOWN; OS_ENTRIES.len()].into(), others: Vec::new() })
    }

    /// Keeps the verdicts for the next walker on this thread.
    pub(super) fn give_back(self: Box<Self>) {
        let mut kept = LAST.with(Cell::take);
        // A walker inside another, for the same target, took fresh ones:
        // keep one set per target.
        kept.retain(|v| v.target != self.target);
        kept.insert(0, self);
        kept.truncate(KEPT);
        LAST.with(|last| last.set(kept));
    }

    /// What the target makes of `key`: [`availability::check`]'s answer.
    #[inline]
    pub(super) fn support(&mut self, key: &KeyEntry) -> Support {
        match self.slot(key) {
            PLAIN => SUPPORTED,
            slot => self.others[(slot - FIRST_OTHER) as usize].clone(),
        }
    }

    /// True when the target supports `key` plainly: not deprecated, not
    /// ignored (nothing to report).
    #[inline]
    pub(super) fn is_plain(&mut self, key: &KeyEntry) -> bool {
        self.slot(key) == PLAIN
    }

    /// `key`'s slot, filled on first use.
    #[inline]
    fn slot(&mut self, key: &KeyEntry) -> u32 {
        let index = usize::from(key.os[self.target.platform.index()]);
        match self.slots.get(index) {
            Some(&slot) if slot != UNKNOWN => slot,
            _ => self.fill(key),
        }
    }

    #[cold]
    fn fill(&mut self, key: &KeyEntry) -> u32 {
        let index = usize::from(key.os[self.target.platform.index()]);
        let support = availability::key_check(key, &self.target);
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
                    let expected = availability::check(entry, index != 0, target);
                    assert_eq!(verdicts.support(&key), expected, "entry {index}, {target:?}, round {round}");
                    plain += usize::from(round == 1 && verdicts.slots[index] == PLAIN);
                }
            }
            verdicts.give_back();
        }
        // Memory was used: some entries are plain on some target.
        assert!(plain > 0);
    }

    /// A thread keeps the verdicts of its last few targets, the most
    /// recent first, one set per target.
    #[test]
    fn the_last_targets_verdicts_are_kept() {
        let target = |v: &str| Target::new(Platform::MacOS, v.parse::<OsVersion>().unwrap());
        let kept = || {
            LAST.with(|last| {
                let v = last.take();
                let versions: Vec<String> = v.iter().map(|v| v.target.version.to_string()).collect();
                last.set(v);
                versions
            })
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
