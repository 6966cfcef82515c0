//! A small YAML tree built from `saphyr-parser` events.
//!
//! Apple's schema uses anchors and aliases (`&id001` / `*id001`), and in two
//! profile files an alias points back at one of its own ancestors (a
//! recursive structure). Tree-building YAML libraries either recurse forever
//! (serde_yaml: "recursion limit exceeded") or silently drop the value
//! (yaml-rust2, saphyr: `BadValue`). We build the tree ourselves from the
//! event stream: an alias to a finished anchor is expanded as a copy, and an
//! alias to an anchor that is still open (an ancestor) becomes
//! [`Node::BackRef`], which the model turns into a recursive type.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// A YAML node. Mappings keep their source order.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A scalar; `quoted` is true for single- or double-quoted scalars.
    Scalar { text: String, quoted: bool, anchor: usize, line: usize },
    /// A sequence.
    Seq { items: Vec<Node>, anchor: usize, line: usize },
    /// A mapping, in source order.
    Map { entries: Vec<(String, Node)>, anchor: usize, line: usize },
    /// An alias to an anchor that encloses it (a cycle), by anchor id.
    BackRef { anchor: usize, line: usize },
}

/// A syntax error, with its 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Node {
    /// The 1-based source line where the node starts.
    pub fn line(&self) -> usize {
        match self {
            Node::Scalar { line, .. }
            | Node::Seq { line, .. }
            | Node::Map { line, .. }
            | Node::BackRef { line, .. } => *line,
        }
    }

    /// The anchor id (0 when the node has no anchor).
    pub fn anchor(&self) -> usize {
        match self {
            Node::Scalar { anchor, .. }
            | Node::Seq { anchor, .. }
            | Node::Map { anchor, .. }
            | Node::BackRef { anchor, .. } => *anchor,
        }
    }

    /// Looks up `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map { entries, .. } => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The scalar's text, if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// A plain scalar resolved as a YAML 1.2 core-schema boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Node::Scalar { text, quoted: false, .. } => match text.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// True for a plain `null`, `~` or empty scalar.
    pub fn is_null(&self) -> bool {
        matches!(self, Node::Scalar { text, quoted: false, .. }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The scalar as a typed value, following the YAML 1.2 core schema for
    /// plain scalars; quoted scalars are always strings.
    pub fn scalar(&self) -> Option<Scalar> {
        let Node::Scalar { text, quoted, .. } = self else {
            return None;
        };
        if *quoted {
            return Some(Scalar::Str(text.clone()));
        }
        if let Some(b) = self.as_bool() {
            return Some(Scalar::Bool(b));
        }
        if self.is_null() {
            return Some(Scalar::Null);
        }
        if let Some(i) = parse_int(text) {
            return Some(Scalar::Int(i));
        }
        if looks_like_float(text)
            && let Ok(f) = text.parse::<f64>()
        {
            return Some(Scalar::Real(f));
        }
        Some(Scalar::Str(text.clone()))
    }

    /// The entries of a mapping.
    pub fn entries(&self) -> &[(String, Node)] {
        match self {
            Node::Map { entries, .. } => entries,
            _ => &[],
        }
    }

    /// The items of a sequence.
    pub fn items(&self) -> &[Node] {
        match self {
            Node::Seq { items, .. } => items,
            _ => &[],
        }
    }
}

/// A resolved scalar value.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Real(f64),
    Str(String),
}

fn parse_int(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn looks_like_float(text: &str) -> bool {
    let t = text.strip_prefix(['-', '+']).unwrap_or(text);
    // YAML 1.2 core: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
    let (mantissa, exp) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match frac {
        Some(f) => digits(int) && digits(f) && !(int.is_empty() && f.is_empty()),
        None => !int.is_empty() && digits(int),
    };
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exp_ok && (frac.is_some() || exp.is_some())
}

enum Frame {
    Seq { items: Vec<Node>, anchor: usize, line: usize },
    Map { entries: Vec<(String, Node)>, pending_key: Option<String>, anchor: usize, line: usize },
}

/// Parses one YAML document into a [`Node`] tree.
pub fn parse(source: &str) -> Result<Node, SyntaxError> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut root: Option<Node> = None;

    for item in Parser::new_from_str(source) {
        let (event, span) = item.map_err(|e| SyntaxError {
            line: e.marker().line(),
            column: e.marker().col() + 1,
            message: e.info().to_owned(),
        })?;
        let line = line_of(&span);
        let node = match event {
            Event::Scalar(text, style, anchor, _tag) => Node::Scalar {
                text: text.into_owned(),
                quoted: matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted),
                anchor,
                line,
            },
            Event::Alias(id) => match anchors.get(&id) {
                Some(node) => node.clone(),
                None if is_open(&stack, id) => Node::BackRef { anchor: id, line },
                None => {
                    return Err(SyntaxError {
                        line,
                        column: span.start.col() + 1,
                        message: format!("alias to an unknown anchor (id {id})"),
                    });
                }
            },
            Event::SequenceStart(anchor, _) => {
                stack.push(Frame::Seq { items: Vec::new(), anchor, line });
                continue;
            }
            Event::MappingStart(anchor, _) => {
                stack.push(Frame::Map { entries: Vec::new(), pending_key: None, anchor, line });
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq { items, anchor, line }) => Node::Seq { items, anchor, line },
                _ => unreachable!("the parser balances sequence events"),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map { entries, anchor, line, .. }) => Node::Map { entries, anchor, line },
                _ => unreachable!("the parser balances mapping events"),
            },
            _ => continue,
        };
        if node.anchor() != 0 && !matches!(node, Node::BackRef { .. }) {
            anchors.insert(node.anchor(), node.clone());
        }
        match stack.last_mut() {
            None => {
                if root.is_none() {
                    root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, pending_key, .. }) => match pending_key.take() {
                None => match node {
                    Node::Scalar { text, .. } => *pending_key = Some(text),
                    other => {
                        return Err(SyntaxError {
                            line: other.line(),
                            column: 1,
                            message: "a mapping key must be a scalar".to_owned(),
                        });
                    }
                },
                Some(key) => {
                    if entries.iter().any(|(k, _)| *k == key) {
                        return Err(SyntaxError {
                            line: node.line(),
                            column: 1,
                            message: format!("duplicate mapping key `{key}`"),
                        });
                    }
                    entries.push((key, node));
                }
            },
        }
    }
    Ok(root.unwrap_or(Node::Scalar { text: String::new(), quoted: false, anchor: 0, line: 1 }))
}

fn is_open(stack: &[Frame], id: usize) -> bool {
    stack.iter().any(|f| match f {
        Frame::Seq { anchor, .. } | Frame::Map { anchor, .. } => *anchor == id,
    })
}

fn line_of(span: &Span) -> usize {
    span.start.line()
}

/// Renders a scalar-ish node as text for messages.
pub fn describe(node: &Node) -> Cow<'_, str> {
    match node {
        Node::Scalar { text, .. } => Cow::Borrowed(text),
        Node::Seq { .. } => Cow::Borrowed("a sequence"),
        Node::Map { .. } => Cow::Borrowed("a mapping"),
        Node::BackRef { .. } => Cow::Borrowed("a recursive alias"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_resolve_like_yaml_1_2() {
        let n = parse("a: 10.13.6\nb: '11.0'\nc: 11.0\nd: true\ne: -1\nf: n/a\ng:\n").unwrap();
        assert_eq!(n.get("a").unwrap().scalar(), Some(Scalar::Str("10.13.6".into())));
        assert_eq!(n.get("b").unwrap().scalar(), Some(Scalar::Str("11.0".into())));
        assert_eq!(n.get("c").unwrap().scalar(), Some(Scalar::Real(11.0)));
        assert_eq!(n.get("d").unwrap().scalar(), Some(Scalar::Bool(true)));
        assert_eq!(n.get("e").unwrap().scalar(), Some(Scalar::Int(-1)));
        assert_eq!(n.get("f").unwrap().scalar(), Some(Scalar::Str("n/a".into())));
        assert_eq!(n.get("g").unwrap().scalar(), Some(Scalar::Null));
    }

    #[test]
    fn aliases_expand_and_cycles_become_backrefs() {
        let src = "a: &x\n  k: v\nb: *x\nc: &y\n  - d: *y\n";
        let n = parse(src).unwrap();
        assert_eq!(n.get("b").unwrap().get("k").unwrap().as_str(), Some("v"));
        let inner = &n.get("c").unwrap().items()[0];
        assert!(matches!(inner.get("d"), Some(Node::BackRef { .. })));
        assert_eq!(inner.get("d").unwrap().anchor(), n.get("c").unwrap().anchor());
    }

    #[test]
    fn syntax_errors_carry_the_line() {
        let err = parse("a: b\nc: [1, 2\nd: e\n").unwrap_err();
        assert!(err.line >= 2, "{err:?}");
        let dup = parse("a: 1\na: 2\n").unwrap_err();
        assert_eq!(dup.line, 2);
        assert!(dup.message.contains("duplicate"));
    }
}
