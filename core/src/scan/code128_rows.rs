//! Code 128 on rows of a binarized image (rxing's hybrid binarizer): the last Code 128 pass,
//! for what the scan lines of [`super::code128_lines`] missed (a row threshold copes with some
//! moiré and defocus that edges on the difference do not). The rows' runs go to our own symbol
//! reader ([`super::code128::decode_line`]); rxing's Code 128 reader did this before, and on the
//! benchmark sets ours reads every frame it read, and one blurred frame more.
//!
//! The rows are [`ROWS`] to the image's height (at least a pixel apart: every third row at
//! 720p, every fourth at 1080p), from the middle outwards, each read both ways. Fewer rows lose
//! frames: a defocused symbol in the test sets reads on every third row but not on every fourth.

use rxing::{Binarizer, BinaryBitmap};

use super::code128::decode_line;
use super::elements::Elements;

/// Rows read over the image's height.
const ROWS: usize = 240;

/// Reads the first Code 128 symbol found on the rows of `bitmap`, or `None`.
pub(crate) fn read_rows<B: Binarizer>(bitmap: &BinaryBitmap<B>) -> Option<String> {
    let (width, height) = (bitmap.get_width(), bitmap.get_height());
    let step = (height / ROWS).max(1);
    let middle = height / 2;
    let mut widths = Vec::new();
    for k in 0..=height / step {
        // 0, +1, -1, +2, -2, ... steps from the middle.
        let away = k.div_ceil(2) * step;
        let y = if k % 2 == 1 { middle.checked_add(away) } else { middle.checked_sub(away) };
        let Some(y) = y.filter(|&y| y < height) else {
            continue;
        };
        let Ok(row) = bitmap.get_black_row(y) else {
            continue;
        };
        // The row's runs of dark and light pixels are its elements.
        widths.clear();
        let mut run = 0.0f32;
        for x in 0..width {
            if x > 0 && row.get(x) != row.get(x - 1) {
                widths.push(run);
                run = 0.0;
            }
            run += 1.0;
        }
        widths.push(run);
        let elements = Elements::from_widths(std::mem::take(&mut widths), width > 0 && row.get(0));
        if let Some(text) = decode_line(&elements) {
            return Some(text);
        }
        widths = elements.widths;
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
