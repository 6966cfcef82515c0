//! XML plists, scanned in place.
//!
//! What the plist crate's reader (quick-xml underneath) makes of a
//! document, this reader makes of it too, for the XML that plists are
//! written in: the prolog (declaration, DOCTYPE, comments, processing
//! instructions), `<plist>` with or without attributes (or no `<plist>` at
//! all), the value elements, self-closed elements (`<true/>`,
//! `<string/>`, `<dict/>`), comments between elements, the five predefined
//! entities and character references in text, and text kept exactly as
//! written (no trimming, no line-ending normalisation, as the plist crate).
//! Anything else is [`Declined`] and left to the plist crate.

use std::borrow::Cow;

use base64::Engine;

use super::{Declined, Token, integer};

/// An element that stays open while its content is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    Plist,
    Array,
    Dict,
}

impl Open {
    fn name(self) -> &'static str {
        match self {
            Open::Plist => "plist",
            Open::Array => "array",
            Open::Dict => "dict",
        }
    }
}

/// The reader. It can be cloned like the binary one (see
/// `Deserializer::speculate`), though XML is not read ahead (reading ahead
/// means reading every token twice); its stack of open elements is as deep
/// as the document.
#[derive(Clone)]
pub(crate) struct XmlTokens<'a> {
    text: &'a str,
    pos: usize,
    open: Vec<Open>,
    /// A self-closed `<array/>` or `<dict/>` was read: its end comes next.
    pending_end: bool,
}

/// How the `<!DOCTYPE` declaration that `markup` starts with ends, read
/// as quick-xml (and so the plist crate) reads it: quoted literals are
/// passed over whole, and a `[` outside them opens an internal subset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Doctype {
    /// The declaration ends at the `>` at this index.
    Ends(usize),
    /// An internal subset opens at the `[` at this index.
    Subset(usize),
    /// A quoted literal or the declaration is never closed.
    Unclosed,
}

/// Whether `markup` starts a DOCTYPE declaration (in any case, as
/// quick-xml reads it).
pub(crate) fn starts_doctype(markup: &[u8]) -> bool {
    markup.get(..9).is_some_and(|head| head.eq_ignore_ascii_case(b"<!DOCTYPE"))
}

pub(crate) fn doctype(markup: &[u8]) -> Doctype {
    // A DOCTYPE is short: a byte loop reads it.
    let mut i = 0;
    while let Some(&b) = markup.get(i) {
        match b {
            b'>' => return Doctype::Ends(i),
            b'[' => return Doctype::Subset(i),
            b'"' | b'\'' => match memchr::memchr(b, &markup[i + 1..]) {
                Some(close) => i += close + 2,
                None => return Doctype::Unclosed,
            },
            _ => i += 1,
        }
    }
    Doctype::Unclosed
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

impl<'a> XmlTokens<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Result<XmlTokens<'a>, Declined> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = std::str::from_utf8(bytes).map_err(|_| Declined)?;
        Ok(XmlTokens { text, pos: 0, open: Vec::new(), pending_end: false })
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn rest(&self) -> &'a [u8] {
        &self.bytes()[self.pos..]
    }

    fn skip_space(&mut self) {
        let bytes = self.bytes();
        while self.pos < bytes.len() && is_space(bytes[self.pos]) {
            self.pos += 1;
        }
    }

    /// Moves past the first `end` at or after `from` bytes ahead.
    fn skip_past(&mut self, from: usize, end: &[u8]) -> Result<(), Declined> {
        let rest = self.rest().get(from..).ok_or(Declined)?;
        let at = memchr::memmem::find(rest, end).ok_or(Declined)?;
        self.pos += from + at + end.len();
        Ok(())
    }

    /// The position of the `>` that closes the markup starting at
    /// `self.pos`, passing over quoted attribute values.
    fn markup_end(&self) -> Result<usize, Declined> {
        let bytes = self.bytes();
        let mut i = self.pos + 1;
        while i < bytes.len() {
            match bytes[i] {
                b'>' => return Ok(i),
                q @ (b'"' | b'\'') => {
                    let close = memchr::memchr(q, &bytes[i + 1..]).ok_or(Declined)?;
                    i += close + 2;
                }
                _ => i += 1,
            }
        }
        Err(Declined)
    }

    /// Reads a start tag at `self.pos`: its name and whether it closes
    /// itself (`<true/>`).
    fn start_tag(&mut self) -> Result<(&'a str, bool), Declined> {
        let bytes = self.bytes();
        let start = self.pos + 1;
        let mut end = start;
        while end < bytes.len() && bytes[end].is_ascii_alphabetic() {
            end += 1;
        }
        let gt = self.markup_end()?;
        let empty = bytes[gt - 1] == b'/';
        let attributes_end = if empty { gt - 1 } else { gt };
        // The name ends at a space, `/>` or `>`; anything else (a
        // namespace prefix, a digit) is not a plist element.
        if end == start || (end < attributes_end && !is_space(bytes[end])) || end > attributes_end {
            return Err(Declined);
        }
        self.pos = gt + 1;
        Ok((&self.text[start..end], empty))
    }

    /// Reads an end tag `</name>` (spaces allowed before the `>`) at
    /// `self.pos` and returns the name.
    fn end_tag(&mut self) -> Result<&'a str, Declined> {
        let bytes = self.bytes();
        let start = self.pos + 2;
        let gt = start + memchr::memchr(b'>', &bytes[start.min(bytes.len())..]).ok_or(Declined)?;
        let name = self.text[start..gt].trim_end_matches([' ', '\t', '\n', '\r']);
        self.pos = gt + 1;
        Ok(name)
    }

    /// The text of a value element up to its end tag, entities resolved.
    fn content(&mut self, name: &str, empty: bool) -> Result<Cow<'a, str>, Declined> {
        if empty {
            return Ok(Cow::Borrowed(""));
        }
        let start = self.pos;
        let lt = start + memchr::memchr(b'<', self.rest()).ok_or(Declined)?;
        let raw = &self.text[start..lt];
        self.pos = lt;
        // A comment, CDATA section or element inside the text: declined.
        if self.rest().get(1) != Some(&b'/') || self.end_tag()? != name {
            return Err(Declined);
        }
        if memchr::memchr(b'&', raw.as_bytes()).is_none() {
            Ok(Cow::Borrowed(raw))
        } else {
            unescape(raw).map(Cow::Owned)
        }
    }

    /// The next token; `Ok(None)` at the end of the document.
    pub(crate) fn next(&mut self) -> Result<Option<Token<'a>>, Declined> {
        if self.pending_end {
            self.pending_end = false;
            return Ok(Some(Token::EndCollection));
        }
        loop {
            self.skip_space();
            let rest = self.rest();
            if rest.is_empty() {
                return if self.open.is_empty() { Ok(None) } else { Err(Declined) };
            }
            if rest[0] != b'<' {
                return Err(Declined);
            }
            match rest.get(1) {
                // quick-xml ends a processing instruction at the first
                // `?>`, the `?` of `<?` included, and refuses `<?>`.
                Some(b'?') if rest.get(2) == Some(&b'>') => return Err(Declined),
                Some(b'?') => self.skip_past(2, b"?>")?,
                Some(b'!') if rest.starts_with(b"<!--") => self.skip_past(4, b"-->")?,
                // `refuse_entities` has already refused internal subsets;
                // one is declined here too, whatever hides it.
                Some(b'!') if starts_doctype(rest) => match doctype(rest) {
                    // quick-xml wants a name.
                    Doctype::Ends(end) if !rest[9..end].iter().all(|b| is_space(*b)) => self.pos += end + 1,
                    Doctype::Ends(_) => return Err(Declined),
                    Doctype::Subset(_) | Doctype::Unclosed => return Err(Declined),
                },
                Some(b'!') => return Err(Declined),
                Some(b'/') => {
                    let name = self.end_tag()?;
                    let open = self.open.pop().ok_or(Declined)?;
                    if open.name() != name {
                        return Err(Declined);
                    }
                    if open != Open::Plist {
                        return Ok(Some(Token::EndCollection));
                    }
                }
                _ => {
                    let (name, empty) = self.start_tag()?;
                    if let Some(token) = self.element(name, empty)? {
                        return Ok(Some(token));
                    }
                }
            }
        }
    }

    /// The token an element starts (`None` for `<plist>`, which holds the
    /// root value).
    fn element(&mut self, name: &str, empty: bool) -> Result<Option<Token<'a>>, Declined> {
        let container = |this: &mut Self, open: Open| {
            if empty {
                this.pending_end = true;
            } else {
                this.open.push(open);
            }
        };
        Ok(Some(match name {
            "plist" => {
                if !self.open.is_empty() {
                    return Err(Declined);
                }
                if !empty {
                    self.open.push(Open::Plist);
                }
                return Ok(None);
            }
            "dict" => {
                container(self, Open::Dict);
                Token::StartDictionary(None)
            }
            "array" => {
                container(self, Open::Array);
                Token::StartArray(None)
            }
            "key" | "string" => Token::String(self.content(name, empty)?),
            "integer" => integer(&self.content(name, empty)?).ok_or(Declined)?,
            "real" => Token::Real(self.content(name, empty)?.parse().map_err(|_| Declined)?),
            "true" | "false" => {
                if !empty && !self.content(name, false)?.bytes().all(is_space) {
                    return Err(Declined);
                }
                Token::Boolean(name == "true")
            }
            "date" => Token::Date(plist::Date::from_xml_format(&self.content(name, empty)?).map_err(|_| Declined)?),
            "data" => Token::Data(base64(&self.content(name, empty)?)?),
            _ => return Err(Declined),
        }))
    }
}

/// `<data>` text: base64 with any ASCII whitespace in it, as the plist
/// crate reads it (strict padding; missing padding is repadded by
/// `normalize_xml` after the plist crate refuses it).
fn base64(text: &str) -> Result<Vec<u8>, Declined> {
    let engine = &base64::engine::general_purpose::STANDARD;
    if !text.bytes().any(|b| b.is_ascii_whitespace()) {
        return engine.decode(text).map_err(|_| Declined);
    }
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    engine.decode(compact).map_err(|_| Declined)
}

/// Resolves the predefined entities and character references in text. An
/// entity the plist crate would drop (an undeclared name) is declined.
fn unescape(raw: &str) -> Result<String, Declined> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after.find(';').ok_or(Declined)?;
        let name = &after[..semi];
        out.push(match name {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "apos" => '\'',
            "quot" => '"',
            _ => char_ref(name.strip_prefix('#').ok_or(Declined)?)?,
        });
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `&#65;` or `&#x41;`, as quick-xml reads them (no sign, not zero, a
/// valid scalar value).
fn char_ref(number: &str) -> Result<char, Declined> {
    let (digits, radix) = match number.strip_prefix('x') {
        Some(hex) => (hex, 16),
        None => (number, 10),
    };
    if digits.starts_with(['+', '-']) {
        return Err(Declined);
    }
    let code = u32::from_str_radix(digits, radix).map_err(|_| Declined)?;
    if code == 0 {
        return Err(Declined);
    }
    char::from_u32(code).ok_or(Declined)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(xml: &str) -> Result<Vec<Token<'_>>, Declined> {
        let mut t = XmlTokens::new(xml.as_bytes())?;
        let mut out = Vec::new();
        while let Some(token) = t.next()? {
            out.push(token);
        }
        Ok(out)
    }

    #[test]
    fn reads_a_document_in_place() {
        let xml = "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\"><dict><!-- c --><key>A</key><string> x &amp; y </string><key>B</key><array/><key>C</key><true/><key>D</key><integer>-3</integer><key>E</key><data>AAE=\n</data></dict></plist>\n";
        let t = tokens(xml).unwrap_or_else(|_| panic!("declined"));
        assert_eq!(
            t,
            vec![
                Token::StartDictionary(None),
                Token::String("A".into()),
                Token::String(" x & y ".into()),
                Token::String("B".into()),
                Token::StartArray(None),
                Token::EndCollection,
                Token::String("C".into()),
                Token::Boolean(true),
                Token::String("D".into()),
                Token::Signed(-3),
                Token::String("E".into()),
                Token::Data(vec![0, 1]),
                Token::EndCollection,
            ]
        );
        // Keys without entities are borrowed.
        assert!(matches!(&t[1], Token::String(Cow::Borrowed(_))));
    }

    #[test]
    fn declines_what_it_does_not_read() {
        for xml in [
            "<plist><string><![CDATA[x]]></string></plist>",
            "<plist><string>a<!-- c -->b</string></plist>",
            "<plist><string>&nbsp;</string></plist>",
            "<plist><string>AT&T</string></plist>",
            "<plist><string>&#0;</string></plist>",
            "<plist><dict></array></plist>",
            "<plist><dict>",
            "<plist><x:dict/></plist>",
            "<plist><unknown/></plist>",
            "<plist>text</plist>",
            "<plist><true>x</true></plist>",
            "<plist><integer> 1</integer></plist>",
            "<plist><string>x</key></plist>",
        ] {
            assert!(tokens(xml).is_err(), "{xml}");
        }
    }

    #[test]
    fn character_references() {
        assert_eq!(unescape("&#65;&#x42;&lt;&gt;&apos;&quot;").ok().as_deref(), Some("AB<>'\""));
        assert!(char_ref("+65").is_err());
        assert!(char_ref("x110000").is_err());
    }
}
