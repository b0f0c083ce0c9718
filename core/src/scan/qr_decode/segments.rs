//! A QR symbol's data codewords to text: numeric, alphanumeric, byte and Kanji segments, ECI
//! designators, structured-append headers, FNC1 (GS1) markers and GB2312 Hanzi segments.
//! Other Hanzi subsets, reserved modes, and character sets other than ISO-8859-1, UTF-8,
//! Shift JIS and (for ASCII bytes) the ASCII-compatible ones are refused with [`SegmentError`].

use super::text::{decode_bytes, gb2312, Charset};

/// Why the data codewords do not make text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SegmentError {
    /// A segment runs past the end of the data.
    #[error("a segment runs past the end of the data")]
    Truncated,
    /// A mode indicator this decoder does not read (a reserved value, or a Hanzi subset
    /// other than GB2312).
    #[error("unsupported segment mode {0:#06b}")]
    Mode(u8),
    /// A digit group or alphanumeric pair out of range.
    #[error("a numeric or alphanumeric group is out of range")]
    BadValue,
    /// An ECI designator that is malformed or names a character set this decoder lacks
    /// for the bytes at hand.
    #[error("unsupported or malformed ECI {0}")]
    Eci(u32),
    /// Bytes not valid in their declared character set.
    #[error("bytes not valid in their character set")]
    Charset,
}

/// Reads bits most significant first.
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Bits<'_> {
    fn left(&self) -> usize {
        self.data.len() * 8 - self.pos
    }

    fn read(&mut self, count: usize) -> Result<u32, SegmentError> {
        if count > self.left() || count > 32 {
            return Err(SegmentError::Truncated);
        }
        let mut value = 0u32;
        for _ in 0..count {
            let bit = (self.data[self.pos / 8] >> (7 - self.pos % 8)) & 1;
            value = (value << 1) | u32::from(bit);
            self.pos += 1;
        }
        Ok(value)
    }
}

const ALPHANUMERIC: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
/// The group separator FNC1 stands for in GS1 data.
const GS: char = '\u{1d}';

/// The text of `data` (a version-`version` symbol's corrected data codewords; `model1`: a
/// Model 1 symbol's, whose stream starts with four zero bits).
pub(crate) fn decode(data: &[u8], version: usize, model1: bool) -> Result<String, SegmentError> {
    let size = match version {
        0..=9 => 0,
        10..=26 => 1,
        _ => 2,
    };
    let mut bits = Bits { data, pos: 0 };
    if model1 {
        bits.read(4)?;
    }
    let mut out = String::new();
    // Bytes under an ECI, decoded together when the character set changes or at the end.
    let mut pending: Vec<u8> = Vec::new();
    let mut eci: Option<Charset> = None;
    let mut gs1 = false;
    while bits.left() >= 4 {
        let mode = bits.read(4)? as u8;
        match mode {
            0b0000 => break,
            0b0001 => {
                let count = bits.read([10, 12, 14][size])? as usize;
                numeric(&mut bits, count, &mut pending)?;
            }
            0b0010 => {
                let count = bits.read([9, 11, 13][size])? as usize;
                alphanumeric(&mut bits, count, gs1, &mut pending)?;
            }
            0b0100 => {
                let count = bits.read([8, 16, 16][size])? as usize;
                let mut bytes = Vec::with_capacity(count);
                for _ in 0..count {
                    bytes.push(bits.read(8)? as u8);
                }
                match eci {
                    Some(_) => pending.extend_from_slice(&bytes),
                    None => {
                        flush(&mut pending, None, &mut out)?;
                        out.push_str(&decode_bytes(&bytes, None)?);
                    }
                }
            }
            0b1000 => {
                let count = bits.read([8, 10, 12][size])? as usize;
                let mut bytes = Vec::with_capacity(2 * count);
                for _ in 0..count {
                    // 13 bits: the Shift JIS code less 0x8140 or 0xC140, in base 0xC0.
                    let value = bits.read(13)?;
                    let code = ((value / 0xC0) << 8) | (value % 0xC0);
                    let code = code + if code < 0x1F00 { 0x8140 } else { 0xC140 };
                    bytes.extend_from_slice(&(code as u16).to_be_bytes());
                }
                flush(&mut pending, eci, &mut out)?;
                out.push_str(&decode_bytes(&bytes, Some(Charset::ShiftJis))?);
            }
            0b0111 => {
                let value = eci_value(&mut bits)?;
                flush(&mut pending, eci, &mut out)?;
                eci = Some(Charset::of_eci(value).ok_or(SegmentError::Eci(value))?);
            }
            0b0011 => {
                // Structured append: sequence, count and parity; the text is this symbol's.
                bits.read(16)?;
            }
            0b0101 => gs1 = true,
            0b1001 => {
                // FNC1 in second position: the application indicator is not text.
                bits.read(8)?;
                gs1 = true;
            }
            0b1101 => {
                // Hanzi: a subset (1: GB2312), then 13 bits a character: the GB2312 code less
                // 0xA1A1 or 0xA6A1, in base 0x60.
                let subset = bits.read(4)?;
                let count = bits.read([8, 10, 12][size])? as usize;
                if subset != 1 {
                    return Err(SegmentError::Mode(mode));
                }
                let mut bytes = Vec::with_capacity(2 * count);
                for _ in 0..count {
                    let value = bits.read(13)?;
                    let code = ((value / 0x60) << 8) | (value % 0x60);
                    let code = code + if code < 0x0A00 { 0xA1A1 } else { 0xA6A1 };
                    bytes.extend_from_slice(&(code as u16).to_be_bytes());
                }
                flush(&mut pending, eci, &mut out)?;
                out.push_str(&gb2312(&bytes).ok_or(SegmentError::Charset)?);
            }
            other => return Err(SegmentError::Mode(other)),
        }
    }
    flush(&mut pending, eci, &mut out)?;
    Ok(out)
}

/// Appends `pending` decoded in `eci`'s character set (ASCII without one) and empties it.
fn flush(
    pending: &mut Vec<u8>,
    eci: Option<Charset>,
    out: &mut String,
) -> Result<(), SegmentError> {
    if !pending.is_empty() {
        out.push_str(&decode_bytes(pending, Some(eci.unwrap_or(Charset::Latin1)))?);
        pending.clear();
    }
    Ok(())
}

fn numeric(bits: &mut Bits<'_>, count: usize, out: &mut Vec<u8>) -> Result<(), SegmentError> {
    let mut left = count;
    while left > 0 {
        let (width, digits, limit) = match left {
            1 => (4, 1, 10),
            2 => (7, 2, 100),
            _ => (10, 3, 1000),
        };
        let value = bits.read(width)?;
        if value >= limit {
            return Err(SegmentError::BadValue);
        }
        let text = format!("{value:0digits$}");
        out.extend_from_slice(text.as_bytes());
        left -= digits;
    }
    Ok(())
}

fn alphanumeric(
    bits: &mut Bits<'_>,
    count: usize,
    gs1: bool,
    out: &mut Vec<u8>,
) -> Result<(), SegmentError> {
    let mut chars = Vec::with_capacity(count);
    let mut left = count;
    while left > 0 {
        if left == 1 {
            let value = bits.read(6)? as usize;
            chars.push(*ALPHANUMERIC.get(value).ok_or(SegmentError::BadValue)?);
            break;
        }
        let value = bits.read(11)? as usize;
        if value >= 45 * 45 {
            return Err(SegmentError::BadValue);
        }
        chars.push(ALPHANUMERIC[value / 45]);
        chars.push(ALPHANUMERIC[value % 45]);
        left -= 2;
    }
    if !gs1 {
        out.extend_from_slice(&chars);
        return Ok(());
    }
    // In GS1 data "%%" is a percent sign and a lone "%" is FNC1, the group separator.
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == b'%' {
            if chars.get(i + 1) == Some(&b'%') {
                out.push(b'%');
                i += 1;
            } else {
                out.push(GS as u8);
            }
        } else {
            out.push(chars[i]);
        }
        i += 1;
    }
    Ok(())
}

/// An ECI designator: one, two or three bytes, told apart by the first's leading bits.
fn eci_value(bits: &mut Bits<'_>) -> Result<u32, SegmentError> {
    let first = bits.read(8)?;
    if first & 0x80 == 0 {
        Ok(first)
    } else if first & 0xC0 == 0x80 {
        Ok((first & 0x3F) << 8 | bits.read(8)?)
    } else if first & 0xE0 == 0xC0 {
        Ok((first & 0x1F) << 16 | bits.read(16)?)
    } else {
        Err(SegmentError::Eci(first))
    }
}
