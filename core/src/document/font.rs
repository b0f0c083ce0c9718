//! The embedded bitmap font: a subset of GNU Unifont (8×16 and 16×16 glyphs; dual-licensed
//! GPL-2.0+ with the font embedding exception and SIL OFL 1.1), made by
//! `scripts/receipt-font.py`: printable ASCII, Latin-1, common punctuation, full-width forms
//! and the characters of the receipt and report labels, about 17 KB. A character outside it is drawn as
//! a box.

static FONT: &[u8] = include_bytes!("font.bin");
const HEADER: usize = 4;
const RECORD: usize = 36;

/// One glyph's bitmap.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Glyph {
    /// 8 or 16 pixels.
    pub width: usize,
    rows: &'static [u8],
}

impl Glyph {
    /// Whether pixel (`x`, `y`) is ink (`x` < width, `y` < 16).
    pub fn ink(&self, x: usize, y: usize) -> bool {
        let bytes_per_row = self.width / 8;
        let Some(byte) = self.rows.get(y * bytes_per_row + x / 8) else { return false };
        byte & (0x80 >> (x % 8)) != 0
    }
}

fn records() -> &'static [u8] {
    match FONT.get(..HEADER) {
        Some(b"TKF1") => &FONT[HEADER..FONT.len() - (FONT.len() - HEADER) % RECORD],
        _ => &[],
    }
}

fn code_point(record: &[u8]) -> u32 {
    u32::from(record[0]) << 16 | u32::from(record[1]) << 8 | u32::from(record[2])
}

/// The glyph of `c`, if the font has it.
pub(crate) fn glyph(c: char) -> Option<Glyph> {
    let records = records();
    let n = records.len() / RECORD;
    let (mut lo, mut hi) = (0, n);
    let want = c as u32;
    while lo < hi {
        let mid = (lo + hi) / 2;
        let r = &records[mid * RECORD..(mid + 1) * RECORD];
        match code_point(r).cmp(&want) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => {
                return Some(Glyph { width: usize::from(r[3]).clamp(8, 16), rows: &r[4..] });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receipt::{Label, Locale};
    use crate::report::ReportLabel;

    #[test]
    fn every_label_character_is_in_the_font() {
        for label in Label::ALL {
            for locale in Locale::ALL {
                for c in label.text(locale).chars() {
                    assert!(glyph(c).is_some(), "{c:?} of {label:?} in {locale:?}");
                }
            }
        }
        for label in ReportLabel::ALL {
            for locale in Locale::ALL {
                for c in label.text(locale).chars() {
                    assert!(glyph(c).is_some(), "{c:?} of {label:?} in {locale:?}");
                }
            }
        }
        for c in (' '..='~').chain("é¥€。，：".chars()) {
            assert!(glyph(c).is_some(), "{c:?}");
        }
        assert!(glyph('\u{4E28}').is_none(), "a rare ideograph is not in the subset");
        let a = glyph('A').map(|g| {
            (0..16).flat_map(|y| (0..8).map(move |x| (x, y))).filter(|&(x, y)| g.ink(x, y)).count()
        });
        assert!(a.is_some_and(|n| n > 10), "{a:?}");
        assert_eq!(glyph('中').map(|g| g.width), Some(16));
    }
}
