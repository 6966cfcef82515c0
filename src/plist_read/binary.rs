//! Binary plists (`bplist00`), read through the offset table in place.
//!
//! The checks are the plist crate's: the trailer's sizes, every object
//! reference inside the object table, every object and every reference
//! list before the trailer, no collection inside itself. Nothing is copied
//! but the values kept: UTF-8 strings are borrowed, and the references of
//! an array or dictionary are read from the file as they are needed (the
//! plist crate copies them into a vector per collection).

use std::borrow::Cow;
use std::cell::Cell;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{Declined, Token, int_token};

/// An array or dictionary being read.
#[derive(Clone)]
struct Frame {
    object: usize,
    /// Where its references start.
    refs: usize,
    len: usize,
    /// How many of its children (keys and values, for a dictionary) have
    /// been read.
    done: usize,
    dict: bool,
}

/// The reader: cheap to clone (the stack of open collections is a few
/// frames), so that a dictionary can be read ahead by a copy and the copy
/// kept (see `Deserializer::speculate`).
#[derive(Clone)]
pub(crate) struct BinaryTokens<'a> {
    bytes: &'a [u8],
    /// Objects and reference lists end before this offset.
    trailer: usize,
    offset_size: usize,
    ref_size: usize,
    offsets: usize,
    objects: usize,
    root: Option<u64>,
    /// The open collections, outermost first. A collection inside itself
    /// is refused: one already on the stack is not opened again.
    stack: Vec<Frame>,
    /// ASCII strings checked as UTF-8 already (see [`Checked`]).
    checked: Checked<'a>,
}

/// How many strings [`Checked`] remembers.
const CHECKED: usize = 32;

/// ASCII string objects already checked as UTF-8, by where their content
/// starts: a binary plist holds each distinct string once (every
/// payload's `PayloadType` key is one object), and checking it again at
/// each reference to it was a tenth of decoding a profile. Direct-mapped:
/// a string whose slot another took is checked again. Held inline (768
/// bytes): a boxed one, allocated per document, made glibc consolidate
/// the small chunks a previous decode had freed, which cost more than
/// the checks it saved in a 4.6 KB reply. A copy of the reader copies it.
#[derive(Clone)]
struct Checked<'a> {
    /// Off for a small document (under 4 KiB): few strings repeat there.
    on: bool,
    slots: [Cell<(usize, &'a str)>; CHECKED],
}

impl<'a> Checked<'a> {
    fn new(on: bool) -> Checked<'a> {
        Checked { on, slots: std::array::from_fn(|_| Cell::new((usize::MAX, ""))) }
    }

    /// The slot of the string whose content starts at `at` (when on).
    fn slot(&self, at: usize) -> Option<&Cell<(usize, &'a str)>> {
        // Fibonacci hashing: offsets of nearby objects spread over the slots.
        let index = at.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (usize::BITS - CHECKED.trailing_zeros());
        // The shift keeps `index` below `CHECKED`; the `%` (a mask) shows
        // the compiler so, and the bounds check goes.
        self.on.then(|| &self.slots[index % CHECKED])
    }
}

/// The big-endian unsigned integer of `size` bytes at `at` (its last
/// eight bytes, for a longer one). Read two or three times a token
/// (references, offsets, lengths): the usual sizes are read whole.
#[inline]
fn be(bytes: &[u8], at: usize, size: usize) -> Result<u64, Declined> {
    let end = at.checked_add(size).ok_or(Declined)?;
    let raw = bytes.get(at..end).ok_or(Declined)?;
    Ok(match *raw {
        [a] => u64::from(a),
        [a, b] => u64::from(u16::from_be_bytes([a, b])),
        [a, b, c, d] => u64::from(u32::from_be_bytes([a, b, c, d])),
        [a, b, c, d, e, f, g, h] => u64::from_be_bytes([a, b, c, d, e, f, g, h]),
        _ => raw.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
    })
}

fn usize_of(v: u64) -> Result<usize, Declined> {
    usize::try_from(v).map_err(|_| Declined)
}

impl<'a> BinaryTokens<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Result<BinaryTokens<'a>, Declined> {
        if bytes.len() < 8 + 32 || !bytes.starts_with(b"bplist00") {
            return Err(Declined);
        }
        let trailer = bytes.len() - 32;
        let offset_size = usize::from(bytes[trailer + 6]);
        let ref_size = usize::from(bytes[trailer + 7]);
        if !matches!(offset_size, 1 | 2 | 3 | 4 | 8) || !matches!(ref_size, 1 | 2 | 3 | 4 | 8) {
            return Err(Declined);
        }
        let objects = usize_of(be(bytes, trailer + 8, 8)?)?;
        let root = be(bytes, trailer + 16, 8)?;
        let offsets = usize_of(be(bytes, trailer + 24, 8)?)?;
        let table_end = objects.checked_mul(offset_size).and_then(|n| n.checked_add(offsets)).ok_or(Declined)?;
        if table_end > trailer {
            return Err(Declined);
        }
        Ok(BinaryTokens {
            bytes,
            trailer,
            offset_size,
            ref_size,
            offsets,
            objects,
            root: Some(root),
            stack: Vec::new(),
            checked: Checked::new(bytes.len() >= 4096),
        })
    }

    /// `len` bytes at `at`, which must end before the trailer.
    fn before_trailer(&self, at: usize, len: usize) -> Result<&'a [u8], Declined> {
        let end = at.checked_add(len).ok_or(Declined)?;
        if end > self.trailer {
            return Err(Declined);
        }
        Ok(&self.bytes[at..end])
    }

    /// The length in an object's marker, or in the integer after it; and
    /// where the object's content starts.
    fn object_len(&self, low: u8, at: usize) -> Result<(usize, usize), Declined> {
        if low != 0x0f {
            return Ok((usize::from(low), at));
        }
        let marker = *self.bytes.get(at).ok_or(Declined)?;
        let size = 1usize << (marker & 0x03);
        Ok((usize_of(be(self.bytes, at + 1, size)?)?, at + 1 + size))
    }

    /// The next token; `Ok(None)` once the root object has been read.
    pub(crate) fn next(&mut self) -> Result<Option<Token<'a>>, Declined> {
        let reference = if let Some(root) = self.root.take() {
            root
        } else {
            let Some(frame) = self.stack.last_mut() else { return Ok(None) };
            if frame.done == frame.len * if frame.dict { 2 } else { 1 } {
                self.stack.pop();
                return Ok(Some(Token::EndCollection));
            }
            // A dictionary's keys come first, then its values.
            let index = if frame.dict {
                let (i, value) = (frame.done / 2, frame.done % 2 == 1);
                if value { frame.len + i } else { i }
            } else {
                frame.done
            };
            frame.done += 1;
            let refs = frame.refs;
            self.reference(refs, index)?
        };
        let (object, offset) = self.locate(reference)?;
        self.object(object, offset).map(Some)
    }

    /// The `index`-th reference of the list at `refs`.
    fn reference(&self, refs: usize, index: usize) -> Result<u64, Declined> {
        be(self.bytes, refs + index * self.ref_size, self.ref_size)
    }

    /// The object a reference names, and where it starts.
    fn locate(&self, reference: u64) -> Result<(usize, usize), Declined> {
        let object = usize_of(reference)?;
        if object >= self.objects {
            return Err(Declined);
        }
        let offset = usize_of(be(self.bytes, self.offsets + object * self.offset_size, self.offset_size)?)?;
        if offset >= self.trailer {
            return Err(Declined);
        }
        Ok((object, offset))
    }

    /// The string a reference names (`None`: another kind of object).
    fn string_at(&self, reference: u64) -> Result<Option<Cow<'a, str>>, Declined> {
        let (_, offset) = self.locate(reference)?;
        let marker = self.bytes[offset];
        match marker >> 4 {
            0x5 | 0x6 => self.string(marker, offset + 1).map(Some),
            _ => Ok(None),
        }
    }

    /// A string object (ASCII or UTF-16) whose marker is at `at - 1`.
    fn string(&self, marker: u8, at: usize) -> Result<Cow<'a, str>, Declined> {
        let (len, at) = self.object_len(marker & 0x0f, at)?;
        if marker >> 4 == 0x5 {
            let slot = self.checked.slot(at);
            if let Some((seen, s)) = slot.map(Cell::get)
                && seen == at
            {
                return Ok(Cow::Borrowed(s));
            }
            let s = std::str::from_utf8(self.before_trailer(at, len)?).map_err(|_| Declined)?;
            if let Some(slot) = slot {
                slot.set((at, s));
            }
            return Ok(Cow::Borrowed(s));
        }
        let raw = self.before_trailer(at, len.checked_mul(2).ok_or(Declined)?)?;
        let units = raw.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]]));
        Ok(Cow::Owned(char::decode_utf16(units).collect::<Result<String, _>>().map_err(|_| Declined)?))
    }

    /// Reads ahead in the dictionary being read, whose key was just read:
    /// its keys from the next one on, and any value, straight from its
    /// reference lists (nothing is consumed).
    pub(crate) fn ahead(&self) -> Result<Ahead<'_, 'a>, Declined> {
        let frame = self.stack.last().filter(|f| f.dict && f.done % 2 == 1).ok_or(Declined)?;
        Ok(Ahead { tokens: self, refs: frame.refs, len: frame.len, current: frame.done / 2 })
    }

    fn object(&mut self, object: usize, offset: usize) -> Result<Token<'a>, Declined> {
        let bytes = self.bytes;
        let marker = bytes[offset];
        let (high, low) = (marker >> 4, marker & 0x0f);
        let at = offset + 1;
        Ok(match (high, low) {
            (0x0, 0x08) => Token::Boolean(false),
            (0x0, 0x09) => Token::Boolean(true),
            (0x1, 0..=2) => Token::Unsigned(be(bytes, at, 1 << low)?),
            (0x1, 3) => int_token(i128::from(be(bytes, at, 8)? as i64)),
            (0x1, 4) => {
                let high = be(bytes, at, 8)?;
                let low = be(bytes, at + 8, 8)?;
                if high != 0 {
                    return Err(Declined);
                }
                Token::Unsigned(low)
            }
            (0x2, 2) => Token::Real(f32::from_bits(be(bytes, at, 4)? as u32).into()),
            (0x2, 3) => Token::Real(f64::from_bits(be(bytes, at, 8)?)),
            (0x3, 3) => Token::Date(date(f64::from_bits(be(bytes, at, 8)?))?),
            (0x4, _) => {
                let (len, at) = self.object_len(low, at)?;
                Token::Data(self.before_trailer(at, len)?.to_vec())
            }
            (0x5, _) | (0x6, _) => Token::String(self.string(marker, at)?),
            (0x8, 0..=7) => Token::Uid(be(bytes, at, usize::from(low) + 1)?),
            (0xa, _) | (0xd, _) => {
                let dict = high == 0xd;
                let (len, refs) = self.object_len(low, at)?;
                // The plist crate wants room for a dictionary's references
                // twice over (it checks its copy of them against the
                // trailer too); the same rule here.
                let count = len.checked_mul(if dict { 4 } else { 1 }).ok_or(Declined)?;
                self.before_trailer(refs, count.checked_mul(self.ref_size).ok_or(Declined)?)?;
                // Deeper than any decode goes (the deserializer declines
                // past `MAX_DEPTH` levels; one more may be peeked), so that
                // the stack and its search stay small.
                if self.stack.len() > crate::record::MAX_DEPTH + 1 || self.stack.iter().any(|f| f.object == object) {
                    return Err(Declined);
                }
                self.stack.push(Frame { object, refs, len, done: 0, dict });
                if dict { Token::StartDictionary(Some(len)) } else { Token::StartArray(Some(len)) }
            }
            // Null, fill, and the markers no encoder writes.
            _ => return Err(Declined),
        })
    }
}

/// The rest of a dictionary, read through its reference lists: the key
/// last read is the `current`-th.
pub(crate) struct Ahead<'t, 'a> {
    tokens: &'t BinaryTokens<'a>,
    refs: usize,
    len: usize,
    current: usize,
}

impl<'a> Ahead<'_, 'a> {
    /// The next key (`None` at the end; a key that is not a string is
    /// declined, as the plist crate refuses it).
    pub(crate) fn key(&mut self) -> Result<Option<Cow<'a, str>>, Declined> {
        if self.current + 1 >= self.len {
            return Ok(None);
        }
        self.current += 1;
        self.tokens.string_at(self.tokens.reference(self.refs, self.current)?)?.map(Some).ok_or(Declined)
    }

    /// The current key's value when it is a string.
    pub(crate) fn string_value(&self) -> Result<Option<Cow<'a, str>>, Declined> {
        self.tokens.string_at(self.tokens.reference(self.refs, self.len + self.current)?)
    }
}

/// A date: seconds since 2001-01-01, as the plist crate converts it. Dates
/// beyond about ±7,900 years of 2001 (where the plist crate checks the
/// range of its date library) are left to the plist crate.
fn date(seconds: f64) -> Result<plist::Date, Declined> {
    const PLIST_EPOCH: Duration = Duration::from_secs(978_307_200);
    const SAFE_RANGE: f64 = 2.5e11;
    if !(-SAFE_RANGE..=SAFE_RANGE).contains(&seconds) {
        return Err(Declined);
    }
    let since = Duration::try_from_secs_f64(seconds.abs()).map_err(|_| Declined)?;
    let epoch = UNIX_EPOCH + PLIST_EPOCH;
    let time: SystemTime =
        if seconds < 0.0 { epoch.checked_sub(since) } else { epoch.checked_add(since) }.ok_or(Declined)?;
    Ok(time.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every size reads as the bytes folded big-endian (the last eight of
    /// a longer run), and a run past the end is declined.
    #[test]
    fn big_endian_integers_of_every_size() {
        let bytes: Vec<u8> = (1..=20u8).map(|b| b.wrapping_mul(53)).collect();
        for at in 0..4 {
            for size in 1..=10 {
                let folded = bytes[at..at + size].iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
                assert_eq!(be(&bytes, at, size).unwrap(), folded, "at {at}, size {size}");
            }
        }
        assert!(be(&bytes, 18, 4).is_err());
        assert!(be(&bytes, usize::MAX, 2).is_err());
    }

    /// Every token, with strings as read (`memory`: with the strings
    /// checked remembered, as a reader of a large document reads).
    fn tokens(bytes: &[u8], memory: bool) -> Vec<String> {
        let mut reader = BinaryTokens::new(bytes).unwrap();
        reader.checked.on = memory;
        let mut out = Vec::new();
        while let Some(token) = reader.next().unwrap() {
            out.push(match token {
                Token::String(s) => format!("string {s}"),
                other => format!("{:?}", std::mem::discriminant(&other)),
            });
        }
        out
    }

    /// A document whose strings repeat (as every payload's keys do), more
    /// distinct ones than the memory has slots, reads the same with the
    /// memory as without it; so does a copy of a reader, which reads on
    /// with the memory it copied.
    #[test]
    fn remembered_strings_read_as_checked_ones() {
        let items: Vec<plist::Value> = (0..400)
            .map(|i| {
                let mut d = plist::Dictionary::new();
                d.insert("PayloadType".into(), format!("com.example.type{}", i % 90).into());
                d.insert(format!("Key{}", i % 150), format!("value {i}").into());
                d.insert("PayloadUUID".into(), format!("uuid-{}", i % 7).into());
                plist::Value::Dictionary(d)
            })
            .collect();
        let mut bytes = Vec::new();
        plist::Value::Array(items).to_writer_binary(&mut bytes).unwrap();
        assert!(bytes.len() >= 4096, "large enough to remember strings");
        assert!(BinaryTokens::new(&bytes).unwrap().checked.on);
        let read = tokens(&bytes, true);
        assert_eq!(read, tokens(&bytes, false));
        assert_eq!(read.iter().filter(|t| t.starts_with("string ")).count(), 400 * 6);

        // A copy reads on with what the reader checked.
        let mut reader = BinaryTokens::new(&bytes).unwrap();
        for _ in 0..10 {
            reader.next().unwrap();
        }
        let mut copy = reader.clone();
        assert!(copy.checked.slots.iter().any(|s| s.get().0 != usize::MAX));
        let mut rest = Vec::new();
        while let Some(token) = copy.next().unwrap() {
            if let Token::String(s) = token {
                rest.push(s.into_owned());
            }
        }
        let expected: Vec<String> =
            read[10..].iter().filter_map(|t| t.strip_prefix("string ").map(str::to_owned)).collect();
        assert_eq!(rest, expected);
    }
}
