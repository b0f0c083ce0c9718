//! Bytes of QR segments to text: the character sets payment and receipt codes use, and the
//! guess ZXing makes for byte segments without an ECI (UTF-8, Shift JIS or ISO-8859-1).

use std::sync::OnceLock;

use super::segments::SegmentError;

/// A character set of byte segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Charset {
    /// ISO-8859-1 (also ZXing's reading of binary data): each byte one character.
    Latin1,
    /// UTF-8.
    Utf8,
    /// Shift JIS (Kanji segments, and byte segments that look like it).
    ShiftJis,
    /// A character set that agrees with ASCII below 0x80 (the other ISO-8859 parts, the
    /// Windows code pages, Big5, GB18030, EUC-KR): read only where every byte is ASCII.
    AsciiOnly,
}

impl Charset {
    /// The character set an ECI assignment number designates, or `None` for those that are
    /// not ASCII-compatible or unknown (UTF-16, UTF-32, code page 437 beyond ASCII…).
    pub(crate) fn of_eci(value: u32) -> Option<Charset> {
        match value {
            1 | 3 | 899 => Some(Charset::Latin1),
            26 => Some(Charset::Utf8),
            20 => Some(Charset::ShiftJis),
            // Code page 437 (0, 2), ISO-8859-2…16 (4–18), Windows 1250–1252, 1256 (21–24),
            // Big5 (28), GB18030 (29), EUC-KR (30), US-ASCII (27, 170).
            0 | 2 | 4..=18 | 21..=24 | 27..=30 | 170 => Some(Charset::AsciiOnly),
            _ => None,
        }
    }
}

/// `bytes` as text in `charset`, or in the one ZXing would guess for them (`None`).
pub(crate) fn decode_bytes(bytes: &[u8], charset: Option<Charset>) -> Result<String, SegmentError> {
    let charset = charset.unwrap_or_else(|| guess(bytes));
    match charset {
        Charset::Latin1 => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
        Charset::Utf8 => String::from_utf8(bytes.to_vec()).map_err(|_| SegmentError::Charset),
        Charset::ShiftJis => shift_jis(bytes).ok_or(SegmentError::Charset),
        Charset::AsciiOnly if bytes.is_ascii() => {
            Ok(bytes.iter().map(|&b| char::from(b)).collect())
        }
        Charset::AsciiOnly => Err(SegmentError::Charset),
    }
}

/// Shift JIS as the WHATWG decodes it: ASCII, half-width katakana, and two-byte codes.
pub(crate) fn shift_jis(bytes: &[u8]) -> Option<String> {
    static CODES: OnceLock<Vec<(u16, char)>> = OnceLock::new();
    let codes = CODES.get_or_init(|| two_byte_codes(encoding_rs::SHIFT_JIS));
    let mut text = String::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            0x00..=0x80 => text.push(char::from(b)),
            0xA1..=0xDF => text.push(char::from_u32(0xFF61 + u32::from(b - 0xA1))?),
            _ => {
                let code = u16::from_be_bytes([b, *bytes.get(i + 1)?]);
                text.push(lookup(codes, code)?);
                i += 1;
            }
        }
        i += 1;
    }
    Some(text)
}

/// GB2312 (two-byte codes only, as Hanzi segments hold them).
pub(crate) fn gb2312(bytes: &[u8]) -> Option<String> {
    static CODES: OnceLock<Vec<(u16, char)>> = OnceLock::new();
    let codes = CODES.get_or_init(|| two_byte_codes(encoding_rs::GB18030));
    bytes
        .chunks(2)
        .map(|pair| match *pair {
            [high, low] => lookup(codes, u16::from_be_bytes([high, low])),
            _ => None,
        })
        .collect()
}

fn lookup(codes: &[(u16, char)], code: u16) -> Option<char> {
    codes.binary_search_by_key(&code, |&(c, _)| c).ok().map(|i| codes[i].1)
}

/// The BMP blocks that hold every character of JIS X 0208 (with IBM's extensions) and of
/// GB2312 as GB18030 maps it: alphabets (pinyin's among them), punctuation and symbols; CJK
/// symbols, kana and enclosed forms; CJK ideographs; compatibility ideographs; vertical,
/// full- and half-width forms.
const CJK_BLOCKS: [(char, char); 5] = [
    ('\u{80}', '\u{2FFF}'),
    ('\u{3000}', '\u{33FF}'),
    ('\u{4E00}', '\u{9FFF}'),
    ('\u{F900}', '\u{FAFF}'),
    ('\u{FE10}', '\u{FFFF}'),
];

/// The two-byte codes of `encoding` and their characters, sorted by code. Found by encoding
/// the characters of [`CJK_BLOCKS`] (once, on the first segment that needs them: about 35,000
/// encoder calls): the encoders are in the library already (ESC/POS printing), while the
/// decoders would bring every other character set's decoder and tables with them. Where two
/// characters share a code (Shift JIS U+2212 and U+FF0D), the decoders give the later one.
fn two_byte_codes(encoding: &'static encoding_rs::Encoding) -> Vec<(u16, char)> {
    let mut codes = Vec::new();
    let (mut utf8, mut out) = ([0u8; 4], [0u8; 8]);
    for c in CJK_BLOCKS.iter().flat_map(|&(first, last)| first..=last) {
        let mut encoder = encoding.new_encoder();
        let (result, _, written) =
            encoder.encode_from_utf8_without_replacement(c.encode_utf8(&mut utf8), &mut out, true);
        if result == encoding_rs::EncoderResult::InputEmpty && written == 2 {
            codes.push((u16::from_be_bytes([out[0], out[1]]), c));
        }
    }
    // Stable: among equal codes the later character comes last, and is the one kept.
    codes.sort_by_key(|&(code, _)| code);
    codes.reverse();
    codes.dedup_by_key(|&mut (code, _)| code);
    codes.reverse();
    codes
}

/// ZXing's guess for a byte segment without an ECI: UTF-8 when the bytes hold multi-byte
/// sequences and are valid UTF-8; otherwise Shift JIS when they are valid Shift JIS and look
/// like Japanese (three double-byte or half-width katakana characters in a row, or ISO-8859-1
/// would read many of them as rarely used symbols); otherwise ISO-8859-1.
fn guess(bytes: &[u8]) -> Charset {
    if bytes.is_ascii() {
        return Charset::Latin1;
    }
    if std::str::from_utf8(bytes).is_ok() {
        return Charset::Utf8;
    }
    let latin1 = !bytes.iter().any(|&b| (0x7F..0xA0).contains(&b));
    let Some(runs) = shift_jis_runs(bytes) else {
        return Charset::Latin1;
    };
    if !latin1 {
        return Charset::ShiftJis;
    }
    // ISO-8859-1 symbols (¡ to ¿, ×, ÷) that text in it rarely has many of.
    let symbols = bytes.iter().filter(|&&b| (0xA0..0xC0).contains(&b) || b == 0xD7 || b == 0xF7);
    if runs >= 3 || symbols.count() * 10 >= bytes.len() {
        Charset::ShiftJis
    } else {
        Charset::Latin1
    }
}

/// The longest run of double-byte or of half-width katakana characters if `bytes` are
/// valid Shift JIS, else `None`.
fn shift_jis_runs(bytes: &[u8]) -> Option<usize> {
    shift_jis(bytes)?;
    let (mut i, mut double, mut kana, mut longest) = (0, 0, 0, 0usize);
    while i < bytes.len() {
        let b = bytes[i];
        if (0xA1..=0xDF).contains(&b) {
            kana += 1;
            double = 0;
            i += 1;
        } else if b >= 0x80 {
            double += 1;
            kana = 0;
            i += 2;
        } else {
            double = 0;
            kana = 0;
            i += 1;
        }
        longest = longest.max(double).max(kana);
    }
    Some(longest)
}
