//! A fast local-average binarizer for rxing's 2D readers.
//!
//! The algorithm is zxing-cpp 3's local-average ("hybrid") binarizer: 8×8 blocks, each with
//! a threshold halfway between its darkest and lightest pixel when it has contrast, smoothed
//! over the 5×5 blocks around it; blocks with no contrast near them take a neighbour's. It is
//! written over plain slices: rxing's hybrid binarizer (ZXing's older algorithm) copies the
//! image and goes through its luminance-source interface pixel by pixel; on the QR test images
//! it was about half of the whole decode time. ZXing's classic thresholds (rxing's hybrid
//! binarizer, bit for bit) are kept as a second opinion for what the first does not read.

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
    /// ZXing's classic thresholds rather than zxing-cpp 3's.
    classic: bool,
}

impl<'a> LocalBinarizer<'a> {
    /// Binarizes `pixels` (`width × height`, packed); `None` when too small or inconsistent.
    pub fn new(pixels: &'a [u8], width: usize, height: usize) -> Option<Self> {
        Self::with(pixels, width, height, false)
    }

    /// [`LocalBinarizer::new`] with ZXing's classic thresholds ([`classic_thresholds`]).
    pub fn classic(pixels: &'a [u8], width: usize, height: usize) -> Option<Self> {
        Self::with(pixels, width, height, true)
    }

    fn with(pixels: &'a [u8], width: usize, height: usize, classic: bool) -> Option<Self> {
        if width < MIN_SIDE || height < MIN_SIDE || pixels.len() != width.checked_mul(height)? {
            return None;
        }
        let source = Luma8Source::new_with_slice(pixels, width as u32, height as u32).ok()?;
        let matrix = black_matrix(pixels, width, height, classic)?;
        Some(LocalBinarizer { source, matrix, classic })
    }
}

/// The first pixel of block `i` along a side of `len` pixels (the last block is pulled back
/// inside the image for its statistics).
fn block_start(i: usize, len: usize) -> usize {
    (i * BLOCK).min(len - BLOCK)
}

/// Each block's own threshold: halfway between its darkest and lightest pixel, or 0 (none) for
/// a block of less contrast than [`MIN_DYNAMIC_RANGE`].
///
/// Not ZXing's classic black point (the block's mean, and half its minimum for a flat block):
/// a flat block then votes for a threshold of 127 whatever its level, and under a saturating
/// glare, where the light modules are 255 and the dark ones 190 to 210, the flat white blocks
/// around a symbol pulled its threshold under its dark modules. zxing-cpp 3 changed to this.
fn block_thresholds(pixels: &[u8], width: usize, height: usize) -> Vec<u8> {
    let (bw, bh) = (width.div_ceil(BLOCK), height.div_ceil(BLOCK));
    let mut out = vec![0u8; bw * bh];
    // Each column's minimum and maximum over the block row's eight rows (straight loops over
    // whole rows, which the compiler vectorizes), then eight columns per block.
    let (mut mins, mut maxs) = (vec![255u8; width], vec![0u8; width]);
    for by in 0..bh {
        let y0 = block_start(by, height);
        mins.fill(255);
        maxs.fill(0);
        for row in pixels[y0 * width..(y0 + BLOCK) * width].chunks_exact(width) {
            for ((lo, hi), &p) in mins.iter_mut().zip(maxs.iter_mut()).zip(row) {
                *lo = (*lo).min(p);
                *hi = (*hi).max(p);
            }
        }
        for (bx, t) in out[by * bw..(by + 1) * bw].iter_mut().enumerate() {
            let x0 = block_start(bx, width);
            let min = u32::from(mins[x0..x0 + BLOCK].iter().copied().fold(255, u8::min));
            let max = u32::from(maxs[x0..x0 + BLOCK].iter().copied().fold(0, u8::max));
            if max - min > MIN_DYNAMIC_RANGE {
                // At most 255: the mean of two bytes.
                *t = ((max + min) / 2) as u8;
            }
        }
    }
    out
}

/// Each block's threshold smoothed over the 5×5 blocks around it (pulled inside at the
/// borders), counting only blocks that have one, the block itself twice; blocks with none
/// around them take the next threshold in raster order (the last one at the end). All zero
/// (an image without contrast anywhere) stays all zero: every pixel above 0 is then light.
fn smooth(own: Vec<u8>, bw: usize) -> Vec<u32> {
    let bh = own.len() / bw.max(1);
    if bw < 5 || bh < 5 {
        return own.into_iter().map(u32::from).collect();
    }
    // Sums and counts over five blocks along each row, then five rows of those.
    let mut row_sum = vec![(0u32, 0u32); bw * bh];
    for by in 0..bh {
        let line = &own[by * bw..(by + 1) * bw];
        for bx in 0..bw {
            let left = bx.clamp(2, bw - 3);
            row_sum[by * bw + bx] = line[left - 2..=left + 2]
                .iter()
                .fold((0, 0), |(s, n), &t| (s + u32::from(t), n + u32::from(t > 0)));
        }
    }
    let mut out = vec![0u32; bw * bh];
    for by in 0..bh {
        let top = by.clamp(2, bh - 3);
        for bx in 0..bw {
            let own_t = u32::from(own[by * bw + bx]);
            let (mut sum, mut n) = (2 * own_t, 2 * u32::from(own_t > 0));
            for ny in top - 2..=top + 2 {
                let (s, c) = row_sum[ny * bw + bx];
                sum += s;
                n += c;
            }
            out[by * bw + bx] = sum.checked_div(n).unwrap_or(0);
        }
    }
    // Fill the gaps: each run of zeros takes the value after it, a trailing run the one before.
    let mut next = out.iter().rev().copied().find(|&t| t > 0).unwrap_or(0);
    for t in out.iter_mut().rev() {
        if *t > 0 {
            next = *t;
        } else {
            *t = next;
        }
    }
    out
}

/// ZXing's classic thresholds (rxing's hybrid binarizer, bit for bit on sides that are
/// multiples of eight): each block's black point is its mean, or for a block of little
/// contrast half its minimum unless its upper and left neighbours' are above that; each
/// block's threshold is the mean black point of the 5×5 blocks around it.
///
/// Kept as a second opinion: where blocks are flat, it leans to light rather than to the
/// neighbours' threshold, and some blurred or dim symbols that break into specks under
/// [`block_thresholds`] stay whole under it.
fn classic_thresholds(pixels: &[u8], width: usize, height: usize) -> Vec<u32> {
    let (bw, bh) = (width.div_ceil(BLOCK), height.div_ceil(BLOCK));
    let mut points = vec![0u32; bw * bh];
    let (mut sums, mut mins, mut maxs) = (vec![0u16; width], vec![255u8; width], vec![0u8; width]);
    for by in 0..bh {
        let y0 = block_start(by, height);
        sums.fill(0);
        mins.fill(255);
        maxs.fill(0);
        for row in pixels[y0 * width..(y0 + BLOCK) * width].chunks_exact(width) {
            for (s, &p) in sums.iter_mut().zip(row) {
                *s += u16::from(p);
            }
            for ((lo, hi), &p) in mins.iter_mut().zip(maxs.iter_mut()).zip(row) {
                *lo = (*lo).min(p);
                *hi = (*hi).max(p);
            }
        }
        for bx in 0..bw {
            let x0 = block_start(bx, width);
            let sum: u32 = sums[x0..x0 + BLOCK].iter().map(|&s| u32::from(s)).sum();
            let min = u32::from(mins[x0..x0 + BLOCK].iter().copied().fold(255, u8::min));
            let max = u32::from(maxs[x0..x0 + BLOCK].iter().copied().fold(0, u8::max));
            let mut average = sum / (BLOCK * BLOCK) as u32;
            if max - min <= MIN_DYNAMIC_RANGE {
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
    thresholds
}

fn black_matrix(pixels: &[u8], width: usize, height: usize, classic: bool) -> Option<BitMatrix> {
    let thresholds = if classic {
        classic_thresholds(pixels, width, height)
    } else {
        smooth(block_thresholds(pixels, width, height), width.div_ceil(BLOCK))
    };
    let (bw, bh) = (width.div_ceil(BLOCK), height.div_ceil(BLOCK));
    // Pixels at or below their block's threshold are black, packed a machine word at a time
    // (rxing's bit order: least significant bit first).
    let mut matrix = BitMatrix::new(width as u32, height as u32).ok()?;
    let mut row_bits = BitArray::with_size(width);
    let mut pixel_thresholds = vec![0u8; width];
    // One byte per pixel (0 or 1), padded with zeros to whole words.
    let mut flags = vec![0u8; width.div_ceil(WORD) * WORD];
    for (y, row) in pixels.chunks_exact(width).enumerate() {
        if y % BLOCK == 0 {
            let block_row = &thresholds[(y / BLOCK).min(bh - 1) * bw..][..bw];
            for (bx, eight) in pixel_thresholds.chunks_mut(BLOCK).enumerate() {
                // Thresholds never exceed 255: they are means of bytes.
                eight.fill(block_row[bx.min(bw - 1)].min(255) as u8);
            }
        }
        for ((flag, &p), &t) in flags.iter_mut().zip(row).zip(&pixel_thresholds) {
            *flag = u8::from(p <= t);
        }
        for (index, chunk) in flags.chunks_exact(WORD).enumerate() {
            let mut word: u64 = 0;
            for (k, eight) in chunk.chunks_exact(8).enumerate() {
                let bytes: [u8; 8] = eight.try_into().ok()?;
                // Gathers the low bit of each byte into one byte, first byte lowest.
                let packed = u64::from_le_bytes(bytes).wrapping_mul(0x0102_0408_1020_4080) >> 56;
                word |= packed << (8 * k);
            }
            row_bits.setBulk(index * WORD, word as BitFieldBaseType);
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
        let matrix = black_matrix(&pixels, width, height, self.classic)
            .or_else(|| BitMatrix::new(width.max(1) as u32, height.max(1) as u32).ok())
            .unwrap_or_else(|| self.matrix.clone());
        LocalBinarizer { source, matrix, classic: self.classic }
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

    #[test]
    fn dark_modules_under_a_saturating_glare_stay_black() {
        // A checkerboard of 4-pixel modules, dark at 200 and light at 255 (a glare washed the
        // screen out), in a field of flat white 255: ZXing's classic black points let each
        // flat block vote 127, which put the symbol's edge thresholds under 200.
        let (w, h) = (160, 120);
        let mut pixels = vec![255u8; w * h];
        for y in 48..80 {
            for x in 64..96 {
                if (x / 4 + y / 4) % 2 == 0 {
                    pixels[y * w + x] = 200;
                }
            }
        }
        let binarizer = LocalBinarizer::new(&pixels, w, h).unwrap();
        let m = binarizer.get_black_matrix().unwrap();
        for y in 48..80 {
            for x in 64..96 {
                let dark = pixels[y * w + x] == 200;
                assert_eq!(m.get(x as u32, y as u32), dark, "({x}, {y})");
            }
        }
        assert!(!m.get(10, 10) && !m.get(150, 110) && !m.get(100, 60));
        // The classic algorithm (rxing's hybrid binarizer) loses the symbol's edge here.
        let source = Luma8Source::new_with_slice(&pixels, w as u32, h as u32).unwrap();
        let classic = rxing::common::HybridBinarizer::new(source);
        assert!(!classic.get_black_matrix().unwrap().get(64, 48));
    }

    #[test]
    fn classic_matches_rxing_hybrid_binarizer_bit_for_bit() {
        // Sides that are multiples of the block size, where both place blocks the same way.
        let (w, h) = (136, 72);
        let pixels: Vec<u8> =
            (0..w * h).map(|i| ((i % w) * 3 + (i / w) * 5 + (i * 7919) % 61) as u8).collect();
        let ours = LocalBinarizer::classic(&pixels, w, h).unwrap();
        let source = Luma8Source::new_with_slice(&pixels, w as u32, h as u32).unwrap();
        let theirs = rxing::common::HybridBinarizer::new(source);
        assert_eq!(ours.get_black_matrix().unwrap(), theirs.get_black_matrix().unwrap());
    }

    #[test]
    fn blocks_without_contrast_near_them_take_the_next_threshold() {
        // Ten blocks by six: only the first has a threshold of its own (90).
        let mut own = vec![0u8; 60];
        own[0] = 90;
        let smoothed = smooth(own, 10);
        // Blocks whose 5×5 window holds it average it alone; the rest are filled from it.
        assert!(smoothed.iter().all(|&t| t == 90), "{smoothed:?}");
        assert_eq!(smooth(vec![0; 60], 10), vec![0; 60]);
        // An image without contrast anywhere: all light, and no panic.
        let flat = vec![80u8; 64 * 48];
        let binarizer = LocalBinarizer::new(&flat, 64, 48).unwrap();
        let m = binarizer.get_black_matrix().unwrap();
        assert!((0..48).all(|y| (0..64).all(|x| !m.get(x, y))));
    }
}
