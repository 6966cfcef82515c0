//! The one checker: walks a [`Tree`](super::tree::Tree) against the
//! generated key tables, for every family.
//!
//! A document may be checked against several tables at once (a profile
//! payload: the common payload keys plus the keys of its `PayloadType`,
//! from every file that shares it); nested levels use the table their key
//! came from.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use smallvec::SmallVec;

use super::verdicts::Verdicts;
use super::{Problem, Report, Severity};
use crate::availability::{
    Bounds, KeyEntry, KeyTable, Literal, Presence, SchemaFile, Support, Target, Unsupported, same_key,
};
use crate::node::{Hint, Item, Node};
use crate::value::{KeyPath, PathSegment, ValueKind};

const MAX_DEPTH: usize = 64;

/// One step of the path being walked, borrowed until an issue needs it.
#[derive(Clone, Copy)]
pub(crate) enum Step<'t> {
    /// A key of the document the schema does not name (copied into an
    /// issue's path).
    Key(&'t str),
    /// A key the schema names: an issue's path borrows it.
    Known(&'static str),
    Index(usize),
}

/// The path being walked: held inline (no allocation per walk) as deep as
/// documents usually go.
pub(crate) type Steps<'t> = SmallVec<[Step<'t>; 6]>;

/// The key path of a list of steps.
pub(crate) fn key_path(steps: &[Step<'_>]) -> KeyPath {
    let segment = |step: &Step<'_>| match *step {
        Step::Key(k) => PathSegment::key(k),
        Step::Known(k) => PathSegment::Key(Cow::Borrowed(k)),
        Step::Index(i) => PathSegment::Index(i),
    };
    // The usual paths (`Queries[5]`, `Attributes.VPNUUID`) are written
    // straight into the inline segments: `collect` (smallvec's generic
    // `extend`) was 14% of the instructions of validating a
    // DeviceInformation command with every query, one path per
    // unsupported query.
    match steps {
        [] => KeyPath::root(),
        [a] => KeyPath::inline([segment(a), PathSegment::Index(0)], 1),
        [a, b] => KeyPath::inline([segment(a), segment(b)], 2),
        _ => steps.iter().map(segment).collect(),
    }
}

/// One level of keys (the top-level keys of a table or a key's children),
/// the table its children are found in, and where it starts in that
/// table's rows (which [`KeyTable::required_in`] reads).
#[derive(Clone, Copy)]
pub(super) struct Level<'a> {
    table: &'a KeyTable,
    start: usize,
    rows: &'static [KeyEntry],
}

impl<'a> Level<'a> {
    /// The top-level keys of `table`.
    pub(super) fn top(table: &'a KeyTable) -> Self {
        Level { table, start: usize::from(table.top.0), rows: table.top_level() }
    }

    /// The children of `key`, a row of `table`.
    fn children(table: &'a KeyTable, key: &KeyEntry) -> Self {
        Level { table, start: usize::from(key.children.0), rows: table.children(key) }
    }

    /// The level's row named `name` that is not an element.
    fn key(&self, name: &str) -> Option<&'static KeyEntry> {
        self.table.lookup(self.rows, name, |e| !e.element)
    }
}

/// The rows of a document's levels its walk found: bit `i` of `levels[at]`
/// for row `i` of level `at`, for the first [`FoundRows::LEVELS`] levels and
/// their first 64 rows (a row not recorded is looked up again).
#[derive(Default)]
struct FoundRows {
    levels: [u64; FoundRows::LEVELS],
}

impl FoundRows {
    const LEVELS: usize = 4;

    fn mark(&mut self, at: usize, level: &[KeyEntry], row: &KeyEntry) {
        // `row` is an element of `level` (a lookup in it found it).
        let offset = (row as *const KeyEntry as usize).wrapping_sub(level.as_ptr() as usize);
        let index = offset / std::mem::size_of::<KeyEntry>();
        if let Some(bits) = self.levels.get_mut(at)
            && index < 64
        {
            *bits |= 1 << index;
        }
    }

    fn rows(&self, at: usize) -> u64 {
        self.levels.get(at).copied().unwrap_or(0)
    }
}

pub(super) struct Walker<'a, 't> {
    table: &'a KeyTable,
    target: &'a Target,
    report: &'a mut Report,
    path: Steps<'t>,
    /// Report missing required keys (not in a reply that is not
    /// Acknowledged).
    required: bool,
    /// The target's verdicts, lent by this thread until the walker is
    /// dropped (always `Some` until then).
    verdicts: Option<Box<Verdicts>>,
}

impl Drop for Walker<'_, '_> {
    fn drop(&mut self) {
        if let Some(v) = self.verdicts.take() {
            v.give_back();
        }
    }
}

fn kind_ok<'t>(expected: ValueKind, value: impl Node<'t>) -> bool {
    let found = value.kind();
    expected == ValueKind::Any || expected == found || (expected == ValueKind::Real && found == ValueKind::Integer)
}

fn literal_matches<'t>(lit: &Literal, value: impl Node<'t>) -> bool {
    match lit {
        Literal::Str(s) => value.as_str() == Some(*s),
        Literal::Int(i) => value.as_int() == Some(i128::from(*i)),
        Literal::Real(r) => value.number() == Some(*r),
        Literal::Bool(b) => value.as_bool() == Some(*b),
        // A plist has no null; nothing matches it.
        Literal::Null => false,
    }
}

fn outside(value: f64, b: &Bounds) -> bool {
    b.min.is_some_and(|m| value < m) || b.max.is_some_and(|m| value > m)
}

/// Compiled `format` patterns, shared by every validation.
fn pattern_matches(pattern: &'static str, text: &str) -> Option<bool> {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Option<regex_lite::Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    let re = cache.entry(pattern).or_insert_with(|| regex_lite::Regex::new(pattern).ok());
    re.as_ref().map(|re| re.is_match(text))
}

/// The variant (a row of `variants`, a union's level) whose single-valued
/// key `dict` has, with that value: the first such, in order. A union the
/// tables index (Settings') is answered from its index: one lookup of its
/// key and a search of the values (reading each variant's keys in turn
/// was 600 instructions an element of a Settings command, counted by
/// callgrind); another by [`chosen_variant`].
fn union_variant<'t, N: Node<'t>>(variants: Level<'_>, dict: N) -> Option<&'static KeyEntry> {
    match variants.table.union_at(variants.start) {
        Some(index) => {
            let value = dict.get(index.key)?.as_str()?;
            variants.rows.get(index.variant(value)?)
        }
        None => chosen_variant(variants.table, variants.rows, dict),
    }
}

/// The variant (of `variants`, rows of `table`) whose single-valued key
/// `dict` has, with that value: the first such, in order, read variant by
/// variant.
fn chosen_variant<'t, N: Node<'t>>(
    table: &KeyTable,
    variants: &'static [KeyEntry],
    dict: N,
) -> Option<&'static KeyEntry> {
    // The variants name the same such key (Settings' `Item`, in each of
    // its 30-odd variants): it is looked up once, not once per variant
    // (the lookups were a third of validating a Settings command of 200
    // items, counted by callgrind).
    let mut asked: Option<(&'static str, Option<N>)> = None;
    variants.iter().find(|variant| {
        table.children(variant).iter().any(|c| {
            let Some(lit) = c.single_value() else { return false };
            let value = match asked {
                Some((name, value)) if same_key(name, c.name) => value,
                _ => {
                    let value = dict.get(c.name);
                    asked = Some((c.name, value));
                    value
                }
            };
            value.is_some_and(|v| literal_matches(lit, v))
        })
    })
}

/// The row a typed value of a catalogue names: an open enum listing the
/// subkeys in order, one variant each, carries its row's index, and the
/// row's name confirms it (the first row of that name, as a lookup finds
/// it).
fn hinted<'t, N: Node<'t>>(rows: &'static [KeyEntry], value: N) -> Option<&'static KeyEntry> {
    listed_row(rows, value.listed()?, value.as_str()?)
}

/// Row `index` of `rows` when its name is `name` (a typed value's hint,
/// [`Node::listed`], confirmed).
#[inline]
fn listed_row(rows: &'static [KeyEntry], index: usize, name: &str) -> Option<&'static KeyEntry> {
    rows.get(index).filter(|row| same_key(row.name, name))
}

impl<'a, 't> Walker<'a, 't> {
    /// A walker whose issues are reported below `prefix`.
    #[inline]
    pub(super) fn new(table: &'a KeyTable, target: &'a Target, report: &'a mut Report, prefix: &[Step<'t>]) -> Self {
        let path = Steps::from_slice(prefix);
        Walker { table, target, report, path, required: true, verdicts: Some(Verdicts::take(target)) }
    }

    /// The same walker, not reporting missing required keys.
    pub(super) fn without_required(mut self) -> Self {
        self.required = false;
        self
    }

    pub(super) fn push(&mut self, severity: Severity, problem: Problem) {
        self.report.push(key_path(&self.path), severity, problem);
    }

    #[inline]
    fn support(&mut self, key: &KeyEntry) -> Support {
        match self.verdicts.as_mut() {
            Some(v) => v.support(key),
            None => key.support(self.target),
        }
    }

    /// Reports a command, payload, check-in message, declaration or status
    /// item (`what`) the target does not support (error), is deprecated
    /// or ignored on (warnings), at the walker's path; true when it is
    /// supported.
    pub(super) fn supported(&mut self, file: &SchemaFile, what: &'static str) -> bool {
        let support = match self.verdicts.as_mut() {
            Some(v) => v.file(file),
            None => file.support(self.target),
        };
        self.report_support(support, |why| Problem::NotSupported { what, why })
    }

    /// Reports what `support` says (`unsupported` the error it is when not
    /// supported, a deprecation or `ignored` a warning); true when
    /// supported.
    fn report_support(&mut self, support: Support, unsupported: impl FnOnce(Unsupported) -> Problem) -> bool {
        match support {
            Support::Unsupported(why) => {
                self.push(Severity::Error, unsupported(why));
                false
            }
            Support::Supported { deprecated, ignored } => {
                if let Some(v) = deprecated {
                    self.push(Severity::Warning, Problem::Deprecated(v));
                }
                if ignored {
                    self.push(Severity::Warning, Problem::Ignored);
                }
                true
            }
        }
    }

    /// Checks a document's top-level dictionary against one or more levels
    /// of keys. Keys in `skip` are not looked at (a command's
    /// `RequestType`); with `warn_unknown` false, keys none of the levels
    /// knows pass silently (a payload whose `PayloadType` the schema lacks).
    pub(super) fn document<N: Node<'t>>(&mut self, levels: &[Level<'a>], dict: N, skip: &[&str], warn_unknown: bool) {
        // The rows found, by level (the first few levels, their first 64
        // rows): a required key found needs no second look.
        let mut found_rows = FoundRows::default();
        dict.each_entry_hinted(|k, hint, v| {
            if skip.contains(&k) {
                return;
            }
            // A typed record's field: its row is the row at the field's
            // index in the level of its part (a generated record lists its
            // level's keys in order), when that row is it and no level
            // before knows the key (the levels are searched in order).
            let hinted = hint.and_then(|Hint { part, index }| {
                let level = levels.get(part)?;
                let e = level.rows.get(index).filter(|e| !e.element && same_key(e.name, k))?;
                let earlier = levels[..part].iter().any(|level| level.key(k).is_some());
                (!earlier).then_some((part, level.table, e))
            });
            let found = hinted.or_else(|| {
                levels.iter().enumerate().find_map(|(at, level)| level.key(k).map(|e| (at, level.table, e)))
            });
            match found {
                Some((at, table, e)) => {
                    if e.presence == Presence::Required {
                        found_rows.mark(at, levels[at].rows, e);
                    }
                    self.path.push(Step::Known(e.name));
                    let outer = std::mem::replace(&mut self.table, table);
                    self.key(e, v);
                    self.table = outer;
                }
                None if warn_unknown => {
                    self.path.push(Step::Key(k));
                    self.push(Severity::Warning, Problem::UnknownKey);
                }
                None => return,
            }
            self.path.pop();
        });
        if self.required {
            for (at, level) in levels.iter().enumerate() {
                self.missing(level, dict, found_rows.rows(at));
            }
        }
    }

    /// Checks one value against a key whose availability was checked
    /// already: a status item's value against the item's key.
    pub(super) fn entry<N: Node<'t>>(&mut self, e: &'static KeyEntry, v: N) {
        self.value(e, v);
    }

    fn dict<N: Node<'t>>(&mut self, level: Level<'a>, dict: N) {
        // A dictionary of `ANY` keys: every value is an element.
        if let [only] = level.rows
            && only.element
        {
            dict.each_entry(|k, v| {
                self.path.push(Step::Key(k));
                self.value(only, v);
                self.path.pop();
            });
            return;
        }
        self.document(&[level], dict, &[], true);
    }

    /// Required keys that are missing, where the target supports them.
    /// `found`: the level's rows the walk found (bit `i` for row `i`).
    fn missing<N: Node<'t>>(&mut self, level: &Level<'a>, dict: N, found: u64) {
        // The table lists its required rows: the level's rows are not read
        // one by one (most levels have none or one).
        for i in level.table.required_in(level.start, level.rows.len()) {
            if let Some(e) = level.rows.get(i) {
                self.missing_row(i, e, dict, found);
            }
        }
    }

    /// Reports row `i` of a level, a required key, when `found` (bit `i`)
    /// and `dict` do not have it and the target supports it.
    fn missing_row<N: Node<'t>>(&mut self, i: usize, e: &'static KeyEntry, dict: N, found: u64) {
        if (i >= 64 || found & (1 << i) == 0) && dict.get(e.name).is_none() && self.support(e).is_supported() {
            self.path.push(Step::Known(e.name));
            self.push(Severity::Error, Problem::MissingRequired);
            self.path.pop();
        }
    }

    fn key<N: Node<'t>>(&mut self, e: &'static KeyEntry, v: N) {
        if self.availability(e) {
            self.value(e, v);
        }
    }

    /// Reports a key (or a listed value) the target does not support, is
    /// deprecated or ignored on; false when it is not supported.
    fn availability(&mut self, e: &'static KeyEntry) -> bool {
        let support = self.support(e);
        self.report_support(support, Problem::KeyNotSupported)
    }

    fn value<N: Node<'t>>(&mut self, e: &'static KeyEntry, v: N) {
        if !kind_ok(e.kind, v) {
            self.push(Severity::Error, Problem::WrongType { expected: e.kind, found: v.kind() });
            return;
        }
        // Most keys have neither a list of values nor a range.
        if !e.rangelist.is_empty() || e.range.is_some() {
            self.allowed(e, v);
        }
        if let Some(pattern) = e.format
            && let Some(s) = v.as_str()
            && pattern_matches(pattern, s) == Some(false)
        {
            self.push(Severity::Error, Problem::Format { value: s.to_owned(), pattern });
        }
        if self.path.len() >= MAX_DEPTH {
            return;
        }
        self.below(e, v);
    }

    /// Checks a value against its key's list of values and range.
    fn allowed<N: Node<'t>>(&mut self, e: &'static KeyEntry, v: N) {
        let listed = e.rangelist.iter().any(|l| literal_matches(l, v));
        let number = v.number();
        match (e.rangelist.is_empty(), e.range) {
            // Both a list and a range (the MCX sleep timers: `0` or
            // 1..=180): either one admits the value.
            (false, Some(b)) if !listed && !v.is_container() && number.is_none_or(|n| outside(n, &b)) => {
                self.push(
                    Severity::Error,
                    Problem::NotListedOrInRange { value: v.to_string(), allowed: e.rangelist, bounds: b },
                );
            }
            (false, Some(_)) => {}
            (false, None) if !listed && !v.is_container() => {
                self.push(Severity::Error, Problem::NotInRangelist { value: v.to_string(), allowed: e.rangelist });
            }
            (_, Some(b)) if number.is_some_and(|n| outside(n, &b)) => {
                self.push(Severity::Error, Problem::OutOfRange { value: number.unwrap_or_default(), bounds: b });
            }
            _ => {}
        }
    }

    /// Checks what is below a value: a dictionary's keys, an array's
    /// elements, the row a catalogue's string names.
    fn below<N: Node<'t>>(&mut self, e: &'static KeyEntry, v: N) {
        let level = Level::children(self.table, e);
        let children = level.rows;
        match v.kind() {
            ValueKind::Dictionary if !children.is_empty() => self.dict(level, v),
            ValueKind::Array => {
                if let Some(b) = e.repetition
                    && outside(v.len() as f64, &b)
                {
                    self.push(Severity::Error, Problem::Repetition { count: v.len(), bounds: b });
                }
                let catalogue = match children {
                    [one] => self.catalogue_of(one),
                    _ => None,
                };
                // The elements naming rows the target supports plainly are
                // passed over: nothing to report of them.
                let names = if catalogue.is_some() { v.listed_names() } else { &[] };
                let skip = match (catalogue, self.verdicts.as_mut()) {
                    (Some(rows), Some(verdicts)) if !names.is_empty() => verdicts.take_plain_rows(rows, names),
                    _ => Vec::new(),
                };
                // The closure is kept small (its slow paths are calls): it
                // runs once per element, and with the element's whole check
                // inlined each call saved and restored six registers and a
                // 280-byte frame (15 of its 74 instructions per query).
                v.each_item(catalogue.is_some(), &skip, |i, item| match item {
                    // A typed value naming a row of the catalogue: what
                    // `value` checks of it is the row's availability.
                    Item::Listed(index, name) => match catalogue.and_then(|rows| listed_row(rows, index, name)) {
                        Some(row) => {
                            if !self.plain(row) {
                                self.element_availability(i, row);
                            }
                            true
                        }
                        None => false,
                    },
                    Item::Node(item) => {
                        self.element(level, i, item);
                        true
                    }
                });
                if let (Some(rows), Some(verdicts)) = (catalogue, self.verdicts.as_mut())
                    && !names.is_empty()
                {
                    verdicts.give_plain_rows(rows, names, skip);
                }
            }
            // A string whose allowed values are its subkeys (a catalogue).
            ValueKind::String if !children.is_empty() => {
                let s = v.as_str().unwrap_or_default();
                match hinted(children, v).or_else(|| self.table.lookup(children, s, |_| true)) {
                    None => self.push(Severity::Warning, Problem::UnknownValue(s.to_owned())),
                    // Unsupported, deprecated (the IMEI query since iOS 16)
                    // or ignored, as for a key.
                    Some(c) => {
                        self.availability(c);
                    }
                }
            }
            _ => {}
        }
    }

    /// Reports element `i`'s row of a catalogue, which the target does not
    /// support plainly.
    #[inline(never)]
    fn element_availability(&mut self, i: usize, row: &'static KeyEntry) {
        self.path.push(Step::Index(i));
        self.availability(row);
        self.path.pop();
    }

    /// Checks element `i` of an array whose element keys are `children`.
    #[inline(never)]
    fn element<N: Node<'t>>(&mut self, children: Level<'a>, i: usize, item: N) {
        self.path.push(Step::Index(i));
        match children.rows {
            [] => {}
            [one] => self.value(one, item),
            _ => self.union_element(children, item),
        }
        self.path.pop();
    }

    /// The rows of a catalogue, when `element` (an array's one element
    /// key) is a string whose allowed values are its subkeys and nothing
    /// else is checked of it (DeviceInformation's queries), and the walk is
    /// not at its depth limit: what [`Walker::value`] would check of an
    /// element is then only which row it names.
    fn catalogue_of(&self, element: &'static KeyEntry) -> Option<&'static [KeyEntry]> {
        let rows = self.table.children(element);
        let only_rows = element.kind == ValueKind::String
            && element.rangelist.is_empty()
            && element.range.is_none()
            && element.format.is_none()
            && !rows.is_empty();
        (only_rows && self.path.len() + 1 < MAX_DEPTH).then_some(rows)
    }

    /// True when the target supports `key` plainly: not deprecated, not
    /// ignored (nothing to report).
    fn plain(&mut self, key: &KeyEntry) -> bool {
        match self.verdicts.as_mut() {
            Some(v) => v.is_plain(key),
            None => key.support(self.target) == Support::Supported { deprecated: None, ignored: false },
        }
    }

    /// An element of an array whose subkeys are variants told apart by a
    /// single-valued key (Settings' `Item`).
    fn union_element<N: Node<'t>>(&mut self, variants: Level<'a>, item: N) {
        let Some(d) = item.as_dict() else {
            self.push(Severity::Error, Problem::WrongType { expected: ValueKind::Dictionary, found: item.kind() });
            return;
        };
        let chosen = union_variant(variants, d);
        match chosen {
            Some(variant) => self.key(variant, item),
            None => self.push(Severity::Warning, Problem::UnknownValue(item.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::availability::{Family, KeyTable, files};

    /// A path written inline is the path the steps collect into, for
    /// every length up to four and each kind of step.
    #[test]
    fn key_paths_are_the_steps_collected() {
        use super::{Step, key_path};
        use crate::value::{KeyPath, PathSegment};
        let kinds = [Step::Key("Unknown"), Step::Known("Queries"), Step::Index(5)];
        let mut count = 0;
        for len in 0..=4 {
            for n in 0..3usize.pow(len) {
                let steps: Vec<Step<'_>> = (0..len).map(|i| kinds[n / 3usize.pow(i) % 3]).collect();
                let collected: KeyPath = steps
                    .iter()
                    .map(|s| match *s {
                        Step::Key(k) | Step::Known(k) => PathSegment::key(k),
                        Step::Index(i) => PathSegment::Index(i),
                    })
                    .collect();
                assert_eq!(key_path(&steps), collected, "{len} steps");
                assert_eq!(key_path(&steps).to_string(), collected.to_string());
                count += 1;
            }
        }
        assert_eq!(count, 1 + 3 + 9 + 27 + 81);
    }

    /// A level never names a key twice, so the row a typed field's index
    /// finds (when its name is the key's) is the row a lookup by name
    /// finds: the walk may take either.
    #[test]
    fn no_level_names_a_key_twice() {
        let mut levels = 0;
        for family in Family::ALL {
            for file in files(family) {
                for table in [&file.request, &file.response] {
                    let mut check = |level: &[crate::availability::KeyEntry]| {
                        let names: Vec<&str> = level.iter().filter(|e| !e.element).map(|e| e.name).collect();
                        let mut sorted = names.clone();
                        sorted.sort_unstable();
                        sorted.dedup();
                        assert_eq!(sorted.len(), names.len(), "{}: {names:?}", file.path);
                        levels += 1;
                    };
                    check(table.top_level());
                    for row in table.rows {
                        check(KeyTable::children(table, row));
                    }
                }
            }
        }
        assert!(levels > 1000, "{levels} levels");
    }

    /// The variant an element of a union is taken for, from the union's
    /// index or (each single-valued key looked up once) read variant by
    /// variant, is the variant asking each variant's keys in turn finds:
    /// for every union of every table, a dictionary holding each variant's
    /// single-valued key with its value, with a value no variant lists,
    /// with a value that is no string, with another variant's key and
    /// value beside it, and an empty one. Settings' union is indexed.
    #[test]
    fn union_elements_are_taken_for_the_variant_each_key_asked_finds() {
        use super::{Level, chosen_variant, literal_matches, union_variant};
        use crate::availability::{KeyEntry, Literal};
        use crate::node::Node;
        use crate::validate::tree::Tree;
        use plist::{Dictionary, Value};

        fn asked_in_turn<'t, N: Node<'t>>(
            table: &KeyTable,
            variants: &'static [KeyEntry],
            d: N,
        ) -> Option<&'static KeyEntry> {
            variants.iter().find(|variant| {
                table
                    .children(variant)
                    .iter()
                    .any(|c| c.single_value().is_some_and(|lit| d.get(c.name).is_some_and(|v| literal_matches(lit, v))))
            })
        }
        fn value(lit: &Literal) -> Option<Value> {
            Some(match *lit {
                Literal::Str(s) => Value::String(s.to_owned()),
                Literal::Int(i) => Value::Integer(i.into()),
                Literal::Real(r) => Value::Real(r),
                Literal::Bool(b) => Value::Boolean(b),
                Literal::Null => return None,
            })
        }
        let (mut unions, mut indexed, mut chosen, mut settings) = (0, 0, 0, false);
        for family in Family::ALL {
            for file in files(family) {
                for table in [&file.request, &file.response] {
                    for row in table.rows {
                        let variants = table.children(row);
                        if row.kind != crate::value::ValueKind::Array || variants.len() < 2 {
                            continue;
                        }
                        unions += 1;
                        let level = Level::children(table, row);
                        if let Some(index) = table.union_at(level.start) {
                            indexed += 1;
                            settings |= file.path == "mdm/commands/settings.yaml" && index.key == "Item";
                            // Ordered as the search reads them, each value once.
                            let order = |v: &str| (crate::availability::fingerprint(v), v.to_owned());
                            assert!(index.values.windows(2).all(|w| order(w[0].0) < order(w[1].0)), "{}", file.path);
                        }
                        // Each variant's single-valued keys and values.
                        let keys: Vec<(&str, Value)> = variants
                            .iter()
                            .flat_map(|v| table.children(v))
                            .filter_map(|c| c.single_value().and_then(value).map(|v| (c.name, v)))
                            .collect();
                        let mut dicts: Vec<Dictionary> = vec![Dictionary::new()];
                        for (i, (k, v)) in keys.iter().enumerate() {
                            dicts.push(Dictionary::from_iter([(k.to_string(), v.clone())]));
                            dicts.push(Dictionary::from_iter([(k.to_string(), Value::String("NoSuchVariant".into()))]));
                            dicts.push(Dictionary::from_iter([(k.to_string(), Value::Integer(7.into()))]));
                            let (k2, v2) = &keys[(i + 1) % keys.len()];
                            dicts.push(Dictionary::from_iter([
                                (k.to_string(), Value::String("NoSuchVariant".into())),
                                (k2.to_string(), v2.clone()),
                            ]));
                        }
                        for d in dicts {
                            let tree = Tree::of(&Value::Dictionary(d.clone())).expect("a dictionary encodes");
                            let node = tree.root();
                            let expected = asked_in_turn(table, variants, node).map(|e| e as *const KeyEntry);
                            let read = chosen_variant(table, variants, node).map(|e| e as *const KeyEntry);
                            let got = union_variant(level, node).map(|e| e as *const KeyEntry);
                            assert_eq!(read, expected, "{}: {} of {d:?}, read", file.path, row.name);
                            assert_eq!(got, expected, "{}: {} of {d:?}", file.path, row.name);
                            chosen += usize::from(got.is_some());
                        }
                    }
                }
            }
        }
        assert!(unions > 0 && chosen > 30, "{unions} unions, {chosen} dictionaries taken for a variant");
        assert!(settings, "Settings' union is indexed ({indexed} of {unions} unions are)");
    }
}
