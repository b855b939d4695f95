//! XML for REFI-QDA: a guarded parse into a small element tree (no DOCTYPE, only XML's own
//! entities, bounded depth, UTF-8 only), and a writer that escapes what quick-xml's would not.

use std::fmt::Write as _;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::error::RefiError;

/// How deep elements may nest. The standard's deepest path is a code tree; a codebook hundreds
/// of levels deep is a hostile file, and the walk over the tree recurses.
pub const MAX_DEPTH: usize = 128;

/// An element in the standard's namespace (or in none), with its unprefixed attributes, the
/// elements inside it and its text. Elements in other namespaces (vendor extensions) are dropped.
#[derive(Debug, Default)]
pub(super) struct Element {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |child| child.name == name)
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|child| child.name == name)
    }
}

/// Parses `bytes` (named `what` in errors) whose elements belong to `namespace`.
pub(super) fn parse(bytes: &[u8], what: &str, namespace: &str) -> Result<Element, RefiError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| RefiError::InvalidUtf8 { what: what.to_owned() })?;
    // XML 1.0 §2.2: a document holding a character outside `Char` is not XML. Checked here once,
    // as quick-xml does not, so nothing read can fail to be written back.
    if let Some(at) = text.find(|c| !xml_char(c)) {
        return Err(RefiError::Xml {
            what: what.to_owned(),
            position: at as u64,
            reason: "a character XML does not allow (a control character)".to_owned(),
        });
    }
    let mut reader = NsReader::from_str(text);
    let xml_error = |reader: &NsReader<&[u8]>, error: quick_xml::Error| RefiError::Xml {
        what: what.to_owned(),
        position: reader.error_position(),
        reason: error.to_string(),
    };

    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    // Depth inside an element of another namespace, whose whole subtree is dropped.
    let mut foreign = 0usize;
    loop {
        let (resolved, event) = match reader.read_resolved_event() {
            Ok((resolved, event)) => (ours(&resolved, namespace), event),
            Err(error) => return Err(xml_error(&reader, error)),
        };
        match event {
            Event::DocType(_) => {
                return Err(RefiError::DocType { what: what.to_owned() });
            }
            Event::Start(_) | Event::Empty(_) if stack.is_empty() && root.is_none() && !resolved => {
                return Err(RefiError::Xml {
                    what: what.to_owned(),
                    position: reader.buffer_position(),
                    reason: format!("the root element is not in the namespace {namespace}"),
                });
            }
            Event::Start(_) if foreign > 0 || !resolved => foreign += 1,
            Event::Empty(_) if foreign > 0 || !resolved => {}
            Event::Start(start) => {
                let element = open(&start, &reader, what, &stack, &root)?;
                stack.push(element);
            }
            Event::Empty(start) => {
                let element = open(&start, &reader, what, &stack, &root)?;
                close(element, &mut stack, &mut root);
            }
            Event::End(_) if foreign > 0 => foreign -= 1,
            Event::End(_) => {
                if let Some(element) = stack.pop() {
                    close(element, &mut stack, &mut root);
                }
            }
            Event::Text(text) if foreign == 0 => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&text.xml10_content());
                }
            }
            Event::CData(data) if foreign == 0 => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&data.xml10_content());
                }
            }
            Event::GeneralRef(reference) if foreign == 0 => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    Ok(None) => predefined(&reference),
                    Err(error) => return Err(xml_error(&reader, error)),
                };
                let Some(c) = resolved else {
                    return Err(RefiError::UnknownEntity {
                        what: what.to_owned(),
                        entity: reference.as_ref().chars().take(40).collect(),
                    });
                };
                if !xml_char(c) {
                    return Err(RefiError::Xml {
                        what: what.to_owned(),
                        position: reader.buffer_position(),
                        reason: "a character reference to a character XML does not allow".to_owned(),
                    });
                }
                if let Some(current) = stack.last_mut() {
                    current.text.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(RefiError::Xml {
            what: what.to_owned(),
            position: reader.buffer_position(),
            reason: "the document ends inside an element".to_owned(),
        });
    }
    root.ok_or_else(|| RefiError::Xml {
        what: what.to_owned(),
        position: 0,
        reason: "there is no root element".to_owned(),
    })
}

fn open(
    start: &BytesStart<'_>,
    reader: &NsReader<&[u8]>,
    what: &str,
    stack: &[Element],
    root: &Option<Element>,
) -> Result<Element, RefiError> {
    if root.is_some() {
        return Err(RefiError::Xml {
            what: what.to_owned(),
            position: reader.buffer_position(),
            reason: "content after the root element".to_owned(),
        });
    }
    if stack.len() >= MAX_DEPTH {
        return Err(RefiError::TooDeep { what: what.to_owned(), limit: MAX_DEPTH });
    }
    let xml_error = |error: quick_xml::Error| RefiError::Xml {
        what: what.to_owned(),
        position: reader.buffer_position(),
        reason: error.to_string(),
    };
    let mut element = Element { name: start.local_name().as_ref().to_owned(), ..Element::default() };
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| xml_error(e.into()))?;
        // Prefixed attributes (xmlns:*, xsi:schemaLocation) and the default namespace
        // declaration are not the standard's data.
        if attribute.key.prefix().is_some() || attribute.key.as_ref() == "xmlns" {
            continue;
        }
        let value = attribute.normalized_value(XmlVersion::Implicit1_0).map_err(xml_error)?;
        if value.chars().any(|c| !xml_char(c)) {
            return Err(RefiError::Xml {
                what: what.to_owned(),
                position: reader.buffer_position(),
                reason: "a character reference to a character XML does not allow".to_owned(),
            });
        }
        element.attributes.push((attribute.key.local_name().as_ref().to_owned(), value.into_owned()));
    }
    Ok(element)
}

fn ours(resolved: &ResolveResult<'_>, namespace: &str) -> bool {
    match resolved {
        // Some writers leave the namespace out; the element names still say what they are.
        ResolveResult::Unbound => true,
        ResolveResult::Bound(ns) => ns.as_ref() == namespace,
        ResolveResult::Unknown(_) => false,
    }
}

fn close(element: Element, stack: &mut [Element], root: &mut Option<Element>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

fn predefined(reference: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    Some(match reference.as_ref() {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    })
}

/// Writes XML one element at a time. Hand-written rather than quick-xml's writer because the
/// standard's strings need more escaping than it does: line breaks and tabs in attributes (which a
/// reader would otherwise turn into spaces) and `\r` in text (which it would drop), and characters
/// XML 1.0 cannot carry at all.
pub(super) struct XmlOut {
    out: String,
    open: Vec<&'static str>,
}

impl XmlOut {
    pub fn new() -> Self {
        XmlOut { out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"), open: Vec::new() }
    }

    fn indent(&mut self) {
        for _ in 0..self.open.len() {
            self.out.push_str("  ");
        }
    }

    fn tag(&mut self, name: &str, attributes: &[(&str, Option<&str>)]) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attributes {
            if let Some(value) = value {
                let _ = write!(self.out, " {key}=\"");
                escape_attribute(value, &mut self.out);
                self.out.push('"');
            }
        }
    }

    /// `<name attributes...>`, to be closed by [`XmlOut::end`].
    pub fn start(&mut self, name: &'static str, attributes: &[(&str, Option<&str>)]) {
        self.tag(name, attributes);
        self.out.push_str(">\n");
        self.open.push(name);
    }

    /// `<name attributes.../>`.
    pub fn empty(&mut self, name: &str, attributes: &[(&str, Option<&str>)]) {
        self.tag(name, attributes);
        self.out.push_str("/>\n");
    }

    /// `<name>text</name>`, the text exactly as given.
    pub fn text_element(&mut self, name: &str, text: &str) {
        self.indent();
        let _ = write!(self.out, "<{name}>");
        escape_text(text, &mut self.out);
        let _ = writeln!(self.out, "</{name}>");
    }

    pub fn end(&mut self) {
        if let Some(name) = self.open.pop() {
            self.indent();
            let _ = writeln!(self.out, "</{name}>");
        }
    }

    pub fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.end();
        }
        self.out
    }
}

/// Whether XML 1.0 can carry `c` at all, even as a character reference (XML 1.0 §2.2 `Char`).
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn escape_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // A literal CR would be folded into the LF after it by any XML reader (§2.11).
            '\r' => out.push_str("&#13;"),
            c if !xml_char(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

fn escape_attribute(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Attribute-value normalisation (§3.3.3) turns literal whitespace into spaces.
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if !xml_char(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_survive_a_round_trip_through_the_parser() {
        let tricky = "a & b < c > d \"q\" 'a'\r\nline\ttab 🦀";
        let mut out = XmlOut::new();
        out.start("Root", &[("name", Some(tricky))]);
        out.text_element("Text", tricky);
        let xml = out.finish();
        let root = parse(xml.as_bytes(), "test", "urn:x").expect("parses");
        assert_eq!(root.attribute("name"), Some(tricky));
        assert_eq!(root.child("Text").map(|t| t.text.as_str()), Some(tricky));
    }

    #[test]
    fn characters_xml_cannot_carry_become_replacement_characters() {
        let mut out = String::new();
        escape_text("a\u{0}b\u{c}c", &mut out);
        assert_eq!(out, "a\u{FFFD}b\u{FFFD}c");
    }

    #[test]
    fn characters_outside_xml_are_refused_literal_or_referenced() {
        for xml in ["<r>a\u{1}b</r>", "<r>&#1;</r>", "<r a=\"&#x1;\"/>"] {
            assert!(matches!(parse(xml.as_bytes(), "test", "urn:x"), Err(RefiError::Xml { .. })), "{xml}");
        }
    }

    #[test]
    fn a_root_in_another_namespace_is_refused() {
        let error = parse(b"<r xmlns=\"urn:other\"/>", "test", "urn:x").expect_err("refused");
        assert!(error.to_string().contains("not in the namespace urn:x"), "{error}");
    }

    #[test]
    fn doctype_is_refused() {
        let xml = b"<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"b\">]><r>&a;</r>";
        assert!(matches!(parse(xml, "test", "urn:x"), Err(RefiError::DocType { .. })));
    }

    #[test]
    fn undeclared_entities_are_refused() {
        let xml = b"<r>&nbsp;</r>";
        assert!(matches!(parse(xml, "test", "urn:x"), Err(RefiError::UnknownEntity { .. })));
    }

    #[test]
    fn foreign_elements_are_dropped_and_depth_is_bounded() {
        let xml = b"<r xmlns=\"urn:x\" xmlns:v=\"urn:v\"><v:ext><a/></v:ext><a/></r>";
        let root = parse(xml, "test", "urn:x").expect("parses");
        assert_eq!(root.children.len(), 1);
        let deep = format!("{}{}", "<a>".repeat(MAX_DEPTH + 1), "</a>".repeat(MAX_DEPTH + 1));
        assert!(matches!(parse(deep.as_bytes(), "test", "urn:x"), Err(RefiError::TooDeep { .. })));
    }
}
