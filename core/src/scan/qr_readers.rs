//! rxing's zxing-cpp-port QR detector (finder-pattern sets, sampled by its homography with
//! the alignment pattern) and a pure-symbol crop, with our decoder ([`super::qr_decode`])
//! behind them. Only the detector comes from rxing: its decoders brought every
//! character-set decoder of `encoding_rs` into the library.

use rxing::common::{BitMatrix, DetectorRXingResult};
use rxing::qrcode::cpp_port::detector::{FindFinderPatterns, GenerateFinderPatternSets, SampleQR};

use super::qr_decode::{self, Modules};

/// The text of a sampled module grid (square, one bit a module), or `None`.
pub(crate) fn decode_bits(bits: &BitMatrix) -> Option<String> {
    let side = bits.width();
    if side != bits.height() {
        return None;
    }
    let modules = Modules::from_fn(side as usize, |x, y| bits.get(x as u32, y as u32));
    qr_decode::decode(&modules).ok()
}

/// The zxing-cpp port's detector: finder patterns (of `min_module` pixels or more; all rows
/// under `try_harder`), then each set of three, larger first, until one decodes.
pub(crate) fn cpp_reader(m: &BitMatrix, try_harder: bool, min_module: u32) -> Option<String> {
    let mut patterns = FindFinderPatterns(m, try_harder, min_module);
    GenerateFinderPatternSets(&mut patterns)
        .iter()
        .find_map(|set| decode_bits(SampleQR(m, set).ok()?.getBits()))
}

/// The image as one upright symbol filling it but for a quiet zone: the module size from
/// the top-left finder's diagonal (five colour changes cross seven modules), sampled at
/// module centres. The last resort for crops whose finders are too small to find.
pub(crate) fn pure_reader(m: &BitMatrix) -> Option<String> {
    let top_left = m.getTopLeftOnBit()?;
    let bottom_right = m.getBottomRightOnBit()?;
    let (left, top) = (top_left.x as i64, top_left.y as i64);
    let (mut right, bottom) = (bottom_right.x as i64, bottom_right.y as i64);
    let module = diagonal_module(m, left, top)?;
    if left >= right || top >= bottom {
        return None;
    }
    if bottom - top != right - left {
        // Square it on its height (a symbol's right edge may be its light timing modules).
        right = left + (bottom - top);
        if right >= i64::from(m.width()) {
            return None;
        }
    }
    let side = ((right - left + 1) as f32 / module).round() as i64;
    if side <= 0 || side != ((bottom - top + 1) as f32 / module).round() as i64 {
        return None;
    }
    let nudge = (module / 2.0) as i64;
    let span = |count: i64| ((count - 1) as f32 * module) as i64;
    // Sample half a module in, pulled back where the last centre would fall outside.
    let left = pull_back(left + nudge, span(side), right, nudge)?;
    let top = pull_back(top + nudge, span(side), bottom, nudge)?;
    let side = usize::try_from(side).ok()?;
    let modules = Modules::from_fn(side, |x, y| {
        let px = left + (x as f32 * module) as i64;
        let py = top + (y as f32 * module) as i64;
        px >= 0 && py >= 0 && m.get(px as u32, py as u32)
    });
    qr_decode::decode(&modules).ok()
}

/// `start` moved back by what its last sample overshoots `end`, if no more than `nudge`.
fn pull_back(start: i64, span: i64, end: i64, nudge: i64) -> Option<i64> {
    let over = start + span - end;
    if over <= 0 {
        Some(start)
    } else if over <= nudge {
        Some(start - over)
    } else {
        None
    }
}

/// The module size along the diagonal from the symbol's top-left dark pixel.
fn diagonal_module(m: &BitMatrix, x0: i64, y0: i64) -> Option<f32> {
    let (width, height) = (i64::from(m.width()), i64::from(m.height()));
    let (mut x, mut y) = (x0, y0);
    let (mut dark, mut changes) = (true, 0);
    while x < width && y < height {
        if dark != m.get(x as u32, y as u32) {
            changes += 1;
            if changes == 5 {
                return Some((x - x0) as f32 / 7.0);
            }
            dark = !dark;
        }
        x += 1;
        y += 1;
    }
    None
}

#[cfg(test)]
#[path = "qr_readers_tests.rs"]
mod tests;
