//! Masking of sensitive values on parse: the raw bytes never reach the public tree.
//!
//! A value that does not have the expected structure (a PAN with letters, track 2 without its
//! separator) is masked entirely rather than guessed at, so malformed card data cannot leak
//! either.

use super::tags::{mask_rule, MaskRule};
use super::tlv::{Masked, Tag, Value};

/// The shortest PAN shown as first 6 / last 4: anything shorter would reveal too much of it
/// (at least three digits stay hidden), so it is all stars.
const MIN_PARTLY_SHOWN: usize = 13;
/// The longest PAN (ISO/IEC 7812).
const MAX_PAN_DIGITS: usize = 19;

/// The value of primitive `tag`, masked when the dictionary says so.
pub(super) fn mask(tag: Tag, bytes: &[u8]) -> Value {
    let masked = match mask_rule(tag) {
        MaskRule::None => return Value::Primitive(bytes.to_vec()),
        MaskRule::Pan => pan(bytes),
        MaskRule::Track2 => track2(bytes),
        MaskRule::Track1 => track1(bytes),
        MaskRule::Whole => Masked { text: stars(bytes.len()), pan: None },
    };
    Value::Masked(masked)
}

/// Masks PAN digits: `4761739001010119` → `476173******0119`.
pub(super) fn mask_pan_digits(digits: &str) -> String {
    if digits.len() < MIN_PARTLY_SHOWN {
        return stars(digits.len());
    }
    let (head, rest) = digits.split_at(6);
    let tail = &rest[rest.len() - 4..];
    format!("{head}{}{tail}", stars(rest.len() - 4))
}

fn stars(n: usize) -> String {
    "*".repeat(n)
}

/// The BCD nibbles of `bytes` as characters 0-9 and A-F.
fn nibbles(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().flat_map(|b| [b >> 4, b & 0x0F]).collect()
}

/// A PAN's digits, if `digits` (nibble values) are 1 to 19 decimal digits.
fn pan_digits(digits: &[u8]) -> Option<String> {
    if digits.is_empty() || digits.len() > MAX_PAN_DIGITS || digits.iter().any(|d| *d > 9) {
        return None;
    }
    Some(digits.iter().map(|d| char::from(b'0' + d)).collect())
}

/// 5A, format cn: digits padded on the right with F.
fn pan(bytes: &[u8]) -> Masked {
    let all = nibbles(bytes);
    let digits = trim_padding(&all);
    match pan_digits(digits) {
        Some(pan) => {
            let text = mask_pan_digits(&pan);
            Masked { pan: Some(text.clone()), text }
        }
        None => Masked { text: stars(digits.len()), pan: None },
    }
}

fn trim_padding(nibbles: &[u8]) -> &[u8] {
    let end = nibbles.iter().rposition(|n| *n != 0x0F).map_or(0, |i| i + 1);
    &nibbles[..end]
}

/// 57 and 9F6B: PAN, separator D, expiry YYMM, service code, discretionary data, F padding.
fn track2(bytes: &[u8]) -> Masked {
    let all = nibbles(bytes);
    let nibbles = trim_padding(&all);
    let parsed = nibbles.iter().position(|n| *n == 0x0D).and_then(|sep| {
        let pan = pan_digits(&nibbles[..sep])?;
        Some((mask_pan_digits(&pan), nibbles.len() - sep - 1))
    });
    match parsed {
        Some((pan, rest)) => Masked { text: format!("{pan}D{}", stars(rest)), pan: Some(pan) },
        None => Masked { text: stars(nibbles.len()), pan: None },
    }
}

/// 56: `B`, PAN, `^`, name, `^`, expiry, service code, discretionary data (ASCII).
fn track1(bytes: &[u8]) -> Masked {
    let parsed = bytes.split_first().and_then(|(format, rest)| {
        if *format != b'B' {
            return None;
        }
        let sep = rest.iter().position(|b| *b == b'^')?;
        let digits: Vec<u8> =
            rest[..sep].iter().map(|b| if b.is_ascii_digit() { b - b'0' } else { 0xFF }).collect();
        let pan = mask_pan_digits(&pan_digits(&digits)?);
        Some((pan, rest.len() - sep - 1))
    });
    match parsed {
        Some((pan, rest)) => Masked { text: format!("B{pan}^{}", stars(rest)), pan: Some(pan) },
        None => Masked { text: stars(bytes.len()), pan: None },
    }
}
