//! Reading and writing plist (XML and binary) and JSON.
//!
//! Decoding comes in two modes:
//! - **strict** ([`from_plist_strict`], [`from_json_strict`]): a value whose
//!   kind contradicts the schema is an error naming its key path;
//! - **lenient** ([`from_plist_lenient`], [`from_json_lenient`]): such a
//!   value is kept raw in the enclosing struct's `extra` dictionary, the
//!   typed field stays empty, the value is written back unchanged, and
//!   [`deviations`] lists it.
//!
//! [`from_plist`] and [`from_json`] use the type's default: lenient for
//! what devices send (command responses, check-ins, profiles, status
//! reports), strict for what servers build (commands, declarations).
//!
//! In both modes unknown keys and unknown enum values are kept, never an
//! error. Syntax errors (a truncated file, a non-dictionary root, a missing
//! required key) are errors in both, with the key path where they happened.
//!
//! Duplicate keys in one dictionary: the last one wins (as in Apple's
//! `NSDictionary` parsing).

use std::cell::RefCell;

use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::plist_read::xml::{Doctype, doctype, starts_doctype};
use crate::record::FieldValue;
use crate::value::{Deviation, KeyPath, PathSegment};

/// Lists the values in `value` whose kind contradicts the schema (kept raw
/// by lenient decoding).
pub fn deviations<T: FieldValue>(value: &T) -> Vec<Deviation> {
    let mut out = Vec::new();
    value.collect_deviations(&mut KeyPath::root(), &mut out);
    out
}

/// How to treat values whose kind contradicts the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DecodeMode {
    /// Such a value is an error naming its key path.
    #[default]
    Strict,
    /// Such a value is kept raw and listed by [`deviations`].
    Lenient,
}

/// Decodes an XML or binary plist in the given mode.
pub fn from_plist_with<T: FieldValue + DeserializeOwned>(bytes: &[u8], mode: DecodeMode) -> Result<T, Error> {
    T::decode_document(bytes, mode, false)
}

/// Decodes JSON in the given mode.
pub fn from_json_with<T: FieldValue + DeserializeOwned>(bytes: &[u8], mode: DecodeMode) -> Result<T, Error> {
    T::decode_document(bytes, mode, true)
}

/// What every `from_plist*`/`from_json*` function does, through
/// [`FieldValue::decode_document`]: the messages' own types call it from a
/// function compiled in this crate (`__document!`), other types from the
/// caller's crate.
#[doc(hidden)]
pub fn document<T: FieldValue + DeserializeOwned>(bytes: &[u8], mode: DecodeMode, json: bool) -> Result<T, Error> {
    let decoded = if json { from_json_serde::<Root<T>>(bytes) } else { from_plist_serde::<Root<T>>(bytes) }?.0;
    in_mode(decoded, mode)
}

/// Decodes JSON (`json`) or a plist in the given mode.
#[cfg(feature = "commands")]
pub(crate) fn decode_as<T: FieldValue + DeserializeOwned>(
    bytes: &[u8],
    mode: DecodeMode,
    json: bool,
) -> Result<T, Error> {
    if json { from_json_with(bytes, mode) } else { from_plist_with(bytes, mode) }
}

/// Decodes an XML or binary plist (detected from the bytes) in the type's
/// default mode: lenient for what devices send (command responses,
/// check-ins, profiles, status reports), strict otherwise.
pub fn from_plist<T: FieldValue + DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    from_plist_with(bytes, T::DEFAULT_MODE)
}

/// Decodes an XML or binary plist strictly: a value of the wrong kind is
/// an error naming its key path.
pub fn from_plist_strict<T: FieldValue + DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    T::decode_document(bytes, DecodeMode::Strict, false)
}

/// Decodes an XML or binary plist, keeping wrong-kind values raw.
pub fn from_plist_lenient<T: FieldValue + DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    T::decode_document(bytes, DecodeMode::Lenient, false)
}

/// Decodes an XML or binary plist into any serde type: your own structs, or
/// `plist::Value`. What this crate's decoders do for every document is
/// done here too (entities and DTD subsets refused, `<data>` with odd
/// padding accepted, a wrong format named, errors with the key path); what
/// needs the generated tables is not (lenient decoding and
/// [`deviations`]: a value of the wrong kind is an error, as serde does).
///
/// The bytes are read by this crate's own token-level decoder (XML
/// scanned in place, a binary plist through its offset table: 2.4-4.7
/// times faster than through the plist crate's reader, BENCHMARKS.md). What
/// it does not read (ASCII plists, CDATA sections and comments inside a
/// value, undeclared entities, other encodings than UTF-8) and every
/// malformed document go to the plist crate, which decodes them as before
/// and gives the error message.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Checkin {
///     #[serde(rename = "MessageType")]
///     message_type: String,
///     #[serde(rename = "UDID")]
///     udid: Option<String>,
/// }
///
/// let body = br#"<?xml version="1.0" encoding="UTF-8"?>
/// <plist version="1.0"><dict><key>MessageType</key><string>CheckOut</string>
/// <key>UDID</key><string>0000FE00</string></dict></plist>"#;
/// let c: Checkin = apple_device_management::from_plist_serde(body)?;
/// assert_eq!(c.message_type, "CheckOut");
/// # Ok::<(), apple_device_management::Error>(())
/// ```
pub fn from_plist_serde<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    refuse_entities(bytes)?;
    let (path, message) = match decode_plist::<T>(bytes) {
        Ok(v) => return Ok(v),
        Err(e) => e,
    };
    if let Some(message) = wrong_format(bytes, false) {
        return Err(Error::Plist { path: KeyPath::root(), message });
    }
    // `<data>` with missing or surplus base64 padding: accepted, repadded.
    if let Some(fixed) = normalize_xml(bytes)
        && let Ok(v) = decode_plist::<T>(&fixed)
    {
        return Ok(v);
    }
    Err(nested_error(path, &message, |path, message| Error::Plist { path, message }))
}

/// One attempt at a plist: the token-level decoder takes the plists
/// devices and admins write; the rest, and every error, is the plist
/// crate's, with the key path tracked (only a document the token-level
/// decoder declined gets there). On failure, the path and the message.
fn decode_plist<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, (KeyPath, String)> {
    let decoder = PLIST_DECODER.with(std::cell::Cell::get);
    if decoder != PlistDecoder::ReferenceOnly {
        if let Some(v) = crate::plist_read::from_bytes::<T>(bytes) {
            return Ok(v);
        }
        if decoder == PlistDecoder::TokensOnly {
            return Err((KeyPath::root(), "the token-level decoder declined this document".into()));
        }
    }
    plist_tracked::<T>(bytes)
}

/// Which decoder [`from_plist_serde`] (and so every plist decoding
/// function) uses on this thread: both in turn (the default), or one
/// alone, for tests that compare them.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlistDecoder {
    /// The token-level decoder, then the plist crate for what it declines.
    Default,
    /// The token-level decoder alone: a document it declines is an error.
    TokensOnly,
    /// The plist crate alone (the reference), for documents and for values
    /// decoded from a `plist::Value` (shared payload types, raw replies).
    ReferenceOnly,
}

thread_local! {
    static PLIST_DECODER: std::cell::Cell<PlistDecoder> = const { std::cell::Cell::new(PlistDecoder::Default) };
}

/// Runs `f` with plist documents decoded by `decoder` on this thread.
#[doc(hidden)]
pub fn with_plist_decoder<R>(decoder: PlistDecoder, f: impl FnOnce() -> R) -> R {
    struct Restore(PlistDecoder);
    impl Drop for Restore {
        fn drop(&mut self) {
            PLIST_DECODER.with(|d| d.set(self.0));
        }
    }
    let _restore = Restore(PLIST_DECODER.with(|d| d.replace(decoder)));
    f()
}

/// Decodes JSON in the type's default mode (see [`from_plist`]). `<data>`
/// is base64 text, `<date>` RFC 3339 text.
pub fn from_json<T: FieldValue + DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    from_json_with(bytes, T::DEFAULT_MODE)
}

/// Decodes JSON strictly.
pub fn from_json_strict<T: FieldValue + DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    T::decode_document(bytes, DecodeMode::Strict, true)
}

/// Decodes JSON, keeping wrong-kind values raw.
pub fn from_json_lenient<T: FieldValue + DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    T::decode_document(bytes, DecodeMode::Lenient, true)
}

/// Decodes JSON into any serde type (see [`from_plist_serde`]): errors
/// name the key path and a plist given as JSON is named as such.
pub fn from_json_serde<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    // Tracking the key path made every decode about 45% slower (BENCHMARKS.md):
    // it is done only to explain a failure.
    //
    // Text checked as UTF-8 once, whole, is read by serde_json without
    // checking each string again (`from_slice` checks every string it
    // reads, a sixth of the decode of a status report). Bytes that are not
    // UTF-8 go to `from_slice`, whose error says where.
    let decoded = match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str::<T>(text),
        Err(_) => serde_json::from_slice::<T>(bytes),
    };
    if let Ok(v) = decoded {
        return Ok(v);
    }
    if let Some(message) = wrong_format(bytes, true) {
        return Err(Error::Json { path: KeyPath::root(), message });
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut track = serde_path_to_error::Track::new();
    let result = T::deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track)).and_then(|v| {
        de.end()?;
        Ok(v)
    });
    result.map_err(|e| {
        nested_error(to_key_path(&track.path()), &e.to_string(), |path, message| Error::Json { path, message })
    })
}

/// Rewrites the `<data>` elements of an XML plist whose base64 has missing
/// or extra padding (seen in real files; the plist crate refuses them) into
/// canonical base64. `None` when there is nothing to fix (binary plists,
/// well-formed data, or data that is not base64 at all, which stays an
/// error).
///
/// The decoders call this themselves when a plist does not parse; the
/// decoded value is what the data means, and encoding writes it back with
/// correct padding.
pub fn normalize_xml(bytes: &[u8]) -> Option<Vec<u8>> {
    const OPEN: &[u8] = b"<data>";
    const CLOSE: &[u8] = b"</data>";
    if bytes.starts_with(b"bplist") {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    let mut changed = false;
    while let Some(start) = find(rest, OPEN) {
        let body_start = start + OPEN.len();
        let Some(len) = find(&rest[body_start..], CLOSE) else { break };
        let body = &rest[body_start..body_start + len];
        out.extend_from_slice(&rest[..body_start]);
        let compact: Vec<u8> = body.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
        let fixed = std::str::from_utf8(&compact).ok().and_then(crate::Data::from_base64).map(|d| d.to_base64());
        match fixed {
            Some(f) if f.as_bytes() != compact.as_slice() => {
                out.extend_from_slice(f.as_bytes());
                changed = true;
            }
            _ => out.extend_from_slice(body),
        }
        rest = &rest[body_start + len..];
    }
    out.extend_from_slice(rest);
    changed.then_some(out)
}

/// Why bytes that failed to decode are in another format than the one
/// asked for (checked only after a failure): an empty body, JSON handed to
/// a plist decoder, a plist handed to the JSON decoder.
fn wrong_format(bytes: &[u8], json_wanted: bool) -> Option<String> {
    let text = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes).trim_ascii();
    if text.is_empty() {
        return Some("empty body: there is nothing to decode".into());
    }
    if json_wanted {
        if text.starts_with(b"bplist") {
            return Some("this is a binary plist, not JSON; decode it with from_plist".into());
        }
        if text.starts_with(b"<") {
            return Some("this is an XML plist, not JSON; decode it with from_plist".into());
        }
    } else if (text.starts_with(b"{") || text.starts_with(b"["))
        && serde_json::from_slice::<serde::de::IgnoredAny>(text).is_ok()
    {
        return Some("this is JSON, not a plist; decode it with from_json".into());
    }
    None
}

/// XML plists never need a DTD internal subset or entity declarations. The
/// plist crate does not expand entities (entity-expansion "billion laughs"
/// and external entities are harmless), but it silently drops their
/// references; refuse such input, wherever in the document the declaration
/// stands, with a clear error instead.
///
/// The scan reads markup the way XML does: comments, CDATA sections and
/// processing instructions are skipped (their text is not markup), and a
/// `<` cannot otherwise appear in text or attribute values, so every `<!`
/// outside them is a declaration. Only an XML document is checked: a
/// binary plist, or an OpenStep text plist (`{...}`), may hold the text
/// `<!ENTITY` in a string (the fuzzer found a binary plist refused that way).
fn refuse_entities(bytes: &[u8]) -> Result<(), Error> {
    let text = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    if !text.trim_ascii_start().starts_with(b"<") {
        return Ok(());
    }
    let refuse = |what: &str| {
        Err(Error::Plist {
            path: KeyPath::root(),
            message: format!("the document {what}, which plists never use; refused (no entity is ever expanded)"),
        })
    };
    // Only `<!` and `<?` start anything of interest; the rest of the
    // markup is passed over at memchr speed.
    // Each search is redone only once the scan has passed its last hit, so
    // the document is read about once.
    let mut rest = text;
    let (mut bang, mut pi) = (memchr::memmem::find(rest, b"<!"), memchr::memmem::find(rest, b"<?"));
    while let Some(at) = bang.into_iter().chain(pi).min() {
        rest = &rest[at..];
        let advance = |hit: Option<usize>| hit.and_then(|h| h.checked_sub(at));
        (bang, pi) = (advance(bang), advance(pi));
        let skip_to = |end: &[u8], from: usize| find(&rest[from..], end).map(|i| from + i + end.len());
        let next = if rest.starts_with(b"<!--") {
            skip_to(b"-->", 4)
        } else if rest.starts_with(b"<![CDATA[") {
            skip_to(b"]]>", 9)
        } else if rest.starts_with(b"<?") {
            skip_to(b"?>", 2)
        } else if starts_doctype(rest) {
            // Read as the plist crate reads it: a `[` outside the quoted
            // identifiers opens an internal subset.
            match doctype(rest) {
                Doctype::Ends(end) => Some(end),
                Doctype::Subset(open) => {
                    let subset_end = find(&rest[open..], b"]>").map_or(rest.len(), |end| open + end);
                    if find(&rest[..subset_end], b"<!ENTITY").is_some() {
                        return refuse("declares XML entities (<!ENTITY ...>) in its DOCTYPE");
                    }
                    return refuse("has a DOCTYPE with an internal subset (<!DOCTYPE plist [...]>)");
                }
                // The parser reports it.
                Doctype::Unclosed => None,
            }
        } else if rest.starts_with(b"<!ENTITY") {
            return refuse("declares XML entities (<!ENTITY ...>)");
        } else {
            return refuse("holds a DTD declaration (<!...>) outside a DOCTYPE");
        };
        match next {
            Some(n) => {
                let n = n.min(rest.len());
                rest = &rest[n..];
                // None stays None: there is no further hit in the document.
                let refresh = |hit: Option<usize>, needle: &[u8]| match hit {
                    Some(h) if h >= n => Some(h - n),
                    Some(_) => memchr::memmem::find(rest, needle),
                    None => None,
                };
                (bang, pi) = (refresh(bang, b"<!"), refresh(pi, b"<?"));
            }
            // An unterminated comment, CDATA or processing instruction: the
            // parser reports it.
            None => break,
        }
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Encodes as an XML plist (Apple's layout: tab indentation).
///
/// The bytes are those of the plist crate's `to_writer_xml`, written
/// without its event writer.
pub fn to_plist_xml<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    crate::plist_write::to_xml(value).map_err(|e| Error::Encode { message: e.0 })
}

/// Encodes as a binary plist.
///
/// Every string, number, date and data is written once and referenced
/// wherever it repeats, as in the plist crate's and Apple's writers.
pub fn to_plist_binary<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, Error> {
    crate::plist_write::to_binary(value).map_err(|e| Error::Encode { message: e.0 })
}

/// Encodes as a `plist::Value` (for comparison or further editing).
pub fn to_plist_value<T: serde::Serialize>(value: &T) -> Result<plist::Value, Error> {
    plist::to_value(value).map_err(|e| Error::Encode { message: e.to_string() })
}

/// Encodes as compact JSON: `<data>` as base64 text, `<date>` as RFC 3339.
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    let v = to_json_value(value)?;
    serde_json::to_string(&v).map_err(|e| Error::Encode { message: e.to_string() })
}

/// Encodes as a `serde_json::Value` (see [`to_json`]).
pub fn to_json_value<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, Error> {
    plist_to_json(&to_plist_value(value)?)
}

/// Converts a plist value to JSON: `<data>` as base64 text, `<date>` as
/// RFC 3339 text, UIDs as integers. A NaN or infinite real has no JSON form
/// and is an error.
pub fn plist_to_json(value: &plist::Value) -> Result<serde_json::Value, Error> {
    use serde_json::Value as J;
    Ok(match value {
        plist::Value::Array(a) => J::Array(a.iter().map(plist_to_json).collect::<Result<_, _>>()?),
        plist::Value::Dictionary(d) => {
            J::Object(d.iter().map(|(k, v)| Ok((k.clone(), plist_to_json(v)?))).collect::<Result<_, Error>>()?)
        }
        plist::Value::Boolean(b) => J::Bool(*b),
        plist::Value::Data(d) => J::String(crate::Data(d.clone()).to_base64()),
        plist::Value::Date(d) => J::String(d.to_xml_format()),
        plist::Value::Real(r) => serde_json::Number::from_f64(*r)
            .map(J::Number)
            .ok_or_else(|| Error::Encode { message: format!("the real {r} has no JSON form") })?,
        plist::Value::Integer(i) => match (i.as_signed(), i.as_unsigned()) {
            (Some(s), _) => J::from(s),
            (None, Some(u)) => J::from(u),
            (None, None) => return Err(Error::Encode { message: "an integer out of range".into() }),
        },
        plist::Value::String(s) => J::String(s.clone()),
        plist::Value::Uid(u) => J::from(u.get()),
        _ => return Err(Error::Encode { message: "a plist value of an unknown kind".into() }),
    })
}

/// A decoded value as the mode wants it: in strict mode, its first
/// deviation is the error.
fn in_mode<T: FieldValue>(value: T, mode: DecodeMode) -> Result<T, Error> {
    match mode {
        DecodeMode::Lenient => Ok(value),
        DecodeMode::Strict => match deviations(&value).into_iter().next() {
            None => Ok(value),
            Some(d) => Err(Error::Deviation(d)),
        },
    }
}

/// Decodes an already-parsed plist value in the given mode (the body of a
/// [`crate::RawResponse`]).
pub(crate) fn from_value_with<T: FieldValue + DeserializeOwned>(
    value: &plist::Value,
    mode: DecodeMode,
) -> Result<T, Error> {
    let decoded = match from_value_nested::<Root<T>>(value) {
        Ok(v) => v.0,
        Err(e) => return Err(nested_error(KeyPath::root(), &e, |path, message| Error::Plist { path, message })),
    };
    in_mode(decoded, mode)
}

fn to_key_path(path: &serde_path_to_error::Path) -> KeyPath {
    path.iter()
        .filter_map(|seg| match seg {
            serde_path_to_error::Segment::Seq { index } => Some(PathSegment::Index(*index)),
            serde_path_to_error::Segment::Map { key } => Some(PathSegment::key(key)),
            serde_path_to_error::Segment::Enum { variant } => Some(PathSegment::key(variant)),
            _ => None,
        })
        .collect()
}

/// Decodes the root through [`FieldValue`] (with the nesting limit), even
/// for types whose own `Deserialize` is not this crate's (`plist::Value`).
struct Root<T>(T);

impl<'de, T: FieldValue> serde::Deserialize<'de> for Root<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::record::strict(d).map(Root)
    }
}

thread_local! {
    static LAST_PATH: RefCell<KeyPath> = const { RefCell::new(KeyPath::root()) };
}

/// Wraps `T` so that the deserializer plist hands us is tracked; plist's
/// own `Deserializer` type is not public API.
struct Tracked<T>(T);

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Tracked<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut track = serde_path_to_error::Track::new();
        match T::deserialize(serde_path_to_error::Deserializer::new(d, &mut track)) {
            Ok(v) => Ok(Tracked(v)),
            Err(e) => {
                let path = to_key_path(&track.path());
                LAST_PATH.with(|p| *p.borrow_mut() = path);
                Err(e)
            }
        }
    }
}

/// Decodes with the plist crate, tracking the key path (one instantiation
/// serves both the documents the token-level decoder declines and the key
/// path of an error); on failure, the path and the plist crate's message.
fn plist_tracked<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, (KeyPath, String)> {
    LAST_PATH.with(|p| p.borrow_mut().0.clear());
    match plist::from_bytes::<Tracked<T>>(bytes) {
        Ok(Tracked(v)) => Ok(v),
        Err(e) => Err((LAST_PATH.with(|p| std::mem::take(&mut *p.borrow_mut())), e.to_string())),
    }
}

/// Marks the key path of an error raised while decoding a buffered
/// dictionary (unions, any-command), so the final error can name the whole
/// path: `␞inner.path␞message` (U+241E is printable, so the plist crate's
/// Debug formatting of messages leaves it alone).
const NEST: char = '\u{241E}';

/// Decodes `T` from a plist value; on failure, the message carries the key
/// path inside the value (see [`NEST`]).
pub(crate) fn from_value_nested<T: DeserializeOwned>(value: &plist::Value) -> Result<T, String> {
    // The value is lent to the type, read in place; the plist crate (which
    // turns the value into events and owned strings first) gives the error.
    if PLIST_DECODER.with(std::cell::Cell::get) != PlistDecoder::ReferenceOnly
        && let Ok(v) =
            T::deserialize(crate::buffered::Given::<plist::Error>::new(std::borrow::Cow::Borrowed(value), false))
    {
        return Ok(v);
    }
    match plist::from_value::<T>(value) {
        Ok(v) => Ok(v),
        Err(e) => {
            LAST_PATH.with(|p| p.borrow_mut().0.clear());
            let _ = plist::from_value::<Tracked<T>>(value);
            let inner = LAST_PATH.with(|p| std::mem::take(&mut *p.borrow_mut()));
            Err(format!("{NEST}{inner}{NEST}{}", clean_message(&e.to_string())))
        }
    }
}

/// The text of a nested error: `at <path>: <message>`, or the message alone
/// at the root.
pub(crate) fn nested_message(raw: &str) -> String {
    match nested_error(KeyPath::root(), raw, |path, message| Error::Plist { path, message }) {
        Error::Plist { path, message } if path.0.is_empty() => message,
        Error::Plist { path, message } => format!("at {path}: {message}"),
        other => other.to_string(),
    }
}

fn nested_error(mut path: KeyPath, raw: &str, make: impl FnOnce(KeyPath, String) -> Error) -> Error {
    let mut message = clean_message(raw);
    while let Some(rest) = message.strip_prefix(NEST) {
        let Some((inner, msg)) = rest.split_once(NEST) else { break };
        if inner != KeyPath::root().to_string() {
            path.0.extend(KeyPath::parse(inner).0);
        }
        message = clean_message(msg);
    }
    make(path, message)
}

/// Turns the plist crate's debug-style messages (`Serde("...")`,
/// `UnexpectedEof (offset 39)`, `Io(Error { .. message: ".." })`) into
/// plain sentences.
fn clean_message(raw: &str) -> String {
    let mut msg = raw.trim().to_owned();
    loop {
        if let Some(inner) = msg.strip_prefix("Serde(\"").and_then(|m| m.strip_suffix("\")")) {
            msg = inner.replace("\\\"", "\"").replace("\\\\", "\\");
            continue;
        }
        if msg.starts_with("Io(")
            && let Some(start) = msg.find("message: \"")
        {
            let rest = &msg[start + 10..];
            let end = rest.find('"').unwrap_or(rest.len());
            msg = rest[..end].to_owned();
            continue;
        }
        break;
    }
    // `UnexpectedEof (offset 39)` -> `unexpected eof (offset 39)`
    let (head, tail) = match msg.find(" (offset") {
        Some(i) => (&msg[..i], &msg[i..]),
        None => (msg.as_str(), ""),
    };
    if !head.is_empty() && head.chars().all(|c| c.is_ascii_alphanumeric()) && head.starts_with(char::is_uppercase) {
        let mut words = String::new();
        for (i, c) in head.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                words.push(' ');
            }
            words.push(c.to_ascii_lowercase());
        }
        return format!("{}{tail}", words.replace("eof", "end of input").replace("xml", "XML"));
    }
    msg
}
