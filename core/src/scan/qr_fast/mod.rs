//! A fast QR path for the common case: one symbol, three clean finder patterns.
//!
//! Finder patterns (1:1:3:1:1 runs) are found on every fourth row of the binarized image and
//! checked across; the grid is sampled through a homography fixed by the three finder centres
//! and, from version 2 on, the bottom-right alignment pattern; rxing's decoder (zxing-cpp port:
//! format, Reed–Solomon, bit stream) reads the modules. Anything unusual returns `None` and the
//! caller runs rxing's full reader, so this path can only make reads faster, not different.

mod finder;
mod grid;

use rxing::common::BitMatrix;

pub(crate) use finder::ROW_STEP;
use finder::{could_be_corner, find_finders, pick_corners, Finder};
use grid::{find_alignment, sample, AlignmentSearch};

/// Symbol sides (21, 25, … 177) to try for `modules` counted between the finder centres plus
/// seven: the nearest first, then the one on the other side of the estimate.
fn candidate_dims(modules: f32) -> impl Iterator<Item = u32> {
    let version = (modules - 17.0) / 4.0;
    let (lo, hi) = (version.floor(), version.ceil());
    let (first, second) = if version - lo <= hi - version { (lo, hi) } else { (hi, lo) };
    let second = (second != first).then_some(second);
    std::iter::once(first)
        .chain(second)
        .filter(|v| (1.0..=40.0).contains(v))
        .map(|v| 17 + 4 * v as u32)
}

/// Samples and decodes a `dim`-module symbol with the given finder centres.
fn decode_grid(m: &BitMatrix, [tl, tr, bl]: [Finder; 3], dim: u32) -> Option<String> {
    let d = dim as f32;
    let br = (tr.x + bl.x - tl.x, tr.y + bl.y - tl.y);
    let ex = ((tr.x - tl.x) / (d - 7.0), (tr.y - tl.y) / (d - 7.0));
    let ey = ((bl.x - tl.x) / (d - 7.0), (bl.y - tl.y) / (d - 7.0));
    if dim == 21 {
        // No alignment pattern: the parallelogram's fourth corner first, then points around
        // it out to a module and a half (perspective moves it; Reed–Solomon rejects wrong
        // ones), nearest first.
        return corner_offsets().find_map(|(a, b)| {
            let corner = (br.0 + a * ex.0 + b * ey.0, br.1 + a * ex.1 + b * ey.1);
            read_grid(
                m,
                dim,
                [(3.5, 3.5), (d - 3.5, 3.5), (d - 3.5, d - 3.5), (3.5, d - 3.5)],
                [(tl.x, tl.y), (tr.x, tr.y), corner, (bl.x, bl.y)],
            )
        });
    }
    // The bottom-right alignment pattern: predicted by the parallelogram, then found.
    let k = (d - 10.0) / (d - 7.0);
    let guess = (tl.x + k * (br.0 - tl.x), tl.y + k * (br.1 - tl.y));
    let read = |ap: (f32, f32)| {
        read_grid(
            m,
            dim,
            [(3.5, 3.5), (d - 3.5, 3.5), (d - 6.5, d - 6.5), (3.5, d - 3.5)],
            [(tl.x, tl.y), (tr.x, tr.y), ap, (bl.x, bl.y)],
        )
    };
    // A perfect match ends the search early; only when it does not read is the whole area
    // searched. Without one, the search already covered the area: its ranking is final.
    match find_alignment(m, guess, ex, ey, true) {
        AlignmentSearch::Perfect(first) => read(first).or_else(|| {
            find_alignment(m, guess, ex, ey, false)
                .points()
                .into_iter()
                .filter(|&ap| ap != first)
                .find_map(read)
        }),
        AlignmentSearch::Ranked(ranked) => ranked.into_iter().find_map(read),
    }
}

/// Offsets of a version-1 symbol's fourth corner, in modules along its rows and columns: half
/// a module apart in square rings out to [`CORNER_RINGS`] halves, the nearest ring first.
fn corner_offsets() -> impl Iterator<Item = (f32, f32)> {
    (0..=CORNER_RINGS).flat_map(|ring| {
        (-ring..=ring).flat_map(move |b| {
            (-ring..=ring)
                .filter(move |a: &i32| a.abs().max(b.abs()) == ring)
                .map(move |a| (a as f32 / 2.0, b as f32 / 2.0))
        })
    })
}

/// Half-module rings searched around a version-1 symbol's predicted fourth corner.
const CORNER_RINGS: i32 = 3;

fn read_grid(
    m: &BitMatrix,
    dim: u32,
    from: [(f32, f32); 4],
    to: [(f32, f32); 4],
) -> Option<String> {
    super::qr_decode::decode(&sample(m, dim, from, to)?).ok()
}

/// Decodes the symbol on a binarized image, or `None` (the caller falls back to rxing).
#[cfg(test)]
pub(crate) fn decode(m: &BitMatrix) -> Option<String> {
    decode_counting(m, ROW_STEP).0
}

/// What the finder search saw on a binarized image: evidence for or against running rxing's
/// readers on it, which test the same 1:1:3:1:1 runs and need three finder patterns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Candidates {
    /// Three candidates of any size could be a symbol's finder patterns.
    pub corner: bool,
    /// Three candidates of [`SIZED_MODULE`] pixels a module or more could be.
    pub sized_corner: bool,
    /// Three such candidates, each crossed by two search rows or more, could be: at a row
    /// step of two, what every finder of [`SIZED_MODULE`] pixels or more is, and what specks
    /// of sensor noise rarely are.
    pub confirmed_corner: bool,
}

/// The module size a candidate needs to count for a reader told to skip modules under two
/// pixels (as the cheap passes are), less a fifth for run lengths measured on other rows.
pub(crate) const SIZED_MODULE: f32 = 1.6;

impl Candidates {
    /// Whether a reader could find three finder patterns here; `min_module_two`: it skips
    /// modules under two pixels.
    pub fn enough(self, min_module_two: bool) -> bool {
        if min_module_two {
            self.sized_corner
        } else {
            self.corner
        }
    }
}

/// [`decode`] with finders searched on every `row_step`-th row, and the candidates seen.
pub(crate) fn decode_counting(m: &BitMatrix, row_step: usize) -> (Option<String>, Candidates) {
    let found = find_finders(m, row_step);
    let text = decode_found(m, &found);
    let confirmed_corner = could_be_corner(&found, SIZED_MODULE, 2);
    // Confirmed candidates are sized, and sized ones are candidates.
    let sized_corner = confirmed_corner || could_be_corner(&found, SIZED_MODULE, 1);
    let candidates = Candidates {
        corner: sized_corner || could_be_corner(&found, 0.0, 1),
        sized_corner,
        confirmed_corner,
    };
    (text, candidates)
}

fn decode_found(m: &BitMatrix, found: &[Finder]) -> Option<String> {
    if found.len() < 3 {
        return None;
    }
    pick_corners(found).into_iter().find_map(|corner| decode_corner(m, corner))
}

fn decode_corner(m: &BitMatrix, [tl, tr, bl]: [Finder; 3]) -> Option<String> {
    // Modules across the finders' centres; runs along rows measure m / cos(tilt).
    let tilt = (tr.y - tl.y).atan2(tr.x - tl.x);
    let fold = (tilt.abs() % std::f32::consts::FRAC_PI_2)
        .min(std::f32::consts::FRAC_PI_2 - tilt.abs() % std::f32::consts::FRAC_PI_2);
    let module = (tl.module + tr.module + bl.module) / 3.0 * fold.cos();
    let span = ((tr.x - tl.x).hypot(tr.y - tl.y) + (bl.x - tl.x).hypot(bl.y - tl.y)) / 2.0 / module;
    candidate_dims(span + 7.0).find_map(|dim| decode_grid(m, [tl, tr, bl], dim))
}

#[cfg(test)]
mod tests;
