//! Finder patterns: 1:1:3:1:1 runs on every few rows, checked across, merged, and the three
//! that best form a square's corner.

use rxing::common::BitMatrix;

/// A finder-pattern candidate: centre and module size in pixels, and how many rows hit it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Finder {
    pub(super) x: f32,
    pub(super) y: f32,
    pub(super) module: f32,
    pub(super) hits: u32,
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
pub(super) fn find_finders(m: &BitMatrix, row_step: usize) -> Vec<Finder> {
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

/// Candidates looked at for the three corners: the most often hit first.
pub(super) const PICK_FROM: usize = 8;

/// Corner triples sampled at most: specks can form a square's corner as well as a small
/// symbol's finders do.
const CORNERS_TRIED: usize = 3;
/// A symbol's legs (finder centre to finder centre) are at most 170 modules (version 40),
/// and a little more measured along a row.
const MAX_LEG: f32 = 180.0;

/// The triples of finders that best form the corner of a square, best first, at most
/// [`CORNERS_TRIED`]: (top-left, top-right, bottom-left), two of them among the [`PICK_FROM`] candidates more rows crossed than any other, the third
/// any candidate.
///
/// Texture that breaks into dark and light specks (sensor noise on a gradient, a glare's
/// edge) passes the 1:1:3:1:1 test on single rows, often ahead of the symbol in raster order;
/// a real finder is crossed by every row through its three-module centre. A small symbol's
/// finders are crossed by only one or two rows, like the specks: two of them usually rank
/// high, and the corner test finds the third among the rest.
pub(super) fn pick_corners(found: &[Finder]) -> Vec<[Finder; 3]> {
    let mut ranked = found.to_vec();
    // Stable: among equals, raster order.
    ranked.sort_by_key(|f| std::cmp::Reverse(f.hits));
    let found = &ranked;
    let mut best: Vec<(f32, [Finder; 3])> = Vec::new();
    let top = found.len().min(PICK_FROM);
    for i in 0..top {
        for j in i + 1..top {
            for k in j + 1..found.len() {
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
                    // Legs of 7 to 170 modules: versions 1 to 40, tilted.
                    if cos.abs() > 0.25 || legs > 1.3 || lb < 7.0 * lo || lb > MAX_LEG * hi {
                        continue;
                    }
                    let score = cos.abs() + (legs - 1.0);
                    // Image y points down: top-right × bottom-left turns positive.
                    let (tr, bl) = if bx * cy - by * cx > 0.0 { (b, c) } else { (c, b) };
                    if best.len() < CORNERS_TRIED || best.iter().any(|&(s, _)| score < s) {
                        best.push((score, [a, tr, bl]));
                        best.sort_by(|p, q| p.0.total_cmp(&q.0));
                        best.truncate(CORNERS_TRIED);
                    }
                }
            }
        }
    }
    best.into_iter().map(|(_, t)| t).collect()
}

/// Candidates looked at for [`could_be_corner`]; with more, it answers yes without looking.
const CORNER_FROM: usize = 40;

/// Whether three of the candidates with modules of at least `min_module` pixels, crossed by
/// at least `min_hits` search rows, could be a
/// symbol's finder patterns: modules within a factor of two, legs within a factor of two
/// and at an angle of 50° to 130°, at least ten modules apart. rxing's readers accept no
/// looser set (the zxing-cpp port: 60° to 120°, legs within two, 19 modules), so where this
/// says no, neither of them can read anything on the same binarization.
pub(super) fn could_be_corner(found: &[Finder], min_module: f32, min_hits: u32) -> bool {
    let sized: Vec<&Finder> =
        found.iter().filter(|f| f.module >= min_module && f.hits >= min_hits).collect();
    if sized.len() > CORNER_FROM {
        return true;
    }
    let n = sized.len();
    (0..n).any(|i| {
        (i + 1..n).any(|j| {
            (j + 1..n).any(|k| {
                let t = [sized[i], sized[j], sized[k]];
                let (lo, hi) = t
                    .iter()
                    .fold((f32::MAX, 0f32), |(lo, hi), f| (lo.min(f.module), hi.max(f.module)));
                hi <= 2.0 * lo
                    && (0..3).any(|corner| {
                        let (a, b, c) = (t[corner], t[(corner + 1) % 3], t[(corner + 2) % 3]);
                        let (bx, by, cx, cy) = (b.x - a.x, b.y - a.y, c.x - a.x, c.y - a.y);
                        let (lb, lc) = (bx.hypot(by), cx.hypot(cy));
                        let cos = (bx * cx + by * cy) / (lb * lc);
                        cos.abs() <= 0.65
                            && lb.max(lc) <= 2.0 * lb.min(lc)
                            && lb.min(lc) >= 10.0 * lo
                    })
            })
        })
    })
}
