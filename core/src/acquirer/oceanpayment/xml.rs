//! A small, strict reader for Oceanpayment's XML answers and notifications.
//!
//! Oceanpayment's XML is shallow: a root (`<response>`) whose leaf children are the fields, and,
//! in query answers, one `<paymentInfo>` group per order. This reader builds exactly that tree.
//! Hostile input must cost little and never panic, so it refuses DTDs and any entity other than
//! XML's five predefined ones and character references, and bounds size, depth and element count.

use std::collections::HashMap;

use quick_xml::events::{BytesRef, Event};
use quick_xml::Reader;

/// Larger bodies are refused; the HTTP client applies the same bound to answers.
pub(super) const MAX_XML_BYTES: usize = 1 << 20;
/// Oceanpayment nests three levels at most (`response/paymentInfo/refundList/…`).
const MAX_DEPTH: usize = 8;
const MAX_ELEMENTS: usize = 10_000;

/// Why a body is not usable XML. The text never quotes more than a short excerpt of the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(super) struct XmlError(String);

fn err(message: impl Into<String>) -> XmlError {
    XmlError(message.into())
}

/// At most `max` characters of untrusted text, for error messages.
fn excerpt(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// One XML element: its name, its text (when it is a leaf) and its child elements.
#[derive(Debug, Default)]
pub(super) struct Element {
    name: String,
    text: String,
    children: Vec<Element>,
}

/// The leaf children of one element, by name, with surrounding whitespace trimmed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Fields(HashMap<String, String>);

impl Fields {
    /// The field's text, when the element is present (possibly empty).
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The field's text, or `""` when absent: Oceanpayment treats both alike when signing.
    pub(super) fn text(&self, name: &str) -> &str {
        self.get(name).unwrap_or("")
    }

    /// The field's text when present and not empty.
    pub(super) fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }
}

impl Element {
    /// Parses a whole document and returns its root element.
    pub(super) fn parse(body: &[u8]) -> Result<Element, XmlError> {
        if body.len() > MAX_XML_BYTES {
            return Err(err(format!("body of {} bytes is larger than 1 MiB", body.len())));
        }
        let text = std::str::from_utf8(body).map_err(|e| err(format!("not UTF-8: {e}")))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = Reader::from_str(text);
        let mut tree = TreeBuilder::default();
        loop {
            let event = reader.read_event().map_err(|e| {
                err(format!("not well-formed XML at byte {}: {e}", reader.error_position()))
            })?;
            match event {
                Event::Start(start) => tree.open(start.name().as_ref().to_string())?,
                Event::Empty(start) => {
                    tree.open(start.name().as_ref().to_string())?;
                    tree.close()?;
                }
                Event::End(_) => tree.close()?,
                Event::Text(t) => tree.text(&t.xml10_content())?,
                Event::CData(c) => tree.text(&c.xml10_content())?,
                Event::GeneralRef(r) => tree.text(&resolve_reference(&r)?)?,
                // Entity definitions are how "billion laughs" and external-entity attacks start.
                Event::DocType(_) => return Err(err("DOCTYPE is not accepted")),
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
                Event::Eof => return tree.finish(),
            }
        }
    }

    /// The leaf children as fields. A field given twice is refused: which one was signed?
    pub(super) fn fields(&self) -> Result<Fields, XmlError> {
        let mut map = HashMap::new();
        for child in self.children.iter().filter(|c| c.children.is_empty()) {
            let value = child.text.trim().to_string();
            if map.insert(child.name.clone(), value).is_some() {
                return Err(err(format!(
                    "<{}> appears twice in <{}>",
                    excerpt(&child.name, 40),
                    excerpt(&self.name, 40)
                )));
            }
        }
        Ok(Fields(map))
    }

    /// The element's name.
    pub(super) fn name(&self) -> &str {
        &self.name
    }

    /// The child elements, in document order (consumes the element).
    pub(super) fn into_children(self) -> Vec<Element> {
        self.children
    }

    /// The child elements with this name, in document order.
    pub(super) fn children_named<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
}

/// `&amp;`-style predefined entities and `&#38;` character references; nothing else.
fn resolve_reference(reference: &BytesRef<'_>) -> Result<String, XmlError> {
    let name: &str = reference;
    match reference.resolve_char_ref() {
        Ok(Some(c)) => return Ok(c.to_string()),
        Ok(None) => {}
        Err(_) => return Err(err(format!("bad character reference &{};", excerpt(name, 16)))),
    }
    quick_xml::escape::resolve_predefined_entity(name)
        .map(str::to_string)
        .ok_or_else(|| err(format!("unknown entity &{};", excerpt(name, 16))))
}

/// Builds the tree from the event stream, without recursion.
#[derive(Default)]
struct TreeBuilder {
    open: Vec<Element>,
    root: Option<Element>,
    elements: usize,
}

impl TreeBuilder {
    fn open(&mut self, name: String) -> Result<(), XmlError> {
        if self.open.is_empty() && self.root.is_some() {
            return Err(err("more than one root element"));
        }
        if self.open.len() >= MAX_DEPTH {
            return Err(err(format!("nested deeper than {MAX_DEPTH} elements")));
        }
        self.elements += 1;
        if self.elements > MAX_ELEMENTS {
            return Err(err(format!("more than {MAX_ELEMENTS} elements")));
        }
        self.open.push(Element { name, ..Element::default() });
        Ok(())
    }

    fn close(&mut self) -> Result<(), XmlError> {
        let element = self.open.pop().ok_or_else(|| err("closing tag without an opening tag"))?;
        match self.open.last_mut() {
            Some(parent) => parent.children.push(element),
            None => self.root = Some(element),
        }
        Ok(())
    }

    fn text(&mut self, text: &str) -> Result<(), XmlError> {
        match self.open.last_mut() {
            Some(element) => element.text.push_str(text),
            None if text.trim().is_empty() => {}
            None => return Err(err("text outside the root element")),
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Element, XmlError> {
        if let Some(unclosed) = self.open.pop() {
            return Err(err(format!("truncated: <{}> is not closed", excerpt(&unclosed.name, 40))));
        }
        self.root.ok_or_else(|| err("no root element"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(xml: &str) -> Result<Fields, XmlError> {
        Element::parse(xml.as_bytes())?.fields()
    }

    #[test]
    fn reads_leaf_fields_trimmed_with_entities_and_cdata() {
        let xml = "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response>\n  \
                   <account> 995378 </account><order_notes>a &amp; b &#60;c&#x3E;</order_notes>\
                   <!-- note --><card_type><![CDATA[Visa<x>]]></card_type><empty/>\
                   <unknown_new_field>x</unknown_new_field></response>\n";
        let f = fields(xml).unwrap();
        assert_eq!(f.get("account"), Some("995378"));
        assert_eq!(f.get("order_notes"), Some("a & b <c>"));
        assert_eq!(f.get("card_type"), Some("Visa<x>"));
        assert_eq!(f.get("empty"), Some(""));
        assert_eq!(f.non_empty("empty"), None);
        assert_eq!(f.text("missing"), "");
    }

    #[test]
    fn groups_are_found_in_document_order() {
        let xml = "<response><paymentInfo><order_number>A</order_number><refundList>\
                   <refund><refund_id>1</refund_id></refund></refundList></paymentInfo>\
                   <paymentInfo><order_number>B</order_number></paymentInfo></response>";
        let root = Element::parse(xml.as_bytes()).unwrap();
        assert_eq!(root.name, "response");
        let orders: Vec<String> = root
            .children_named("paymentInfo")
            .map(|p| p.fields().unwrap().text("order_number").to_string())
            .collect();
        assert_eq!(orders, ["A", "B"]);
        // Nested groups are not fields.
        let first = root.children_named("paymentInfo").next().unwrap().fields().unwrap();
        assert_eq!(first.get("refundList"), None);
    }

    #[test]
    fn refuses_hostile_and_broken_input() {
        let deep = format!("{}{}", "<a>".repeat(50), "</a>".repeat(50));
        let huge = vec![b'<'; MAX_XML_BYTES + 1];
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("doctype", b"<!DOCTYPE r [<!ENTITY x \"y\">]><r>&x;</r>".to_vec()),
            ("entity", b"<r><a>&x;</a></r>".to_vec()),
            ("bad char ref", b"<r><a>&#0;</a></r>".to_vec()),
            ("truncated", b"<response><account>995378</acc".to_vec()),
            ("unclosed", b"<response><account>995378</account>".to_vec()),
            ("mismatched", b"<response><a></b></response>".to_vec()),
            ("two roots", b"<a/><b/>".to_vec()),
            ("text outside", b"hello <a/>".to_vec()),
            ("empty", b"".to_vec()),
            ("json", b"{\"account\":\"995378\"}".to_vec()),
            ("not utf-8", b"<r>\xff\xfe</r>".to_vec()),
            ("deep", deep.into_bytes()),
            ("huge", huge),
            ("duplicate", b"<r><a>1</a><a>2</a></r>".to_vec()),
        ];
        for (name, body) in cases {
            let result = Element::parse(&body).and_then(|root| root.fields());
            assert!(result.is_err(), "{name} was accepted");
        }
    }

    #[test]
    fn error_texts_are_short() {
        let long_name = "x".repeat(10_000);
        let body = format!("<r><a>&{long_name};</a></r>");
        let e = Element::parse(body.as_bytes()).unwrap_err();
        assert!(e.to_string().len() < 200, "{e}");
    }

    #[test]
    fn garbage_never_panics() {
        let mut seed: u32 = 7;
        for len in 0..300 {
            let body: Vec<u8> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    b"<>/a=\"&;#x![]-? \n\xff"[(seed >> 16) as usize % 18]
                })
                .collect();
            let _ = Element::parse(&body).and_then(|r| r.fields());
        }
    }
}
