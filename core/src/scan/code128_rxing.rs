//! rxing's Code 128 reader on rows of its binarized image: the last Code 128 pass, for what
//! the scan lines of [`super::code128_lines`] missed (a row threshold copes with some moiré and
//! defocus that edges on the difference do not).
//!
//! rxing's own row loop, with try-harder, reads every second row of a 720p frame (and every
//! fourth of a 1080p one), and was the largest Code 128 cost of a frame without a code. The
//! rows here are [`ROWS`] to the image's height instead (at least a pixel apart: every third
//! row at 720p, every fourth at 1080p), from the middle outwards, each read both ways. Fewer
//! rows lose frames: a defocused symbol in the test sets reads on every third row but not on
//! every fourth (rxing takes the first row that decodes, with its own checks).

use rxing::oned::{Code128Reader, OneDReader};
use rxing::{Binarizer, BinaryBitmap, DecodeHints};

/// Rows read over the image's height.
const ROWS: usize = 240;

/// Reads the first Code 128 symbol rxing finds on the rows of `bitmap`, or `None`.
pub(crate) fn read_rows<B: Binarizer>(bitmap: &BinaryBitmap<B>) -> Option<String> {
    let height = bitmap.get_height();
    let step = (height / ROWS).max(1);
    let hints = DecodeHints { TryHarder: Some(true), ..DecodeHints::default() };
    let middle = height / 2;
    let mut reader = Code128Reader;
    for k in 0..=height / step {
        // 0, +1, -1, +2, -2, ... steps from the middle.
        let away = k.div_ceil(2) * step;
        let y = if k % 2 == 1 { middle.checked_add(away) } else { middle.checked_sub(away) };
        let Some(y) = y.filter(|&y| y < height) else {
            continue;
        };
        let Ok(mut row) = bitmap.get_black_row(y) else {
            continue;
        };
        for attempt in 0..2 {
            if attempt == 1 {
                row.to_mut().reverse();
            }
            if let Ok(result) = reader.decode_row(y as u32, &row, &hints) {
                return Some(result.getText().to_owned());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use rxing::common::HybridBinarizer;
    use rxing::Luma8Source;

    use super::*;
    use crate::scan::code128_lines::tests::{render_row, set_c};

    fn read(pixels: &[u8], width: u32, height: u32) -> Option<String> {
        let source = Luma8Source::new_with_slice(pixels, width, height).ok()?;
        read_rows(&BinaryBitmap::new(HybridBinarizer::new(source)))
    }

    #[test]
    fn reads_a_symbol_off_the_middle_upright_and_upside_down() {
        let (width, height) = (500usize, 640usize);
        let mut row = render_row(&set_c(&[28, 65, 7, 20, 86]), 3.0, 10.0);
        for upside_down in [false, true] {
            if upside_down {
                row.reverse();
            }
            // Ten rows tall, near the top: 240 rows over 640 are two apart.
            let mut pixels = vec![230u8; width * height];
            for y in 30..40 {
                pixels[y * width..y * width + row.len()].copy_from_slice(&row);
            }
            assert_eq!(read(&pixels, width as u32, height as u32).as_deref(), Some("2865072086"));
        }
        assert_eq!(read(&vec![230u8; width * height], width as u32, height as u32), None);
    }
}
