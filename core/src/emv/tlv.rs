//! BER-TLV as EMV uses it (EMV Book 3, Annex B): the tree, the parser and the builder.

use std::fmt;

pub use super::error::TlvError;
use super::mask;

/// The largest input the parser accepts, in bytes. A reader's authorisation data is a few
/// hundred bytes; anything near this is not EMV data.
pub const MAX_INPUT: usize = 64 * 1024;
/// The most objects (primitive and constructed, at all levels) one input may hold.
pub const MAX_ELEMENTS: usize = 4096;
/// The most templates nested inside each other. EMV nests three or four deep.
pub const MAX_DEPTH: usize = 8;
/// The longest tag, in bytes. EMV uses at most three (`DF8129`).
pub const MAX_TAG_BYTES: usize = 3;
/// The most length bytes after a long-form `0x8N` length byte.
const MAX_LENGTH_BYTES: usize = 4;

/// A BER-TLV tag of one to [`MAX_TAG_BYTES`] bytes, held as its bytes read big-endian
/// (`0x9F02`), which is how EMV names tags.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(u32);

impl Tag {
    /// The tag `value` (`0x9F02`), checked: its bytes must form one well-formed tag.
    pub fn new(value: u32) -> Result<Tag, TlvError> {
        let bytes = value.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        Tag::from_bytes(&bytes[skip.min(3)..])
    }

    /// The tag made of exactly `bytes`, checked: a first byte other than 0x00 and 0xFF (they
    /// are padding), then, if its low five bits are all set, bytes with bit 8 set until one
    /// without.
    pub fn from_bytes(bytes: &[u8]) -> Result<Tag, TlvError> {
        let invalid = || TlvError::InvalidTag { hex: hex::encode_upper(bytes) };
        let (&first, rest) = bytes.split_first().ok_or_else(invalid)?;
        if first == 0x00 || first == 0xFF || bytes.len() > MAX_TAG_BYTES {
            return Err(invalid());
        }
        let well_formed = if first & 0x1F != 0x1F {
            rest.is_empty()
        } else {
            match rest.split_last() {
                Some((last, middle)) => last & 0x80 == 0 && middle.iter().all(|b| b & 0x80 != 0),
                None => false,
            }
        };
        if !well_formed {
            return Err(invalid());
        }
        Ok(Tag(bytes.iter().fold(0, |acc, b| (acc << 8) | u32::from(*b))))
    }

    /// A tag known to be well formed (the dictionary's constants).
    pub(crate) const fn known(value: u32) -> Tag {
        Tag(value)
    }

    /// The tag's bytes read big-endian (`0x9F02`).
    pub fn value(self) -> u32 {
        self.0
    }

    /// How many bytes the tag takes.
    pub fn len(self) -> usize {
        match self.0 {
            0..=0xFF => 1,
            0x100..=0xFFFF => 2,
            0x1_0000..=0xFF_FFFF => 3,
            _ => 4,
        }
    }

    /// Always false: a tag has at least one byte (here for clippy's `len` convention).
    pub fn is_empty(self) -> bool {
        false
    }

    /// Whether the tag is a template (bit 6 of its first byte): its value is more objects.
    pub fn is_constructed(self) -> bool {
        let first = self.0 >> (8 * (self.len() - 1));
        first & 0x20 != 0
    }

    fn write(self, out: &mut Vec<u8>) {
        let bytes = self.0.to_be_bytes();
        out.extend_from_slice(&bytes[4 - self.len()..]);
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({self})")
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:0width$X}", self.0, width = self.len() * 2)
    }
}

/// A value whose raw bytes were dropped on parse; only the masked text is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Masked {
    pub(super) text: String,
    pub(super) pan: Option<String>,
}

impl Masked {
    /// The masked text shown instead of the value: `476173******0119` for a PAN,
    /// `476173******0119D*****************` for track 2, stars for a name.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The masked PAN the value holds (5A, track 1 and 2), when it is well formed.
    pub fn masked_pan(&self) -> Option<&str> {
        self.pan.as_deref()
    }
}

/// What a TLV object holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A primitive value's bytes.
    Primitive(Vec<u8>),
    /// A sensitive primitive value, masked on parse (see the tag dictionary's [`super::MaskRule`]).
    Masked(Masked),
    /// A template's objects, in order.
    Constructed(Vec<Tlv>),
}

/// One BER-TLV object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tlv {
    tag: Tag,
    value: Value,
}

impl Tlv {
    /// A primitive object; refused for a constructed tag. Any tag may be built (a simulator
    /// builds card data); only parsed trees are guaranteed to hold no raw sensitive value.
    pub fn primitive(tag: Tag, value: Vec<u8>) -> Result<Tlv, TlvError> {
        if tag.is_constructed() {
            return Err(TlvError::WrongKind { tag, constructed: true });
        }
        Ok(Tlv { tag, value: Value::Primitive(value) })
    }

    /// A template holding `children`; refused for a primitive tag.
    pub fn constructed(tag: Tag, children: Vec<Tlv>) -> Result<Tlv, TlvError> {
        if !tag.is_constructed() {
            return Err(TlvError::WrongKind { tag, constructed: false });
        }
        Ok(Tlv { tag, value: Value::Constructed(children) })
    }

    /// The tag.
    pub fn tag(&self) -> Tag {
        self.tag
    }

    /// The value.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The bytes of a primitive, unmasked value.
    pub fn bytes(&self) -> Option<&[u8]> {
        match &self.value {
            Value::Primitive(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// The children of a template (empty for a primitive object).
    pub fn children(&self) -> &[Tlv] {
        match &self.value {
            Value::Constructed(children) => children,
            _ => &[],
        }
    }

    /// The first object with `tag` in this object and its descendants, depth first in order.
    pub fn find(&self, tag: Tag) -> Option<&Tlv> {
        if self.tag == tag {
            return Some(self);
        }
        find(self.children(), tag)
    }
}

/// The first object with `tag` in `objects` and their descendants, depth first in order.
pub(super) fn find(objects: &[Tlv], tag: Tag) -> Option<&Tlv> {
    objects.iter().find_map(|o| o.find(tag))
}

/// Parses BER-TLV: the objects at the top level, in input order, sensitive values masked.
/// Padding bytes 0x00 and 0xFF between objects are skipped, as EMV allows.
pub fn parse(input: &[u8]) -> Result<Vec<Tlv>, TlvError> {
    if input.len() > MAX_INPUT {
        return Err(TlvError::InputTooLarge { len: input.len(), max: MAX_INPUT });
    }
    let mut count = 0;
    parse_level(input, 0, 0, &mut count)
}

/// Parses the objects in `data`, which starts at `base` in the input and sits inside `open`
/// templates. Recursion is bounded by [`MAX_DEPTH`].
fn parse_level(
    data: &[u8],
    base: usize,
    open: usize,
    count: &mut usize,
) -> Result<Vec<Tlv>, TlvError> {
    let mut objects = Vec::new();
    let mut pos = 0;
    while let Some(&byte) = data.get(pos) {
        if byte == 0x00 || byte == 0xFF {
            pos += 1;
            continue;
        }
        let start = base + pos;
        *count += 1;
        if *count > MAX_ELEMENTS {
            return Err(TlvError::TooManyElements { offset: start, max: MAX_ELEMENTS });
        }
        let (tag, tag_len) = read_tag(&data[pos..], start)?;
        pos += tag_len;
        let (length, length_len) = read_length(&data[pos..], base + pos, tag)?;
        pos += length_len;
        let available = data.len() - pos;
        if length > available {
            return Err(TlvError::ValuePastEnd { offset: start, tag, length, available });
        }
        let bytes = &data[pos..pos + length];
        let value = if tag.is_constructed() {
            if open >= MAX_DEPTH {
                return Err(TlvError::TooDeep { offset: start, max: MAX_DEPTH });
            }
            Value::Constructed(parse_level(bytes, base + pos, open + 1, count)?)
        } else {
            mask::mask(tag, bytes)
        };
        pos += length;
        objects.push(Tlv { tag, value });
    }
    Ok(objects)
}

/// Reads the tag at the start of `data` (not empty, not padding); `offset` is where it is.
fn read_tag(data: &[u8], offset: usize) -> Result<(Tag, usize), TlvError> {
    let first = data.first().copied().ok_or(TlvError::TagTruncated { offset })?;
    let mut value = u32::from(first);
    if first & 0x1F != 0x1F {
        return Ok((Tag(value), 1));
    }
    for i in 1..MAX_TAG_BYTES {
        let byte = data.get(i).copied().ok_or(TlvError::TagTruncated { offset })?;
        value = (value << 8) | u32::from(byte);
        if byte & 0x80 == 0 {
            return Ok((Tag(value), i + 1));
        }
    }
    Err(TlvError::TagTooLong { offset, max: MAX_TAG_BYTES })
}

/// Reads the length at the start of `data`; `offset` is where it is.
fn read_length(data: &[u8], offset: usize, tag: Tag) -> Result<(usize, usize), TlvError> {
    let first = data.first().copied().ok_or(TlvError::LengthMissing { offset, tag })?;
    if first < 0x80 {
        return Ok((usize::from(first), 1));
    }
    let count = usize::from(first & 0x7F);
    if count == 0 {
        return Err(TlvError::IndefiniteLength { offset });
    }
    if count > MAX_LENGTH_BYTES {
        return Err(TlvError::LengthTooLong { offset, count });
    }
    let bytes = data.get(1..=count).ok_or(TlvError::LengthTruncated { offset })?;
    // At most four bytes: fits a u64, and a usize on every target the core runs on; a length
    // that does not fit is past the end of any input anyway.
    let length = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    Ok((usize::try_from(length).unwrap_or(usize::MAX), 1 + count))
}

/// Encodes `objects` as BER-TLV, with the shortest length forms. Masked values and trees
/// deeper than [`MAX_DEPTH`] templates are refused.
pub fn encode(objects: &[Tlv]) -> Result<Vec<u8>, TlvError> {
    let mut out = Vec::new();
    for object in objects {
        encode_into(object, 0, &mut out)?;
    }
    Ok(out)
}

fn encode_into(object: &Tlv, open: usize, out: &mut Vec<u8>) -> Result<(), TlvError> {
    let tag = object.tag;
    tag.write(out);
    match &object.value {
        Value::Primitive(bytes) => {
            write_length(tag, bytes.len(), out)?;
            out.extend_from_slice(bytes);
        }
        Value::Masked(_) => return Err(TlvError::MaskedValue { tag }),
        Value::Constructed(children) => {
            if open >= MAX_DEPTH {
                return Err(TlvError::TooDeep { offset: 0, max: MAX_DEPTH });
            }
            let mut inner = Vec::new();
            for child in children {
                encode_into(child, open + 1, &mut inner)?;
            }
            write_length(tag, inner.len(), out)?;
            out.extend_from_slice(&inner);
        }
    }
    Ok(())
}

fn write_length(tag: Tag, length: usize, out: &mut Vec<u8>) -> Result<(), TlvError> {
    let wide = u32::try_from(length).map_err(|_| TlvError::ValueTooLong { tag, length })?;
    if wide < 0x80 {
        out.push(wide as u8);
        return Ok(());
    }
    let bytes = wide.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    out.push(0x80 | (4 - skip) as u8);
    out.extend_from_slice(&bytes[skip..]);
    Ok(())
}
