//! Why BER-TLV was refused or could not be built.

use super::tlv::Tag;

/// Why BER-TLV was refused. Offsets are from the start of the whole input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlvError {
    /// The input is larger than [`MAX_INPUT`](super::MAX_INPUT).
    #[error("input is {len} bytes, more than the {max} accepted")]
    InputTooLarge {
        /// Its size.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A multi-byte tag does not end within [`MAX_TAG_BYTES`](super::MAX_TAG_BYTES) bytes.
    #[error("at byte {offset}: tag longer than {max} bytes")]
    TagTooLong {
        /// Where the tag starts.
        offset: usize,
        /// The limit.
        max: usize,
    },
    /// The input ends inside a tag (its last byte still says "more follows").
    #[error("at byte {offset}: tag never ends (input ends inside it)")]
    TagTruncated {
        /// Where the tag starts.
        offset: usize,
    },
    /// The input ends after a tag, before its length.
    #[error("at byte {offset}: tag {tag} has no length (input ends)")]
    LengthMissing {
        /// Where the length should be.
        offset: usize,
        /// The tag.
        tag: Tag,
    },
    /// The indefinite length `0x80`, which EMV does not allow.
    #[error("at byte {offset}: indefinite length (0x80) is not allowed")]
    IndefiniteLength {
        /// Where the length byte is.
        offset: usize,
    },
    /// A long-form length with more than four length bytes.
    #[error("at byte {offset}: length uses {count} bytes, at most 4 are allowed")]
    LengthTooLong {
        /// Where the length byte is.
        offset: usize,
        /// How many length bytes it announces.
        count: usize,
    },
    /// The input ends inside a long-form length.
    #[error("at byte {offset}: length truncated (input ends inside it)")]
    LengthTruncated {
        /// Where the length byte is.
        offset: usize,
    },
    /// A value runs past the end of the input (or of its template).
    #[error("at byte {offset}: tag {tag} has length {length} but only {available} bytes follow")]
    ValuePastEnd {
        /// Where the object starts.
        offset: usize,
        /// Its tag.
        tag: Tag,
        /// The length it announces.
        length: usize,
        /// The bytes left in the input or the enclosing template.
        available: usize,
    },
    /// Templates nested deeper than [`MAX_DEPTH`](super::MAX_DEPTH).
    #[error("at byte {offset}: templates nested deeper than {max}")]
    TooDeep {
        /// Where the template that is one too deep starts (0 when building).
        offset: usize,
        /// The limit.
        max: usize,
    },
    /// More than [`MAX_ELEMENTS`](super::MAX_ELEMENTS) objects.
    #[error("at byte {offset}: more than {max} objects")]
    TooManyElements {
        /// Where the object that is one too many starts.
        offset: usize,
        /// The limit.
        max: usize,
    },
    /// Bytes that are not a valid tag ([`Tag::new`], [`Tag::from_bytes`]).
    #[error("not a valid tag: {hex}")]
    InvalidTag {
        /// The tag as given, hex.
        hex: String,
    },
    /// A primitive value given for a constructed tag, or children for a primitive one.
    #[error("tag {tag} is {}, not {}", if *.constructed { "constructed" } else { "primitive" },
        if *.constructed { "primitive" } else { "constructed" })]
    WrongKind {
        /// The tag.
        tag: Tag,
        /// Whether the tag is a constructed one.
        constructed: bool,
    },
    /// A masked value cannot be encoded: its raw bytes are gone, by design.
    #[error("tag {tag} is masked and cannot be encoded")]
    MaskedValue {
        /// The tag.
        tag: Tag,
    },
    /// A value too long for a four-byte length.
    #[error("tag {tag}: value of {length} bytes is too long to encode")]
    ValueTooLong {
        /// The tag.
        tag: Tag,
        /// Its length.
        length: usize,
    },
}
