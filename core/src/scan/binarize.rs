//! A fast local-average binarizer for rxing's 2D readers.
//!
//! The algorithm is ZXing's hybrid binarizer (8×8 blocks, a black point per block, a 5×5
//! block neighbourhood average as each block's threshold), written over plain slices. rxing's
//! own version copies the image and goes through its luminance-source interface pixel by
//! pixel; on the QR test images it was about half of the whole decode time.

use std::borrow::Cow;

use rxing::common::{
    BitArray, BitFieldBaseType, BitMatrix, LineOrientation, Result, BIT_FIELD_BASE_BITS,
};
use rxing::{Binarizer, Luma8Source, LuminanceSource};

const BLOCK: usize = 8;
const MIN_DYNAMIC_RANGE: u32 = 24;
const WORD: usize = BIT_FIELD_BASE_BITS;
/// Below this size (either side) the block statistics are too coarse; callers use rxing's
/// own binarizer, which switches to a global histogram.
pub(crate) const MIN_SIDE: usize = 5 * BLOCK;

/// A binarizer whose black matrix is computed once, up front.
pub(crate) struct LocalBinarizer<'a> {
    source: Luma8Source<'a>,
    matrix: BitMatrix,
}

impl<'a> LocalBinarizer<'a> {
    /// Binarizes `pixels` (`width × height`, packed); `None` when too small or inconsistent.
    pub fn new(pixels: &'a [u8], width: usize, height: usize) -> Option<Self> {
        if width < MIN_SIDE || height < MIN_SIDE || pixels.len() != width.checked_mul(height)? {
            return None;
        }
        let source = Luma8Source::new_with_slice(pixels, width as u32, height as u32).ok()?;
        let matrix = black_matrix(pixels, width, height)?;
        Some(LocalBinarizer { source, matrix })
    }
}

/// The first pixel of block `i` along a side of `len` pixels (the last block is pulled back
/// inside the image for its statistics).
fn block_start(i: usize, len: usize) -> usize {
    (i * BLOCK).min(len - BLOCK)
}

fn black_matrix(pixels: &[u8], width: usize, height: usize) -> Option<BitMatrix> {
    let (bw, bh) = (width.div_ceil(BLOCK), height.div_ceil(BLOCK));
    let mut points = vec![0u32; bw * bh];
    for by in 0..bh {
        let y0 = block_start(by, height);
        for bx in 0..bw {
            let x0 = block_start(bx, width);
            let (mut sum, mut min, mut max) = (0u32, 255u8, 0u8);
            for row in pixels[y0 * width..].chunks(width).take(BLOCK) {
                let Some(eight) = row.get(x0..x0 + BLOCK) else { continue };
                for &p in eight {
                    sum += u32::from(p);
                    min = min.min(p);
                    max = max.max(p);
                }
            }
            let (min, max) = (u32::from(min), u32::from(max));
            let mut average = sum / (BLOCK * BLOCK) as u32;
            if max - min <= MIN_DYNAMIC_RANGE {
                // A flat block: assume it is background (light) unless its neighbours say
                // otherwise, as ZXing does.
                average = min / 2;
                if by > 0 && bx > 0 {
                    let up = points[(by - 1) * bw + bx];
                    let left = points[by * bw + bx - 1];
                    let diagonal = points[(by - 1) * bw + bx - 1];
                    let neighbours = (up + 2 * left + diagonal) / 4;
                    if min < neighbours {
                        average = neighbours;
                    }
                }
            }
            points[by * bw + bx] = average;
        }
    }
    // Each block's threshold: the mean black point of the 5×5 blocks around it (pulled
    // inside at the borders).
    let mut thresholds = vec![0u32; bw * bh];
    for by in 0..bh {
        let top = by.clamp(2, bh - 3);
        for bx in 0..bw {
            let left = bx.clamp(2, bw - 3);
            let sum: u32 = (top - 2..=top + 2)
                .map(|ny| points[ny * bw + left - 2..=ny * bw + left + 2].iter().sum::<u32>())
                .sum();
            thresholds[by * bw + bx] = sum / 25;
        }
    }
    // Pixels at or below their block's threshold are black, packed a machine word at a time
    // (rxing's bit order: least significant bit first).
    let mut matrix = BitMatrix::new(width as u32, height as u32).ok()?;
    let mut row_bits = BitArray::with_size(width);
    let full_blocks = width / BLOCK;
    for (y, row) in pixels.chunks_exact(width).enumerate() {
        let block_row = &thresholds[(y / BLOCK).min(bh - 1) * bw..][..bw];
        let mut word: BitFieldBaseType = 0;
        for (bx, eight) in row.chunks_exact(BLOCK).enumerate() {
            // Thresholds never exceed 255: a block's black point is a mean of pixels.
            let threshold = block_row[bx].min(255) as u8;
            let mut mask: BitFieldBaseType = 0;
            for (j, &p) in eight.iter().enumerate() {
                mask |= BitFieldBaseType::from(p <= threshold) << j;
            }
            let bit = bx * BLOCK;
            word |= mask << (bit % WORD);
            if (bit + BLOCK) % WORD == 0 {
                row_bits.setBulk(bit + BLOCK - WORD, word);
                word = 0;
            }
        }
        // The last partial block uses the last block's threshold.
        let threshold = block_row[bw - 1].min(255) as u8;
        for (x, &p) in row.iter().enumerate().skip(full_blocks * BLOCK) {
            word |= BitFieldBaseType::from(p <= threshold) << (x % WORD);
            if (x + 1) % WORD == 0 {
                row_bits.setBulk(x + 1 - WORD, word);
                word = 0;
            }
        }
        if width % WORD != 0 {
            row_bits.setBulk(width / WORD * WORD, word);
        }
        matrix.setRow(y as u32, &row_bits);
    }
    Some(matrix)
}

impl<'a> Binarizer for LocalBinarizer<'a> {
    type Source = Luma8Source<'a>;

    fn get_luminance_source(&self) -> &Self::Source {
        &self.source
    }

    fn get_black_row(&self, y: usize) -> Result<Cow<'_, BitArray>> {
        self.get_black_line(y, LineOrientation::Row)
    }

    fn get_black_row_from_matrix(&self, y: usize) -> Result<Cow<'_, BitArray>> {
        self.get_black_line(y, LineOrientation::Row)
    }

    fn get_black_matrix(&self) -> Result<&BitMatrix> {
        Ok(&self.matrix)
    }

    fn get_black_line(&self, l: usize, lt: LineOrientation) -> Result<Cow<'_, BitArray>> {
        let (bound, line) = match lt {
            LineOrientation::Row => {
                (self.matrix.height(), Self::row as fn(&BitMatrix, u32) -> BitArray)
            }
            LineOrientation::Column => {
                (self.matrix.width(), Self::column as fn(&BitMatrix, u32) -> BitArray)
            }
        };
        if l >= bound as usize {
            return Err(rxing::Exceptions::INDEX_OUT_OF_BOUNDS);
        }
        Ok(Cow::Owned(line(&self.matrix, l as u32)))
    }

    fn create_binarizer(&self, source: Self::Source) -> Self {
        // rxing calls this for crops and rotations; rebuild from the new source's pixels.
        let (width, height) = (source.get_width(), source.get_height());
        let pixels = source.get_matrix();
        let matrix = black_matrix(&pixels, width, height)
            .or_else(|| BitMatrix::new(width.max(1) as u32, height.max(1) as u32).ok())
            .unwrap_or_else(|| self.matrix.clone());
        LocalBinarizer { source, matrix }
    }

    fn get_width(&self) -> usize {
        self.matrix.width() as usize
    }

    fn get_height(&self) -> usize {
        self.matrix.height() as usize
    }
}

impl LocalBinarizer<'_> {
    fn row(matrix: &BitMatrix, y: u32) -> BitArray {
        matrix.getRow(y)
    }

    fn column(matrix: &BitMatrix, x: u32) -> BitArray {
        matrix.getCol(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dark_squares_on_a_gradient_are_black_and_the_rest_white() {
        let (w, h) = (96, 64);
        let mut pixels: Vec<u8> = (0..w * h).map(|i| 120 + ((i % w) as u8) / 2).collect();
        for y in 20..40 {
            for x in 30..50 {
                pixels[y * w + x] = 10;
            }
        }
        let binarizer = LocalBinarizer::new(&pixels, w, h).unwrap();
        let m = binarizer.get_black_matrix().unwrap();
        assert!(m.get(35, 25) && m.get(49, 39));
        assert!(!m.get(29, 25) && !m.get(60, 10) && !m.get(5, 60));
        assert!(LocalBinarizer::new(&pixels[..100], 10, 10).is_none());
        assert!(binarizer.get_black_line(64, LineOrientation::Row).is_err());
        assert_eq!(binarizer.get_black_line(95, LineOrientation::Column).unwrap().get_size(), 64);
    }
}
