//! A fast QR path for the common case: one symbol, three clean finder patterns.
//!
//! Finder patterns (1:1:3:1:1 runs) are found on every fourth row of the binarized image and
//! checked across; the grid is sampled through a homography fixed by the three finder centres
//! and, from version 2 on, the bottom-right alignment pattern; rxing's decoder (zxing-cpp port:
//! format, Reed–Solomon, bit stream) reads the modules. Anything unusual returns `None` and the
//! caller runs rxing's full reader, so this path can only make reads faster, not different.

use rxing::common::BitMatrix;

/// A finder-pattern candidate: centre and module size in pixels, and how many rows hit it.
#[derive(Debug, Clone, Copy)]
struct Finder {
    x: f32,
    y: f32,
    module: f32,
    hits: u32,
}

fn ratio_ok(c: &[f32; 5]) -> Option<f32> {
    let total: f32 = c.iter().sum();
    let m = total / 7.0;
    let tol = m * 0.6;
    let ok = (c[0] - m).abs() < tol
        && (c[1] - m).abs() < tol
        && (c[2] - 3.0 * m).abs() < 2.0 * tol
        && (c[3] - m).abs() < tol
        && (c[4] - m).abs() < tol;
    (ok && m >= 1.0).then_some(m)
}

/// The 1:1:3:1:1 run lengths through (`x`, `y`) along direction (`dx`, `dy`), and the centre's
/// offset from the start point, if the point lies in a finder pattern's dark centre.
fn cross(m: &BitMatrix, x: i32, y: i32, dx: i32, dy: i32, limit: i32) -> Option<([f32; 5], f32)> {
    let (w, h) = (m.width() as i32, m.height() as i32);
    let black = |x: i32, y: i32| x >= 0 && y >= 0 && x < w && y < h && m.get(x as u32, y as u32);
    if !black(x, y) {
        return None;
    }
    let mut counts = [0f32; 5];
    // Backwards: centre, light, dark.
    let mut i = 0;
    for (slot, colour) in [(2, true), (1, false), (0, true)] {
        while i <= limit && black(x - i * dx, y - i * dy) == colour {
            counts[slot] += 1.0;
            i += 1;
        }
        if counts[slot] == 0.0 {
            return None;
        }
    }
    let back = counts[2];
    let mut i = 1;
    for (slot, colour) in [(2, true), (3, false), (4, true)] {
        let before = counts[slot];
        while i <= limit && black(x + i * dx, y + i * dy) == colour {
            counts[slot] += 1.0;
            i += 1;
        }
        if slot != 2 && counts[slot] == before {
            return None;
        }
    }
    // The centre run covers pixels x - back + 1 ..= x + forward: its midpoint, relative to x.
    let forward = counts[2] - back;
    Some((counts, (forward - back + 1.0) / 2.0))
}

/// Rows between finder searches: a finder of two-pixel modules (the fast pass's smallest) is
/// 14 rows tall, so at least three rows cross it.
pub(crate) const ROW_STEP: usize = 4;

/// Finder-pattern candidates on every `row_step`-th row.
fn find_finders(m: &BitMatrix, row_step: usize) -> Vec<Finder> {
    let (w, h) = (m.width() as usize, m.height() as usize);
    let mut found: Vec<Finder> = Vec::new();
    let mut y = row_step / 2;
    while y < h {
        // Runs found a machine word at a time; the last five end with the current run.
        let row = m.getRow(y as u32);
        let mut counts = [0f32; 5];
        let (mut x, mut dark) = (0usize, false);
        while x < w {
            let next = if dark { row.getNextUnset(x) } else { row.getNextSet(x) };
            counts = [counts[1], counts[2], counts[3], counts[4], (next - x) as f32];
            x = next;
            if dark {
                if let Some(module) = ratio_ok(&counts) {
                    let cx = x as f32 - counts[4] - counts[3] - counts[2] / 2.0;
                    check_candidate(m, cx as i32, y as i32, module, &mut found);
                }
            }
            dark = !dark;
        }
        y += row_step.max(1);
    }
    found
}

fn check_candidate(m: &BitMatrix, cx: i32, y: i32, module: f32, found: &mut Vec<Finder>) {
    let limit = (module * 6.0) as i32 + 2;
    let Some((vc, voff)) = cross(m, cx, y, 0, 1, limit) else { return };
    let Some(vm) = ratio_ok(&vc) else { return };
    if (vm - module).abs() > module * 0.7 {
        return;
    }
    let cy = y as f32 + voff;
    let Some((hc, hoff)) = cross(m, cx, cy as i32, 1, 0, limit) else { return };
    let Some(hm) = ratio_ok(&hc) else { return };
    let (x, y, module) = (cx as f32 + hoff + 0.5, cy + 0.5, (vm + hm) / 2.0);
    if let Some(f) = found
        .iter_mut()
        .find(|f| (f.x - x).abs() < f.module * 3.0 && (f.y - y).abs() < f.module * 3.0)
    {
        let n = f.hits as f32;
        f.x = (f.x * n + x) / (n + 1.0);
        f.y = (f.y * n + y) / (n + 1.0);
        f.module = (f.module * n + module) / (n + 1.0);
        f.hits += 1;
    } else {
        found.push(Finder { x, y, module, hits: 1 });
    }
}

/// The three finders that best form the corner of a square: (top-left, top-right, bottom-left).
fn pick_three(found: &[Finder]) -> Option<[Finder; 3]> {
    let mut best: Option<(f32, [Finder; 3])> = None;
    let n = found.len().min(8);
    for i in 0..n {
        for j in i + 1..n {
            for k in j + 1..n {
                let t = [found[i], found[j], found[k]];
                let (lo, hi) = t
                    .iter()
                    .fold((f32::MAX, 0f32), |(lo, hi), f| (lo.min(f.module), hi.max(f.module)));
                if hi > lo * 1.5 {
                    continue;
                }
                for corner in 0..3 {
                    let (a, b, c) = (t[corner], t[(corner + 1) % 3], t[(corner + 2) % 3]);
                    let (bx, by, cx, cy) = (b.x - a.x, b.y - a.y, c.x - a.x, c.y - a.y);
                    let (lb, lc) = ((bx * bx + by * by).sqrt(), (cx * cx + cy * cy).sqrt());
                    let cos = (bx * cx + by * cy) / (lb * lc);
                    let legs = lb.max(lc) / lb.min(lc);
                    if cos.abs() > 0.25 || legs > 1.3 || lb < 7.0 * lo {
                        continue;
                    }
                    let score = cos.abs() + (legs - 1.0);
                    // Image y points down: top-right × bottom-left turns positive.
                    let (tr, bl) = if bx * cy - by * cx > 0.0 { (b, c) } else { (c, b) };
                    if best.is_none_or(|(s, _)| score < s) {
                        best = Some((score, [a, tr, bl]));
                    }
                }
            }
        }
    }
    best.map(|(_, t)| t)
}

/// 3×3 homography from the unit square to a quadrilateral (Heckbert), row-major.
fn square_to_quad(q: [(f32, f32); 4]) -> [f32; 9] {
    let [(x0, y0), (x1, y1), (x2, y2), (x3, y3)] = q;
    let (dx1, dx2, dx3) = (x1 - x2, x3 - x2, x0 - x1 + x2 - x3);
    let (dy1, dy2, dy3) = (y1 - y2, y3 - y2, y0 - y1 + y2 - y3);
    let den = dx1 * dy2 - dx2 * dy1;
    let g = (dx3 * dy2 - dx2 * dy3) / den;
    let h = (dx1 * dy3 - dx3 * dy1) / den;
    [x1 - x0 + g * x1, x3 - x0 + h * x3, x0, y1 - y0 + g * y1, y3 - y0 + h * y3, y0, g, h, 1.0]
}

fn adjugate(m: [f32; 9]) -> [f32; 9] {
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

fn multiply(p: [f32; 9], q: [f32; 9]) -> [f32; 9] {
    let mut r = [0f32; 9];
    for row in 0..3 {
        for col in 0..3 {
            r[row * 3 + col] = (0..3).map(|k| p[row * 3 + k] * q[k * 3 + col]).sum();
        }
    }
    r
}

/// Samples a `dim`×`dim` grid: module coordinates `from` map to image points `to`.
fn sample(
    m: &BitMatrix,
    dim: u32,
    from: [(f32, f32); 4],
    to: [(f32, f32); 4],
) -> Option<BitMatrix> {
    let t = multiply(square_to_quad(to), adjugate(square_to_quad(from)));
    let mut bits = BitMatrix::new(dim, dim).ok()?;
    for j in 0..dim {
        for i in 0..dim {
            let (u, v) = (i as f32 + 0.5, j as f32 + 0.5);
            let z = t[6] * u + t[7] * v + t[8];
            let (x, y) = ((t[0] * u + t[1] * v + t[2]) / z, (t[3] * u + t[4] * v + t[5]) / z);
            if !(x >= 0.0 && y >= 0.0 && x < m.width() as f32 && y < m.height() as f32) {
                return None;
            }
            if m.get(x as u32, y as u32) {
                bits.set(i, j);
            }
        }
    }
    Some(bits)
}

/// Alignment-pattern candidates near `guess` (a dark module ringed by light, then dark), best
/// first; `ex` and `ey` are one module along the symbol's rows and columns.
///
/// Strong perspective moves the pattern away from the parallelogram's prediction, and a data
/// module ringed by light can look like it, so several candidates come back: the caller
/// samples the grid through each in turn and Reed–Solomon rejects the wrong ones. With
/// `first_perfect`, the first perfect match (the common case, near the guess) comes back
/// alone, without the rest of the search.
fn find_alignment(
    m: &BitMatrix,
    guess: (f32, f32),
    ex: (f32, f32),
    ey: (f32, f32),
    first_perfect: bool,
) -> Vec<(f32, f32)> {
    let module = (ex.0.hypot(ex.1) + ey.0.hypot(ey.1)) / 2.0;
    let (w, h) = (m.width() as f32, m.height() as f32);
    let at = |x: f32, y: f32| x >= 0.0 && y >= 0.0 && x < w && y < h && m.get(x as u32, y as u32);
    let score = |x: f32, y: f32| {
        if !at(x, y) {
            return 0;
        }
        let mut score = 1;
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
            score += i32::from(!at(x + ox, y + oy));
            score += i32::from(at(x + 2.0 * ox, y + 2.0 * oy));
        }
        score
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
                    return vec![(x, y)];
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
    picked
}

/// Half-module rings searched around the predicted alignment pattern, and how many distinct
/// candidates are sampled at most.
const ALIGNMENT_RINGS: i32 = 12;
const ALIGNMENT_TRIES: usize = 3;

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
    let first = find_alignment(m, guess, ex, ey, true);
    if let Some(text) = first.first().and_then(|&ap| read(ap)) {
        return Some(text);
    }
    find_alignment(m, guess, ex, ey, false)
        .into_iter()
        .filter(|ap| first.first() != Some(ap))
        .find_map(read)
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
    let bits = sample(m, dim, from, to)?;
    let result = rxing::qrcode::cpp_port::decoder::Decode(&bits).ok()?;
    result.isValid().then(|| result.text())
}

/// Decodes the symbol on a binarized image, or `None` (the caller falls back to rxing).
#[cfg(test)]
pub(crate) fn decode(m: &BitMatrix) -> Option<String> {
    decode_counting(m, ROW_STEP).0
}

/// [`decode`] with finders searched on every `row_step`-th row, and how many finder-pattern
/// candidates the image holds: with none, rxing's classic finder (the same 1:1:3:1:1 row
/// test) has nothing to find on this binarization.
pub(crate) fn decode_counting(m: &BitMatrix, row_step: usize) -> (Option<String>, usize) {
    let found = find_finders(m, row_step);
    (decode_found(m, &found), found.len())
}

fn decode_found(m: &BitMatrix, found: &[Finder]) -> Option<String> {
    if found.len() < 3 {
        return None;
    }
    let [tl, tr, bl] = pick_three(found)?;
    // Modules across the finders' centres; runs along rows measure m / cos(tilt).
    let tilt = (tr.y - tl.y).atan2(tr.x - tl.x);
    let fold = (tilt.abs() % std::f32::consts::FRAC_PI_2)
        .min(std::f32::consts::FRAC_PI_2 - tilt.abs() % std::f32::consts::FRAC_PI_2);
    let module = (tl.module + tr.module + bl.module) / 3.0 * fold.cos();
    let span = ((tr.x - tl.x).hypot(tr.y - tl.y) + (bl.x - tl.x).hypot(bl.y - tl.y)) / 2.0 / module;
    candidate_dims(span + 7.0).find_map(|dim| decode_grid(m, [tl, tr, bl], dim))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rxing::{BarcodeFormat, MultiFormatWriter, Writer};

    /// A QR code for `text`, `scale` pixels a module, turned by `degrees`, on a white canvas.
    fn rendered(text: &str, scale: f32, degrees: f32) -> BitMatrix {
        let qr = MultiFormatWriter.encode(text, &BarcodeFormat::QR_CODE, 0, 0).unwrap();
        let side = qr.width() as f32 * scale * 1.6;
        let mut m = BitMatrix::new(side as u32, side as u32).unwrap();
        let (sin, cos) = degrees.to_radians().sin_cos();
        let c = side / 2.0;
        for y in 0..m.height() {
            for x in 0..m.width() {
                let (dx, dy) = (x as f32 + 0.5 - c, y as f32 + 0.5 - c);
                let (u, v) = ((dx * cos + dy * sin) / scale, (-dx * sin + dy * cos) / scale);
                let half = qr.width() as f32 / 2.0;
                let (i, j) = (u + half, v + half);
                if i >= 0.0
                    && j >= 0.0
                    && i < qr.width() as f32
                    && j < qr.height() as f32
                    && qr.get(i as u32, j as u32)
                {
                    m.set(x, y);
                }
            }
        }
        m
    }

    #[test]
    fn reads_versions_one_to_four_upright_and_turned() {
        let texts = [
            "134650720866361395",
            "https://example.com/pay?code=2865072086636139",
            &"28".repeat(40),
        ];
        for text in texts {
            for degrees in [0.0, 12.0, 90.0, 200.0] {
                let m = rendered(text, 4.0, degrees);
                assert_eq!(decode(&m).as_deref(), Some(text), "{text} at {degrees} degrees");
            }
        }
    }

    /// A QR code for `text` drawn through a perspective: its quiet-zone-free corners (TL, TR,
    /// BR, BL) land on `quad`.
    fn in_perspective(text: &str, side: u32, quad: [(f32, f32); 4]) -> BitMatrix {
        let qr = MultiFormatWriter.encode(text, &BarcodeFormat::QR_CODE, 0, 0).unwrap();
        let d = qr.width() as f32;
        let to_image = multiply(
            square_to_quad(quad),
            adjugate(square_to_quad([(0.0, 0.0), (d, 0.0), (d, d), (0.0, d)])),
        );
        let to_modules = adjugate(to_image);
        let mut m = BitMatrix::new(side, side).unwrap();
        for y in 0..side {
            for x in 0..side {
                let (u, v) = (x as f32 + 0.5, y as f32 + 0.5);
                let t = &to_modules;
                let z = t[6] * u + t[7] * v + t[8];
                let (i, j) = ((t[0] * u + t[1] * v + t[2]) / z, (t[3] * u + t[4] * v + t[5]) / z);
                if i >= 0.0 && j >= 0.0 && i < d && j < d && qr.get(i as u32, j as u32) {
                    m.set(x, y);
                }
            }
        }
        m
    }

    #[test]
    fn reads_version_one_whose_fourth_corner_perspective_moved() {
        // Version 1 has no alignment pattern: the fourth corner lies a module or more off the
        // parallelogram of the finder centres.
        let text = "257545581193926772619439";
        let quads = [
            [(40.0, 40.0), (140.0, 48.0), (152.0, 160.0), (38.0, 150.0)],
            [(50.0, 40.0), (150.0, 40.0), (159.0, 160.0), (41.0, 160.0)],
        ];
        for quad in quads {
            let m = in_perspective(text, 200, quad);
            assert_eq!(decode(&m).as_deref(), Some(text), "{quad:?}");
        }
    }

    #[test]
    fn reads_the_perspective_frame_720p_0086() {
        // A frame of the synthetic set that the parallelogram alone missed.
        let frame = crate::scan::synth::payment_frame(2026, 86, 1280, 720).unwrap();
        let image = &frame.image;
        let binarizer =
            crate::scan::binarize::LocalBinarizer::new(image.pixels(), 1280, 720).unwrap();
        let m = rxing::Binarizer::get_black_matrix(&binarizer).unwrap();
        assert_eq!(decode(m), Some(frame.code));
    }

    #[test]
    fn candidate_dims_nearest_first() {
        assert_eq!(candidate_dims(21.2).collect::<Vec<_>>(), [21, 25]);
        assert_eq!(candidate_dims(24.0).collect::<Vec<_>>(), [25, 21]);
        assert_eq!(candidate_dims(25.0).collect::<Vec<_>>(), [25]);
        assert_eq!(candidate_dims(19.0).collect::<Vec<_>>(), [21]);
        assert_eq!(candidate_dims(400.0).count(), 0);
        let offsets: Vec<_> = corner_offsets().collect();
        assert_eq!(offsets.len(), 49);
        assert_eq!(offsets[0], (0.0, 0.0));
    }

    #[test]
    fn counts_finder_candidates_for_the_classic_reader_gate() {
        // The decoder skips rxing's classic finder where this count is zero: it must see a
        // symbol's finders at every row step the decoder uses, and nothing in plain stripes.
        let text = "https://example.com/pay?code=2865072086636139";
        for step in [2, ROW_STEP] {
            let m = rendered(text, 3.0, 7.0);
            let (read, count) = decode_counting(&m, step);
            assert_eq!(read.as_deref(), Some(text));
            assert!(count >= 3, "{count} candidates at row step {step}");
        }
        let mut stripes = BitMatrix::new(160, 120).unwrap();
        for y in 0..120 {
            for x in (0..160).filter(|x| x % 6 < 3) {
                stripes.set(x, y);
            }
        }
        assert_eq!(decode_counting(&stripes, 2), (None, 0));
        assert_eq!(decode_counting(&BitMatrix::new(64, 64).unwrap(), 2), (None, 0));
    }

    #[test]
    fn gives_up_on_images_without_a_symbol() {
        let mut m = BitMatrix::new(120, 90).unwrap();
        let mut state = 7u32;
        for y in 0..90 {
            for x in 0..120 {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                if state >> 31 == 1 {
                    m.set(x, y);
                }
            }
        }
        assert_eq!(decode(&m), None);
        assert_eq!(decode(&BitMatrix::new(50, 50).unwrap()), None);
    }
}
