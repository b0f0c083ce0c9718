//! Grid sampling: the homography from module coordinates to the image, and the search for
//! the bottom-right alignment pattern that fixes its fourth point.

use rxing::common::BitMatrix;

use crate::scan::qr_decode::Modules;

/// 3×3 homography from the unit square to a quadrilateral (Heckbert), row-major.
pub(super) fn square_to_quad(q: [(f32, f32); 4]) -> [f32; 9] {
    let [(x0, y0), (x1, y1), (x2, y2), (x3, y3)] = q;
    let (dx1, dx2, dx3) = (x1 - x2, x3 - x2, x0 - x1 + x2 - x3);
    let (dy1, dy2, dy3) = (y1 - y2, y3 - y2, y0 - y1 + y2 - y3);
    let den = dx1 * dy2 - dx2 * dy1;
    let g = (dx3 * dy2 - dx2 * dy3) / den;
    let h = (dx1 * dy3 - dx3 * dy1) / den;
    [x1 - x0 + g * x1, x3 - x0 + h * x3, x0, y1 - y0 + g * y1, y3 - y0 + h * y3, y0, g, h, 1.0]
}

pub(super) fn adjugate(m: [f32; 9]) -> [f32; 9] {
    let [a, b, c, d, e, f, g, h, i] = m;
    [
        e * i - f * h,
        c * h - b * i,
        b * f - c * e,
        f * g - d * i,
        a * i - c * g,
        c * d - a * f,
        d * h - e * g,
        b * g - a * h,
        a * e - b * d,
    ]
}

pub(super) fn multiply(p: [f32; 9], q: [f32; 9]) -> [f32; 9] {
    let mut r = [0f32; 9];
    for row in 0..3 {
        for col in 0..3 {
            r[row * 3 + col] = (0..3).map(|k| p[row * 3 + k] * q[k * 3 + col]).sum();
        }
    }
    r
}

/// Samples a `dim`×`dim` grid: module coordinates `from` map to image points `to`.
pub(super) fn sample(
    m: &BitMatrix,
    dim: u32,
    from: [(f32, f32); 4],
    to: [(f32, f32); 4],
) -> Option<Modules> {
    let t = multiply(square_to_quad(to), adjugate(square_to_quad(from)));
    let (width, height) = (m.width() as f32, m.height() as f32);
    let mut dark = Vec::with_capacity((dim * dim) as usize);
    for j in 0..dim {
        for i in 0..dim {
            let (u, v) = (i as f32 + 0.5, j as f32 + 0.5);
            let z = t[6] * u + t[7] * v + t[8];
            let (x, y) = ((t[0] * u + t[1] * v + t[2]) / z, (t[3] * u + t[4] * v + t[5]) / z);
            if !(x >= 0.0 && y >= 0.0 && x < width && y < height) {
                return None;
            }
            dark.push(m.get(x as u32, y as u32));
        }
    }
    Modules::new(dim as usize, dark)
}

/// Alignment-pattern candidates near `guess` (a dark module ringed by light, then dark), best
/// first; `ex` and `ey` are one module along the symbol's rows and columns.
///
/// Strong perspective moves the pattern away from the parallelogram's prediction, and a data
/// module ringed by light can look like it, so several candidates come back: the caller
/// samples the grid through each in turn and Reed–Solomon rejects the wrong ones. With
/// `first_perfect`, the first perfect match (the common case, near the guess) comes back
/// alone, without the rest of the search.
pub(super) fn find_alignment(
    m: &BitMatrix,
    guess: (f32, f32),
    ex: (f32, f32),
    ey: (f32, f32),
    first_perfect: bool,
) -> AlignmentSearch {
    let module = (ex.0.hypot(ex.1) + ey.0.hypot(ey.1)) / 2.0;
    let (w, h) = (m.width() as f32, m.height() as f32);
    let at = |x: f32, y: f32| x >= 0.0 && y >= 0.0 && x < w && y < h && m.get(x as u32, y as u32);
    // 17 for a perfect pattern: the dark centre, then per direction light one module out and
    // dark two out. Only scores of 16 and 17 are kept, so a point is given up (0) at its second
    // miss: most points of the area are, after a few lookups.
    let score = |x: f32, y: f32| {
        if !at(x, y) {
            return 0;
        }
        let mut misses = 0;
        for (a, b) in [
            (1.0, 0.0),
            (-1.0, 0.0),
            (0.0, 1.0),
            (0.0, -1.0),
            (1.0, 1.0),
            (-1.0, -1.0),
            (1.0, -1.0),
            (-1.0, 1.0),
        ] {
            let (ox, oy) = (a * ex.0 + b * ey.0, a * ex.1 + b * ey.1);
            misses += i32::from(at(x + ox, y + oy));
            misses += i32::from(!at(x + 2.0 * ox, y + 2.0 * oy));
            if misses > 1 {
                return 0;
            }
        }
        17 - misses
    };
    // Square rings of growing radius around the guess, half a module apart, out to six
    // modules; the best scores first, nearer rings first among equals, one candidate per
    // pattern (points within a module of a better one are the same pattern).
    let step = (module / 2.0).max(1.0);
    let mut hits: Vec<(i32, i32, (f32, f32))> = Vec::new();
    for ring in 0..=ALIGNMENT_RINGS {
        for dy in -ring..=ring {
            for dx in -ring..=ring {
                if dx.abs().max(dy.abs()) != ring {
                    continue;
                }
                let (x, y) = (guess.0 + dx as f32 * step, guess.1 + dy as f32 * step);
                let s = score(x, y);
                if s == 17 && first_perfect {
                    return AlignmentSearch::Perfect((x, y));
                }
                if s >= 16 {
                    hits.push((s, ring, (x, y)));
                }
            }
        }
    }
    hits.sort_by_key(|&(s, ring, _)| (-s, ring));
    let mut picked: Vec<(f32, f32)> = Vec::new();
    for (_, _, p) in hits {
        if picked.len() == ALIGNMENT_TRIES {
            break;
        }
        if picked.iter().all(|q| (q.0 - p.0).hypot(q.1 - p.1) >= module) {
            picked.push(p);
        }
    }
    AlignmentSearch::Ranked(picked)
}

/// What [`find_alignment`] found.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum AlignmentSearch {
    /// A perfect match, returned before the rest of the area was searched (asked for with
    /// `first_perfect`).
    Perfect((f32, f32)),
    /// The best distinct candidates of the whole area, best first.
    Ranked(Vec<(f32, f32)>),
}

impl AlignmentSearch {
    /// The candidates, best first.
    pub(super) fn points(self) -> Vec<(f32, f32)> {
        match self {
            AlignmentSearch::Perfect(p) => vec![p],
            AlignmentSearch::Ranked(list) => list,
        }
    }
}

/// Half-module rings searched around the predicted alignment pattern, and how many distinct
/// candidates are sampled at most.
const ALIGNMENT_RINGS: i32 = 12;
const ALIGNMENT_TRIES: usize = 3;
