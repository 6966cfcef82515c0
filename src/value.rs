//! Value-level building blocks shared by every generated type: the wire
//! kinds, [`Data`], key paths and [`Deviation`]s.

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use smallvec::SmallVec;

/// The kind of a value on the wire, as the schema names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueKind {
    /// `<string>`
    String,
    /// `<integer>`
    Integer,
    /// `<real>`
    Real,
    /// `<boolean>`
    Boolean,
    /// `<date>`
    Date,
    /// `<data>`
    Data,
    /// `<array>`
    Array,
    /// `<dictionary>`
    Dictionary,
    /// A keyed-archive UID (binary plists only; never in the schema).
    Uid,
    /// `<any>`: every kind is accepted.
    Any,
}

impl ValueKind {
    /// The kind of a plist value.
    pub fn of(value: &plist::Value) -> ValueKind {
        match value {
            plist::Value::Array(_) => ValueKind::Array,
            plist::Value::Dictionary(_) => ValueKind::Dictionary,
            plist::Value::Boolean(_) => ValueKind::Boolean,
            plist::Value::Data(_) => ValueKind::Data,
            plist::Value::Date(_) => ValueKind::Date,
            plist::Value::Real(_) => ValueKind::Real,
            plist::Value::Integer(_) => ValueKind::Integer,
            plist::Value::String(_) => ValueKind::String,
            plist::Value::Uid(_) => ValueKind::Uid,
            // plist::Value is non-exhaustive.
            _ => ValueKind::Any,
        }
    }

    /// The schema's name for the kind (`string`, `integer`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ValueKind::String => "string",
            ValueKind::Integer => "integer",
            ValueKind::Real => "real",
            ValueKind::Boolean => "boolean",
            ValueKind::Date => "date",
            ValueKind::Data => "data",
            ValueKind::Array => "array",
            ValueKind::Dictionary => "dictionary",
            ValueKind::Uid => "uid",
            ValueKind::Any => "any",
        }
    }
}

impl fmt::Display for ValueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Bytes that travel as plist `<data>` and as base64 text in JSON.
///
/// `Vec<u8>` cannot be used directly: through serde it becomes an array of
/// integers in plist (rust-plist#59).
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Data(pub Vec<u8>);

impl Data {
    /// Wraps bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Data {
        Data(bytes.into())
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes as standard base64 (what JSON carries).
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.0)
    }

    /// Decodes standard base64, tolerating white space and missing or
    /// surplus `=` padding (as plist `<data>` elements are written in the
    /// wild). Text that is not base64 is `None`.
    pub fn from_base64(text: &str) -> Option<Data> {
        let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let compact = compact.trim_end_matches('=');
        let engine = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
        );
        engine.decode(compact.as_bytes()).ok().map(Data)
    }

    /// The bytes as lower-case hex: how APNs wants a device's push `Token`
    /// (`https://api.push.apple.com/3/device/<hex>`).
    ///
    /// ```
    /// use apple_device_management::Data;
    ///
    /// let token = Data::new([0x0a, 0xff, 0x10]);
    /// assert_eq!(token.to_hex(), "0aff10");
    /// assert_eq!(Data::from_hex("0AFF10"), Some(token));
    /// assert_eq!(Data::from_hex("0af"), None);
    /// ```
    pub fn to_hex(&self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(self.0.len() * 2);
        for b in &self.0 {
            out.push(char::from(DIGITS[usize::from(b >> 4)]));
            out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
        }
        out
    }

    /// Decodes hex (either case; no separators). `None` for an odd length
    /// or a character that is not a hex digit.
    pub fn from_hex(text: &str) -> Option<Data> {
        let digit = |c: u8| char::from(c).to_digit(16).and_then(|d| u8::try_from(d).ok());
        let bytes = text.as_bytes();
        if !bytes.len().is_multiple_of(2) {
            return None;
        }
        bytes
            .chunks_exact(2)
            .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
            .collect::<Option<Vec<u8>>>()
            .map(Data)
    }
}

impl fmt::Debug for Data {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.len() <= 64 {
            write!(f, "Data({})", self.to_base64())
        } else {
            write!(f, "Data({} bytes)", self.0.len())
        }
    }
}

impl From<Vec<u8>> for Data {
    fn from(v: Vec<u8>) -> Data {
        Data(v)
    }
}

impl From<&[u8]> for Data {
    fn from(v: &[u8]) -> Data {
        Data(v.to_vec())
    }
}

impl AsRef<[u8]> for Data {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// One step of a [`KeyPath`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathSegment {
    /// A dictionary key: borrowed when it is a name the schema knows (no
    /// allocation per issue), owned when it came from the document (an
    /// unknown key, an app's bundle identifier).
    Key(Cow<'static, str>),
    /// An array index.
    Index(usize),
}

impl PathSegment {
    /// A dictionary key, copied.
    pub fn key(key: &str) -> PathSegment {
        PathSegment::Key(Cow::Owned(key.to_owned()))
    }

    /// The key, or `None` for an index.
    pub fn as_key(&self) -> Option<&str> {
        match self {
            PathSegment::Key(k) => Some(k),
            PathSegment::Index(_) => None,
        }
    }
}

/// How many segments a [`KeyPath`] holds without allocating: a command's
/// validation issues (`Queries[5]`, `Attributes.VPNUUID`) are rarely
/// deeper; more would make every [`Error`](crate::Error) larger.
const INLINE_SEGMENTS: usize = 2;

/// Where a value sits in a message: `Command.Attributes.VPNUUID`,
/// `ManagedApplicationList["com.example.app"].Status`, `Settings[2].Item`.
///
/// Build one with [`KeyPath::parse`], [`KeyPath::join_key`] or from its
/// segments (`KeyPath::from(vec![..])`, `collect()`); read it with
/// [`KeyPath::segments`] or its `Display` form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct KeyPath(pub(crate) SmallVec<[PathSegment; INLINE_SEGMENTS]>);

impl KeyPath {
    /// The empty path (the root of the message).
    pub const fn root() -> KeyPath {
        KeyPath(SmallVec::new_const())
    }

    /// The path's segments.
    pub fn segments(&self) -> &[PathSegment] {
        &self.0
    }

    /// A copy of the path with one more key.
    pub fn join_key(&self, key: &str) -> KeyPath {
        let mut p = self.clone();
        p.push_key(key);
        p
    }

    /// The first `len` segments of `segments` (`len` at most
    /// [`INLINE_SEGMENTS`]), held inline. The others are forgotten, not
    /// dropped: pass ones that own nothing (an index).
    #[cfg_attr(not(feature = "commands"), allow(dead_code))]
    pub(crate) fn inline(segments: [PathSegment; INLINE_SEGMENTS], len: usize) -> KeyPath {
        KeyPath(SmallVec::from_buf_and_len(segments, len.min(INLINE_SEGMENTS)))
    }

    pub(crate) fn push_key(&mut self, key: &str) {
        self.0.push(PathSegment::key(key));
    }

    pub(crate) fn push_index(&mut self, index: usize) {
        self.0.push(PathSegment::Index(index));
    }

    pub(crate) fn pop(&mut self) {
        self.0.pop();
    }

    /// Parses the textual form written by `Display` (`(root)` is the
    /// empty path).
    pub fn parse(text: &str) -> KeyPath {
        let mut out = SmallVec::new();
        if text == "(root)" {
            return KeyPath(out);
        }
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('.') {
                rest = r;
                continue;
            }
            if let Some(r) = rest.strip_prefix("[\"") {
                let end = r.find("\"]").unwrap_or(r.len());
                out.push(PathSegment::key(&r[..end]));
                rest = r.get(end + 2..).unwrap_or("");
            } else if let Some(r) = rest.strip_prefix('[') {
                let end = r.find(']').unwrap_or(r.len());
                match r[..end].parse() {
                    Ok(i) => out.push(PathSegment::Index(i)),
                    Err(_) => out.push(PathSegment::key(&r[..end])),
                }
                rest = r.get(end + 1..).unwrap_or("");
            } else {
                let end = rest.find(['.', '[']).unwrap_or(rest.len());
                out.push(PathSegment::key(&rest[..end]));
                rest = &rest[end..];
            }
        }
        KeyPath(out)
    }
}

fn is_plain_key(key: &str) -> bool {
    !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl From<Vec<PathSegment>> for KeyPath {
    fn from(segments: Vec<PathSegment>) -> KeyPath {
        KeyPath(SmallVec::from_vec(segments))
    }
}

impl FromIterator<PathSegment> for KeyPath {
    fn from_iter<I: IntoIterator<Item = PathSegment>>(segments: I) -> KeyPath {
        KeyPath(segments.into_iter().collect())
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(root)");
        }
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                PathSegment::Key(k) if is_plain_key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                PathSegment::Key(k) => write!(f, "[{k:?}]")?,
                PathSegment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// Where a decoded message departs from the schema, found by lenient
/// decoding (which keeps the message) and refused by strict decoding
/// (which reports the first one as an error). See [`DeviationKind`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Deviation {
    /// Where: the value's key path (for a missing key, the path it would
    /// have).
    pub path: KeyPath,
    /// What.
    pub kind: DeviationKind,
}

/// What kind of departure from the schema a [`Deviation`] is.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum DeviationKind {
    /// A value whose kind contradicts the schema, kept raw in the enclosing
    /// struct's `extra` and written back unchanged.
    WrongKind {
        /// What the schema says the kind is.
        expected: ValueKind,
        /// What was found.
        found: ValueKind,
    },
    /// An integer beyond what the schema's integers hold here (signed 64-bit),
    /// kept raw.
    OutOfRange {
        /// The integer as received.
        value: String,
    },
    /// A key the schema marks required is absent. It is not written back.
    Missing {
        /// The kind the schema gives the key.
        expected: ValueKind,
    },
    /// A value whose tag is known (a payload's `PayloadType`, a
    /// declaration's `Type`) that could not be decoded as that type, kept
    /// whole and untyped.
    Untyped {
        /// The tag.
        tag: String,
        /// Why it could not be typed.
        reason: String,
    },
    /// A key whose value is not the one the schema fixes there (a
    /// profile's top-level `PayloadType` is `Configuration`).
    UnexpectedValue {
        /// The value the schema fixes.
        expected: String,
        /// The value found.
        found: String,
    },
}

impl Deviation {
    /// A value of the wrong kind.
    pub fn wrong_kind(path: KeyPath, expected: ValueKind, found: &plist::Value) -> Deviation {
        let kind = match (expected, found) {
            (ValueKind::Integer, plist::Value::Integer(i)) => DeviationKind::OutOfRange { value: i.to_string() },
            _ => DeviationKind::WrongKind { expected, found: ValueKind::of(found) },
        };
        Deviation { path, kind }
    }

    /// A required key that is absent.
    pub fn missing(path: KeyPath, expected: ValueKind) -> Deviation {
        Deviation { path, kind: DeviationKind::Missing { expected } }
    }

    /// A value whose tag is known that could not be typed.
    pub fn untyped(path: KeyPath, tag: &str, reason: String) -> Deviation {
        Deviation { path, kind: DeviationKind::Untyped { tag: tag.to_owned(), reason } }
    }

    /// True for a required key that is absent.
    pub fn is_missing(&self) -> bool {
        matches!(self.kind, DeviationKind::Missing { .. })
    }
}

fn with_article(kind: ValueKind) -> String {
    match kind {
        ValueKind::Integer | ValueKind::Array => format!("an {kind}"),
        ValueKind::Data => "data".to_owned(),
        ValueKind::Any => "any value".to_owned(),
        _ => format!("a {kind}"),
    }
}

impl fmt::Display for Deviation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = &self.path;
        match &self.kind {
            DeviationKind::WrongKind { expected, found } => write!(f, "{path}: expected {expected}, found {found}"),
            DeviationKind::OutOfRange { value } => {
                write!(f, "{path}: the integer {value} is out of range (the schema's integers are signed 64-bit)")
            }
            DeviationKind::Missing { expected } => {
                write!(f, "{path}: required key is missing (the schema expects {})", with_article(*expected))
            }
            DeviationKind::Untyped { tag, reason } => write!(f, "{path}: kept untyped ({tag}): {reason}"),
            DeviationKind::UnexpectedValue { expected, found } => {
                write!(f, "{path}: expected `{expected}`, found `{found}`")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_paths_print_and_parse() {
        let mut p = KeyPath::root();
        p.push_key("ManagedApplicationList");
        p.push_key("com.example.app");
        p.push_key("Status");
        p.push_index(3);
        let text = p.to_string();
        assert_eq!(text, "ManagedApplicationList[\"com.example.app\"].Status[3]");
        assert_eq!(KeyPath::parse(&text), p);
        assert_eq!(KeyPath::root().to_string(), "(root)");
        assert_eq!(KeyPath::parse("(root)"), KeyPath::root());
    }

    #[test]
    fn base64_tolerates_whitespace_and_padding() {
        assert_eq!(Data::from_base64("Zm9v\n YmFy").unwrap().0, b"foobar");
        assert_eq!(Data::from_base64("Zm9vYg").unwrap().0, b"foob");
        assert_eq!(Data::from_base64("Zm9vYg==").unwrap().0, b"foob");
        assert_eq!(Data::from_base64("AAAA=").unwrap().0, [0, 0, 0]);
        assert!(Data::from_base64("*").is_none());
        assert!(Data::from_base64("Base64=").is_none(), "not base64: trailing bits");
    }
}
