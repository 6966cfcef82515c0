//! The XML plist writer: the bytes of the plist crate's `XmlWriter` with its
//! default options, written straight into a `String`.
//!
//! The layout is quick-xml's indenting writer as the plist crate drives it:
//! the prologue, then the root value at column 0; every element on its own
//! line, indented one tab per open `<dict>` or `<array>`; a text element
//! (`<key>`, `<string>`, `<integer>`, ...) on one line; an empty collection
//! as `<array/>` or `<dict/>`; `<data>` with its base64 in lines of 68
//! characters, each indented like the element; then `\n</plist>`.

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::{Int, Kind, Sink, WriteError, key_must_be_a_string};

const PROLOGUE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n";

/// Base64 line length in bytes of data (68 characters).
const DATA_LINE_BYTES: usize = 51;

#[derive(Default)]
pub(crate) struct XmlSink {
    out: String,
    /// For each open collection, whether it is a dictionary.
    open: Vec<bool>,
    /// The next string in the innermost dictionary is a key.
    expecting_key: bool,
    /// An array or dictionary started and not written yet: written as
    /// `<array/>`/`<dict/>` if it ends at once, else as its start tag.
    pending: Option<bool>,
    /// quick-xml's `should_line_break`: the next tag starts a new line.
    line_break: bool,
}

impl XmlSink {
    pub(crate) fn finish(self) -> Result<String, WriteError> {
        if !self.open.is_empty() || self.pending.is_some() {
            return Err(WriteError("the value ends inside an array or dictionary".into()));
        }
        Ok(self.out)
    }

    /// A tag, on a new line where quick-xml would start one, indented a
    /// tab per open collection (quick-xml's indentation level).
    #[inline]
    fn tag(&mut self, tag: &str) {
        if self.line_break {
            self.out.push('\n');
            self.indent(self.open.len());
        }
        self.out.push_str(tag);
        self.line_break = true;
    }

    fn indent(&mut self, tabs: usize) {
        self.out.extend(std::iter::repeat_n('\t', tabs));
    }

    /// Writes the start tag of a collection started just before this
    /// event, and the prologue before the first event.
    #[inline]
    fn before_event(&mut self) {
        if let Some(dictionary) = self.pending.take() {
            self.tag(if dictionary { "<dict>" } else { "<array>" });
            self.open.push(dictionary);
            self.expecting_key = dictionary;
        } else if self.out.is_empty() {
            self.out.push_str(PROLOGUE);
        }
    }

    /// After a whole value: closes the document at the root.
    #[inline]
    fn after_value(&mut self) {
        match self.open.last() {
            Some(&dictionary) => self.expecting_key = dictionary,
            None => self.out.push_str("\n</plist>"),
        }
    }

    /// A value other than a string or a collection.
    #[inline]
    fn value(&mut self, kind: Kind, write: impl FnOnce(&mut Self)) -> Result<(), WriteError> {
        self.before_event();
        if self.expecting_key {
            return Err(key_must_be_a_string(kind));
        }
        write(self);
        self.after_value();
        Ok(())
    }

    /// `<name>text</name>`, `text` already escaped.
    #[inline]
    fn text_element(&mut self, open: &str, text: impl FnOnce(&mut String), close: &str) {
        self.tag(open);
        text(&mut self.out);
        self.out.push_str(close);
    }

    fn start(&mut self, dictionary: bool, kind: Kind) -> Result<(), WriteError> {
        self.before_event();
        if self.expecting_key {
            return Err(key_must_be_a_string(kind));
        }
        self.pending = Some(dictionary);
        Ok(())
    }
}

impl Sink for XmlSink {
    fn start_array(&mut self) -> Result<(), WriteError> {
        self.start(false, Kind::Array)
    }

    fn start_dictionary(&mut self) -> Result<(), WriteError> {
        self.start(true, Kind::Dictionary)
    }

    fn end_collection(&mut self) -> Result<(), WriteError> {
        if let Some(dictionary) = self.pending.take() {
            // `start` wrote the prologue.
            self.tag(if dictionary { "<dict/>" } else { "<array/>" });
        } else {
            match self.open.pop() {
                Some(true) if self.expecting_key => self.tag("</dict>"),
                Some(false) => self.tag("</array>"),
                Some(true) => return Err(WriteError("a dictionary key has no value".into())),
                None => return Err(WriteError("an end with no array or dictionary open".into())),
            }
        }
        self.after_value();
        Ok(())
    }

    fn boolean(&mut self, v: bool) -> Result<(), WriteError> {
        self.value(Kind::Boolean, |s| s.tag(if v { "<true/>" } else { "<false/>" }))
    }

    fn data(&mut self, v: &[u8]) -> Result<(), WriteError> {
        self.value(Kind::Data, |s| {
            s.tag("<data>");
            let tabs = s.open.len();
            let mut line = [0u8; 68];
            for chunk in v.chunks(DATA_LINE_BYTES) {
                s.out.push('\n');
                s.indent(tabs);
                let n = BASE64.encode_slice(chunk, &mut line).expect("68 bytes hold the base64 of 51");
                // Base64 is ASCII.
                s.out.push_str(std::str::from_utf8(&line[..n]).expect("base64 is ASCII"));
            }
            s.tag("</data>");
        })
    }

    fn date(&mut self, v: plist::Date) -> Result<(), WriteError> {
        self.value(Kind::Date, |s| s.text_element("<date>", |out| out.push_str(&v.to_xml_format()), "</date>"))
    }

    fn integer(&mut self, v: Int) -> Result<(), WriteError> {
        self.value(Kind::Integer, |s| {
            let mut buf = itoa::Buffer::new();
            let text = match v {
                Int::Signed(v) => buf.format(v),
                Int::Unsigned(v) => buf.format(v),
            };
            s.text_element("<integer>", |out| out.push_str(text), "</integer>");
        })
    }

    fn real(&mut self, v: f64) -> Result<(), WriteError> {
        self.value(Kind::Real, |s| {
            s.text_element("<real>", |out| write!(out, "{v}").expect("writing to a String cannot fail"), "</real>");
        })
    }

    fn string(&mut self, v: &str) -> Result<(), WriteError> {
        self.before_event();
        if self.expecting_key {
            self.text_element("<key>", |out| escape(out, v), "</key>");
            self.expecting_key = false;
        } else {
            self.text_element("<string>", |out| escape(out, v), "</string>");
            self.after_value();
        }
        Ok(())
    }

    fn uid(&mut self, _: u64) -> Result<(), WriteError> {
        Err(WriteError("a UID cannot be written in an XML plist (only in a binary one)".into()))
    }
}

/// What quick-xml's `escape` writes for `< > & ' " \r`, by byte.
static REPLACEMENTS: [&str; 7] = ["", "&lt;", "&gt;", "&amp;", "&apos;", "&quot;", "&#13;"];

/// For each byte, its index in `REPLACEMENTS` (0: written as it is). A
/// table, so that the scan is one load and one test per byte (a `match`
/// compiles to a jump table that digits and `-` would go through).
static ESCAPES: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'<' as usize] = 1;
    t[b'>' as usize] = 2;
    t[b'&' as usize] = 3;
    t[b'\'' as usize] = 4;
    t[b'"' as usize] = 5;
    t[b'\r' as usize] = 6;
    t
};

/// Appends `text` with `< > & ' " \r` replaced, as quick-xml's `escape`.
fn escape(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(i) = bytes[from..].iter().position(|&b| ESCAPES[usize::from(b)] != 0) {
        let at = from + i;
        // Every byte replaced is ASCII, so `from..at` is on char boundaries.
        out.push_str(&text[from..at]);
        out.push_str(REPLACEMENTS[usize::from(ESCAPES[usize::from(bytes[at])])]);
        from = at + 1;
    }
    out.push_str(&text[from..]);
}
