//! The binary plist writer (`bplist00`).
//!
//! Objects are numbered as they are met, the root first. Each string,
//! number, date, data and UID is encoded at once, with its marker and
//! length, into one byte buffer, and written once: a value met again (a key
//! every record repeats, a `true`) refers to the first object, as in the
//! plist crate's writer and Apple's. Equal values are found by a hash of
//! their encoding and a comparison with the one written. An array or
//! dictionary keeps the object numbers of its members while it is open,
//! and moves them to a second buffer when it ends (a dictionary's keys
//! first, then its values, the layout's order). At the end the scalars are
//! written in one piece, then the collections, the offset table (in object
//! number order) and the trailer.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{Int, Kind, Sink, WriteError, key_must_be_a_string};

/// Seconds from the Unix epoch to the plist epoch (2001-01-01).
const PLIST_EPOCH: Duration = Duration::from_secs(978_307_200);

enum Object {
    /// Encoded bytes in `BinarySink::bytes`.
    Scalar(Range<usize>),
    /// Members in `BinarySink::refs`, not known while the collection is open.
    Array(Range<usize>),
    /// Keys then values in `BinarySink::refs`.
    Dictionary(Range<usize>),
}

struct Open {
    /// Its number.
    object: usize,
    /// Where its members start in `BinarySink::members`.
    first: usize,
    dictionary: bool,
}

#[derive(Default)]
pub(crate) struct BinarySink {
    objects: Vec<Object>,
    bytes: Vec<u8>,
    refs: Vec<usize>,
    /// Members of the open collections, innermost last.
    members: Vec<usize>,
    open: Vec<Open>,
    /// A hash of a scalar's encoded bytes -> the first object with that hash.
    seen: HashMap<u64, usize, BuildHasherDefault<PassThrough>>,
    /// The root is written: the document is whole.
    done: bool,
    /// UTF-16 of the last string that is not ASCII (kept for its buffer).
    utf16: Vec<u8>,
}

/// Tables above these sizes are not kept for the next encode: one huge
/// document should not pin its memory in the thread.
const SPARE_OBJECTS: usize = 1 << 16;
const SPARE_BYTES: usize = 1 << 20;

thread_local! {
    static SPARE: std::cell::Cell<Option<BinarySink>> = const { std::cell::Cell::new(None) };
}

impl BinarySink {
    /// Empty tables: this thread's from its last encode where there are
    /// some, so that an encode does not grow every table from nothing
    /// again (keeping them made the binary encode of a profile 5-8%
    /// faster, of a DeviceInformation reply 13-17%).
    pub(crate) fn take_spare() -> BinarySink {
        SPARE.take().unwrap_or_default()
    }

    /// Keeps the tables for this thread's next encode, emptied, unless
    /// they are large.
    pub(crate) fn keep_as_spare(mut self) {
        if self.objects.capacity() > SPARE_OBJECTS || self.bytes.capacity() > SPARE_BYTES {
            return;
        }
        self.objects.clear();
        self.bytes.clear();
        self.refs.clear();
        self.members.clear();
        self.open.clear();
        // Sized to this document: clearing a map left large by an earlier
        // one would cost every small document after it.
        self.seen.shrink_to(self.seen.len());
        self.seen.clear();
        self.done = false;
        SPARE.set(Some(self));
    }

    pub(crate) fn finish(&self) -> Result<Vec<u8>, WriteError> {
        if !self.open.is_empty() {
            return Err(WriteError("the value ends inside an array or dictionary".into()));
        }
        if self.objects.is_empty() {
            // Nothing written (a `None` at the root), as the plist crate.
            return Ok(Vec::new());
        }
        let ref_size = int_size(self.objects.len() as u64 - 1);
        let mut out =
            Vec::with_capacity(8 + self.bytes.len() + self.refs.len() * ref_size + self.objects.len() * 8 + 32);
        out.extend_from_slice(b"bplist00");
        // Every scalar first, in one piece: the order of the objects in the
        // file is free (readers find each by the offset table), and copying
        // the scalars run by run between the collections was a tenth of
        // the binary encode of a profile.
        out.extend_from_slice(&self.bytes);
        let mut offsets = Vec::with_capacity(self.objects.len());
        for object in &self.objects {
            match object {
                Object::Scalar(range) => offsets.push((8 + range.start) as u64),
                Object::Array(range) => {
                    offsets.push(out.len() as u64);
                    marker(&mut out, 0xa0, range.len());
                    put_refs(&mut out, &self.refs[range.clone()], ref_size);
                }
                Object::Dictionary(range) => {
                    offsets.push(out.len() as u64);
                    marker(&mut out, 0xd0, range.len() / 2);
                    put_refs(&mut out, &self.refs[range.clone()], ref_size);
                }
            }
        }
        let table = out.len() as u64;
        let offset_size = int_size(table);
        put_ints(&mut out, offsets.into_iter(), offset_size);
        let mut trailer = [0u8; 32];
        trailer[6] = offset_size as u8;
        trailer[7] = ref_size as u8;
        trailer[8..16].copy_from_slice(&(self.objects.len() as u64).to_be_bytes());
        // The top object is the first: 0.
        trailer[24..32].copy_from_slice(&table.to_be_bytes());
        out.extend_from_slice(&trailer);
        Ok(out)
    }

    /// Checks that an object of `kind` may come here (`None`: a string,
    /// which may also be a dictionary key).
    #[inline]
    fn place(&self, kind: Option<Kind>) -> Result<(), WriteError> {
        if self.done {
            return Err(WriteError("a second value after the whole plist".into()));
        }
        if let (Some(kind), Some(open)) = (kind, self.open.last())
            && open.dictionary
            && (self.members.len() - open.first).is_multiple_of(2)
        {
            return Err(key_must_be_a_string(kind));
        }
        Ok(())
    }

    /// Adds `object` as a member of the innermost open collection.
    #[inline]
    fn member(&mut self, object: usize) {
        if self.open.is_empty() {
            self.done = true;
        } else {
            self.members.push(object);
        }
    }

    /// A scalar encoded as `head` (its marker, and length if any) then
    /// `body`: found among those written, or added.
    #[inline]
    fn scalar(&mut self, kind: Option<Kind>, marked: &Head, body: &[u8]) -> Result<(), WriteError> {
        self.place(kind)?;
        let head = marked.bytes();
        let hash = mix(hash(hash(0, head), body));
        let object = match self.seen.get(&hash) {
            Some(&first) if self.same(first, head, body) => first,
            seen => {
                let object = self.objects.len();
                let start = self.bytes.len();
                // All of the head's array and back to its length: a copy of
                // a fixed size, not a call to `memcpy`.
                self.bytes.extend_from_slice(&marked.bytes);
                self.bytes.truncate(start + head.len());
                self.bytes.extend_from_slice(body);
                self.objects.push(Object::Scalar(start..self.bytes.len()));
                if seen.is_none() {
                    self.seen.insert(hash, object);
                }
                object
            }
        };
        self.member(object);
        Ok(())
    }

    /// Whether object `first` is the scalar encoded as `head` then `body`.
    fn same(&self, first: usize, head: &[u8], body: &[u8]) -> bool {
        match &self.objects[first] {
            Object::Scalar(range) => {
                let written = &self.bytes[range.clone()];
                written.len() == head.len() + body.len()
                    && eq(&written[..head.len()], head)
                    && eq(&written[head.len()..], body)
            }
            _ => false,
        }
    }

    fn start(&mut self, dictionary: bool, kind: Kind) -> Result<(), WriteError> {
        self.place(Some(kind))?;
        let object = self.objects.len();
        self.objects.push(Object::Array(0..0));
        // The root collection is whole only at its end (`end_collection`).
        if !self.open.is_empty() {
            self.members.push(object);
        }
        self.open.push(Open { object, first: self.members.len(), dictionary });
        Ok(())
    }
}

impl Sink for BinarySink {
    fn start_array(&mut self) -> Result<(), WriteError> {
        self.start(false, Kind::Array)
    }

    fn start_dictionary(&mut self) -> Result<(), WriteError> {
        self.start(true, Kind::Dictionary)
    }

    fn end_collection(&mut self) -> Result<(), WriteError> {
        let Some(open) = self.open.pop() else {
            return Err(WriteError("an end with no array or dictionary open".into()));
        };
        let members = &self.members[open.first..];
        let start = self.refs.len();
        if open.dictionary {
            if !members.len().is_multiple_of(2) {
                return Err(WriteError("a dictionary key has no value".into()));
            }
            self.refs.extend(members.iter().step_by(2));
            self.refs.extend(members.iter().skip(1).step_by(2));
            self.objects[open.object] = Object::Dictionary(start..self.refs.len());
        } else {
            self.refs.extend_from_slice(members);
            self.objects[open.object] = Object::Array(start..self.refs.len());
        }
        self.members.truncate(open.first);
        if self.open.is_empty() {
            self.done = true;
        }
        Ok(())
    }

    fn boolean(&mut self, v: bool) -> Result<(), WriteError> {
        self.scalar(Some(Kind::Boolean), &Head::new(if v { 0x09 } else { 0x08 }), &[])
    }

    fn data(&mut self, v: &[u8]) -> Result<(), WriteError> {
        self.scalar(Some(Kind::Data), &Head::marker(0x40, v.len()), v)
    }

    fn date(&mut self, v: plist::Date) -> Result<(), WriteError> {
        // As the plist crate's `as_seconds_since_plist_epoch`.
        let epoch = UNIX_EPOCH + PLIST_EPOCH;
        let secs = match SystemTime::from(v).duration_since(epoch) {
            Ok(d) => d.as_secs_f64(),
            Err(e) => -e.duration().as_secs_f64(),
        };
        let mut head = Head::new(0x33);
        head.put(secs.to_bits(), 8);
        self.scalar(Some(Kind::Date), &head, &[])
    }

    fn integer(&mut self, v: Int) -> Result<(), WriteError> {
        let head = match v {
            Int::Signed(v) if v >= 0 => Head::int(0x10, v as u64),
            Int::Signed(v) => {
                let mut head = Head::new(0x13);
                head.put(v as u64, 8);
                head
            }
            Int::Unsigned(v) => {
                // 16 bytes, as the plist crate writes a `u64` above `i64`.
                let mut head = Head::new(0x14);
                head.put(0, 8);
                head.put(v, 8);
                head
            }
        };
        self.scalar(Some(Kind::Integer), &head, &[])
    }

    fn real(&mut self, v: f64) -> Result<(), WriteError> {
        let mut head = Head::new(0x23);
        head.put(v.to_bits(), 8);
        self.scalar(Some(Kind::Real), &head, &[])
    }

    fn string(&mut self, v: &str) -> Result<(), WriteError> {
        if v.is_ascii() {
            return self.scalar(None, &Head::marker(0x50, v.len()), v.as_bytes());
        }
        let mut units = std::mem::take(&mut self.utf16);
        units.clear();
        let mut count = 0;
        for unit in v.encode_utf16() {
            units.extend_from_slice(&unit.to_be_bytes());
            count += 1;
        }
        let result = self.scalar(None, &Head::marker(0x60, count), &units);
        self.utf16 = units;
        result
    }

    fn uid(&mut self, v: u64) -> Result<(), WriteError> {
        let size = int_size(v);
        let mut head = Head::new(0x80 | (size as u8 - 1));
        head.put(v, size);
        self.scalar(Some(Kind::Uid), &head, &[])
    }
}

/// The first bytes of a scalar: its marker, then its value or length.
struct Head {
    bytes: [u8; 17],
    len: usize,
}

impl Head {
    fn new(marker: u8) -> Head {
        let mut bytes = [0; 17];
        bytes[0] = marker;
        Head { bytes, len: 1 }
    }

    /// `token` with an integer in the smallest size that holds `v`.
    fn int(token: u8, v: u64) -> Head {
        let size = int_size(v);
        let mut head = Head::new(token | size.trailing_zeros() as u8);
        head.put(v, size);
        head
    }

    /// A marker with a count: in its low nibble below 15, else as an
    /// integer object after it.
    fn marker(token: u8, count: usize) -> Head {
        if count < 15 {
            Head::new(token | count as u8)
        } else {
            let int = Head::int(0x10, count as u64);
            let mut head = Head::new(token | 0x0f);
            // The integer's head is at most 9 bytes; its whole array is
            // copied (a fixed size), its length counted.
            head.bytes[1..].copy_from_slice(&int.bytes[..16]);
            head.len += int.len;
            head
        }
    }

    /// Appends `v` big-endian in `size` bytes (1 to 8, and at most 9
    /// written before). All eight bytes are stored, `v` shifted to their
    /// front, so that the copy has a fixed size (no call to `memcpy`).
    fn put(&mut self, v: u64, size: usize) {
        let front = if size >= 8 { v } else { v << (64 - 8 * size) };
        self.bytes[self.len..self.len + 8].copy_from_slice(&front.to_be_bytes());
        self.len += size;
    }

    fn bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// `a == b`, without a call to `memcmp` for the short slices most
/// scalars are (a marker, a key name): that call was a third of the binary
/// encode of a 5,000-app list, where every key is met 5,000 times.
#[inline]
fn eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], i: usize| u64::from_le_bytes(s[i..i + 8].try_into().expect("8 bytes"));
    match n {
        0..8 => a.iter().zip(b).all(|(x, y)| x == y),
        // Two overlapping words cover 8 to 16 bytes.
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        _ => a == b,
    }
}

/// The bytes (1, 2, 4 or 8) that hold `v`.
fn int_size(v: u64) -> usize {
    match v {
        0..=0xff => 1,
        0x100..=0xffff => 2,
        0x1_0000..=0xffff_ffff => 4,
        _ => 8,
    }
}

/// Each of `values` big-endian in `size` bytes (1, 2, 4 or 8; `int_size`
/// of the largest). Each size is a copy of a fixed length, a store: a copy
/// of `size` bytes was a call to `memcpy` for every reference and offset,
/// a tenth of the binary encode of a profile.
fn put_ints(out: &mut Vec<u8>, values: impl ExactSizeIterator<Item = u64>, size: usize) {
    fn put<const N: usize>(out: &mut Vec<u8>, values: impl ExactSizeIterator<Item = u64>) {
        out.reserve(values.len() * N);
        for v in values {
            out.extend_from_slice(&v.to_be_bytes()[8 - N..]);
        }
    }
    match size {
        1 => put::<1>(out, values),
        2 => put::<2>(out, values),
        4 => put::<4>(out, values),
        _ => put::<8>(out, values),
    }
}

fn put_refs(out: &mut Vec<u8>, refs: &[usize], size: usize) {
    put_ints(out, refs.iter().map(|&r| r as u64), size);
}

/// A collection's marker and count.
fn marker(out: &mut Vec<u8>, token: u8, count: usize) {
    out.extend_from_slice(Head::marker(token, count).bytes());
}

const K: u64 = 0xf135_7aea_2e62_a9c5;

/// The folded multiply (foldhash's, wyhash's): the high and low halves of
/// the 128-bit product xored, so that a change in any bit of `a` reaches
/// every bit.
#[inline]
fn fold(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// Folds `bytes` into `h` over 8-byte words, the length first, the last
/// partial word read as overlapping loads (no copy).
#[inline]
fn hash(mut h: u64, bytes: &[u8]) -> u64 {
    let step = |h: u64, w: u64| fold(h ^ w, K);
    h = step(h, bytes.len() as u64);
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        h = step(h, u64::from_le_bytes(w.try_into().expect("8 bytes")));
    }
    let rest = words.remainder();
    let n = rest.len();
    let tail = if n == 0 {
        return h;
    } else if bytes.len() >= 8 {
        // The last 8 bytes: the rest and some bytes already folded in.
        u64::from_le_bytes(bytes[bytes.len() - 8..].try_into().expect("8 bytes"))
    } else if n >= 4 {
        let lo = u32::from_le_bytes(rest[..4].try_into().expect("4 bytes"));
        let hi = u32::from_le_bytes(rest[n - 4..].try_into().expect("4 bytes"));
        u64::from(lo) | u64::from(hi) << 32
    } else {
        u64::from(rest[0]) | u64::from(rest[n / 2]) << 8 | u64::from(rest[n - 1]) << 16
    };
    step(h, tail)
}

/// Spreads the hash over the bits the map uses for buckets (low) and tags
/// (high).
fn mix(h: u64) -> u64 {
    fold(h, 0x9e37_79b9_7f4a_7c15)
}

/// The map's keys are hashes already.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eq_compares_every_byte_of_every_length() {
        for n in 0..40usize {
            let a: Vec<u8> = (0..n as u8).collect();
            assert!(eq(&a, &a.clone()));
            for i in 0..n {
                let mut b = a.clone();
                b[i] ^= 0x80;
                assert!(!eq(&a, &b), "{n} bytes, byte {i}");
            }
            assert!(!eq(&a, &a[..n.saturating_sub(1)]) || n == 0);
        }
    }

    /// Keys that differ only in their last characters (an app's bundle
    /// identifier, a payload's UUID) spread over the map's bucket bits and
    /// its tag bits as random numbers would. A hash that left those bits
    /// alike made the binary encode of a 5,000-app list 1.6x slower.
    #[test]
    fn similar_strings_spread_over_buckets_and_tags() {
        for format in [|i: u32| format!("com.example.app{i}"), |i: u32| format!("00000000-0000-4000-8000-{i:012}")] {
            let (mut low, mut top) = (std::collections::HashSet::new(), std::collections::HashSet::new());
            for i in 0..50_000 {
                let s = format(i);
                let h = mix(hash(hash(0, Head::marker(0x50, s.len()).bytes()), s.as_bytes()));
                low.insert(h & 0xffff);
                top.insert(h >> 57);
            }
            // 50,000 random numbers take about 35,000 of the 65,536 values
            // of 16 bits, and all 128 of 7.
            assert!(low.len() > 33_000, "{} bucket values", low.len());
            assert_eq!(top.len(), 128);
        }
    }
}
