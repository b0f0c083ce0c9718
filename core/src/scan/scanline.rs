//! Scan lines across a gray image and the bar/space widths along them.
//!
//! A line is sampled pixel by pixel (rows are borrowed as they are; other angles are stepped in
//! fixed point, nearest pixel). Edges are found on the first difference of the samples, so they
//! follow local contrast: glare, a shadow or a dim screen move the levels, not the edges. Each
//! edge gets a sub-pixel position (the centroid of its gradient), which keeps two-pixel modules
//! decodable.

use super::frame::LumaImage;

/// The widths of the alternating dark and light elements along one line.
#[derive(Debug, Default)]
pub(crate) struct Elements {
    /// Element widths in pixels; the first runs from the line's start to the first edge and the
    /// last from the last edge to the line's end.
    pub widths: Vec<f32>,
    /// Whether `widths[0]` is dark.
    pub first_dark: bool,
    /// Scratch, kept between lines: the runs strong enough to ever pass the floor, as
    /// (signed sum, absolute sum, moment), their strengths, and the edges kept.
    runs: Vec<(i32, i32, i64)>,
    smoothed: Vec<i16>,
    diffs: Vec<i16>,
    strengths: Vec<i32>,
    kept: Vec<(f32, f32)>,
}

/// A run of one sign whose summed difference is below this (in smoothed levels, four to a
/// grey level) is under [`FLOOR_MIN`] and can never be an edge: it is only counted.
const WEAK: i32 = (FLOOR_MIN * 4.0) as i32;

impl Elements {
    /// Whether element `i` is dark.
    pub fn is_dark(&self, i: usize) -> bool {
        i.is_multiple_of(2) == self.first_dark
    }

    /// Elements with these widths, as if measured (for tests of the symbol readers).
    #[cfg(test)]
    pub fn from_widths(widths: Vec<f32>, first_dark: bool) -> Self {
        Elements { widths, first_dark, ..Elements::default() }
    }

    /// Finds the edges along `samples` and fills `widths`.
    pub fn measure(&mut self, samples: &[u8]) {
        self.widths.clear();
        self.runs.clear();
        if samples.len() < 2 {
            return;
        }
        // 1. Maximal runs of the first difference with one sign (zeros join the run they are in).
        // The first difference of the [1 2 1]-smoothed line (in quarter levels): sensor noise
        // drops by half, while edges blurred by the optics keep their centres. Sums stay in
        // integers; `moment` counts in half pixels. Runs too weak to pass the floor below are
        // only counted (flat, noisy stretches make most runs): they matter for the floor's
        // percentile, not as edges.
        let (mut sum, mut abs_sum, mut moment) = (0i32, 0i32, 0i64);
        let mut weak = 0usize;
        let runs = &mut self.runs;
        let mut push = |sum: i32, abs_sum: i32, moment: i64| {
            if sum.abs() < WEAK {
                weak += 1;
            } else {
                runs.push((sum, abs_sum, moment));
            }
        };
        // The smoothed line (the ends repeat their neighbour) and its first difference, in
        // two straight passes the compiler vectorizes; inside, d[i] = s[i+2] + s[i+1] - s[i]
        // - s[i-1] of the samples.
        let n = samples.len();
        let level = |i: usize| i16::from(samples[i]);
        self.smoothed.clear();
        self.smoothed.push(level(0) * 3 + level(1));
        self.smoothed.extend(
            samples.windows(3).map(|w| i16::from(w[0]) + 2 * i16::from(w[1]) + i16::from(w[2])),
        );
        self.smoothed.push(level(n - 2) + 3 * level(n - 1));
        self.diffs.clear();
        self.diffs.extend(self.smoothed.windows(2).map(|w| w[1] - w[0]));
        for (i, &d) in self.diffs.iter().enumerate() {
            if d == 0 {
                continue;
            }
            let d = i32::from(d);
            if sum != 0 && (d > 0) != (sum > 0) {
                push(sum, abs_sum, moment);
                (sum, abs_sum, moment) = (0, 0, 0);
            }
            sum += d;
            abs_sum += d.abs();
            moment += i64::from(d.abs()) * (2 * i as i64 + 1);
        }
        if sum != 0 {
            push(sum, abs_sum, moment);
        }
        // 2. Drop edges weaker than a share of the line's strong edges (the 90th percentile of
        //    all runs), then merge neighbours of the same direction (one blurred edge split by
        //    noise). When the percentile falls among the weak runs, the floor is `FLOOR_MIN`.
        let total = weak + self.runs.len();
        self.strengths.clear();
        self.strengths.extend(self.runs.iter().map(|r| r.0.abs()));
        let strong = if total >= 8 {
            let k = total * 9 / 10;
            match k.checked_sub(weak) {
                Some(k) => *self.strengths.select_nth_unstable(k).1 as f32 / 4.0,
                None => 0.0,
            }
        } else {
            self.strengths.iter().copied().max().unwrap_or(0) as f32 / 4.0
        };
        let floor = (strong * FLOOR_SHARE).max(FLOOR_MIN);
        let kept = &mut self.kept;
        kept.clear();
        for &(sum, abs_sum, moment) in &self.runs {
            let s = sum as f32 / 4.0;
            if s.abs() < floor {
                continue;
            }
            let x = moment as f32 / (2 * abs_sum) as f32;
            match kept.last_mut() {
                Some(last) if (last.0 > 0.0) == (s > 0.0) => {
                    let (a, b) = (last.0.abs(), s.abs());
                    *last = (last.0 + s, (last.1 * a + x * b) / (a + b));
                }
                _ => kept.push((s, x)),
            }
        }
        let Some(first) = kept.first() else {
            return;
        };
        // A falling edge (light to dark) first means the line starts light.
        self.first_dark = first.0 > 0.0;
        let mut previous = 0.0;
        for &(_, x) in kept.iter() {
            self.widths.push(x - previous);
            previous = x;
        }
        self.widths.push(samples.len() as f32 - previous);
    }
}

const FLOOR_SHARE: f32 = 0.12;
const FLOOR_MIN: f32 = 10.0;

/// A family of parallel lines across an image at one angle.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LineFamily {
    /// Angle from the horizontal, in degrees (0 = rows, 90 = columns).
    pub degrees: f32,
    /// Perpendicular distance between neighbouring lines, in pixels.
    pub spacing: f32,
}

/// Samples lines of a family from the image centre outwards, calling `visit` with each line's
/// samples; stops early when `visit` returns `true`.
pub(crate) fn for_each_line(
    image: &LumaImage,
    family: LineFamily,
    buffer: &mut Vec<u8>,
    mut visit: impl FnMut(&[u8]) -> bool,
) {
    let (w, h) = (image.width() as f32, image.height() as f32);
    let (sin, cos) = family.degrees.to_radians().sin_cos();
    // The lines are x·(-sin) + y·cos = c for offsets c around the centre's value.
    let (cx, cy) = (w / 2.0, h / 2.0);
    let reach = (w * sin.abs() + h * cos.abs()) / 2.0;
    let count = (reach / family.spacing.max(1.0)) as i32;
    for step in 0..=2 * count {
        // 0, +1, -1, +2, -2, ... from the centre.
        let k = if step % 2 == 0 { -(step / 2) } else { (step + 1) / 2 };
        let offset = k as f32 * family.spacing;
        if family.degrees == 0.0 {
            let y = (cy + offset) as i64;
            if (0..image.height() as i64).contains(&y) && visit(image.row(y as usize)) {
                return;
            }
            continue;
        }
        if sample_line(image, (cx - sin * offset, cy + cos * offset), (cos, sin), buffer)
            && visit(buffer)
        {
            return;
        }
    }
}

/// Samples the whole chord of the line through `point` with direction `dir` (unit vector).
/// Returns false when the line misses the image or is too short to hold a symbol.
fn sample_line(image: &LumaImage, point: (f32, f32), dir: (f32, f32), out: &mut Vec<u8>) -> bool {
    out.clear();
    let (w, h) = (image.width() as f32, image.height() as f32);
    // Clip the parametric line point + t·dir to [0, w) x [0, h).
    let (mut t0, mut t1) = (f32::NEG_INFINITY, f32::INFINITY);
    for (p, d, limit) in [(point.0, dir.0, w), (point.1, dir.1, h)] {
        if d.abs() < 1e-6 {
            if p < 0.0 || p >= limit {
                return false;
            }
            continue;
        }
        let (a, b) = ((0.0 - p) / d, (limit - 0.001 - p) / d);
        t0 = t0.max(a.min(b));
        t1 = t1.min(a.max(b));
    }
    if t1 - t0 < 16.0 {
        return false;
    }
    let stride = image.width() as usize;
    let pixels = image.pixels();
    let n = (t1 - t0) as usize;
    out.reserve(n);
    // 16.16 fixed point: the clipping above keeps every sample inside the image; `get` keeps
    // a rounding slip from reading out of bounds.
    const ONE: f32 = 65536.0;
    let (mut x, mut y) =
        (((point.0 + t0 * dir.0) * ONE) as i64, ((point.1 + t0 * dir.1) * ONE) as i64);
    let (dx, dy) = ((dir.0 * ONE) as i64, (dir.1 * ONE) as i64);
    let last_column = stride as i64 - 1;
    for _ in 0..n {
        let index = (y >> 16).max(0) as usize * stride + (x >> 16).clamp(0, last_column) as usize;
        if let Some(&p) = pixels.get(index) {
            out.push(p);
        }
        x += dx;
        y += dy;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_of_a_clean_and_a_blurred_profile() {
        let mut e = Elements::default();
        let line: Vec<u8> = [255u8; 5]
            .iter()
            .chain(&[0u8; 4])
            .chain(&[255u8; 2])
            .chain(&[0u8; 6])
            .copied()
            .collect();
        e.measure(&line);
        assert!(!e.first_dark);
        // Smoothing pushes the edges of a 2-pixel element apart by a third of a pixel.
        assert_eq!(e.widths.len(), 4);
        for (got, want) in e.widths.iter().zip([5.0, 4.0, 2.0, 6.0]) {
            assert!((got - want).abs() < 0.7, "{:?}", e.widths);
        }
        // Edges blurred over three pixels with noise keep their centres (within the same
        // bias, the next light element being two pixels wide).
        let blurred =
            [250, 252, 249, 251, 200, 60, 4, 0, 3, 1, 60, 200, 190, 60, 2, 0, 1, 0, 0, 2, 1];
        e.measure(&blurred);
        assert_eq!(e.widths.len(), 4);
        assert!((e.widths[1] - 6.0).abs() < 0.7, "{:?}", e.widths);
    }

    /// The first version of `measure`: every run stored, the floor from all of them.
    fn reference(samples: &[u8]) -> (Vec<f32>, Option<bool>) {
        let n = samples.len();
        let level = |i: usize| i32::from(samples[i]);
        let smooth =
            |i: usize| level(i.saturating_sub(1)) + 2 * level(i) + level((i + 1).min(n - 1));
        let mut edges: Vec<(f32, f32)> = Vec::new();
        let (mut sum, mut abs_sum, mut moment) = (0i32, 0i32, 0i64);
        let mut previous = smooth(0);
        for i in 0..n - 1 {
            let next = smooth(i + 1);
            let d = next - previous;
            previous = next;
            if d == 0 {
                continue;
            }
            if sum != 0 && (d > 0) != (sum > 0) {
                edges.push((sum as f32 / 4.0, moment as f32 / (2 * abs_sum) as f32));
                (sum, abs_sum, moment) = (0, 0, 0);
            }
            sum += d;
            abs_sum += d.abs();
            moment += i64::from(d.abs()) * (2 * i as i64 + 1);
        }
        if sum != 0 {
            edges.push((sum as f32 / 4.0, moment as f32 / (2 * abs_sum) as f32));
        }
        let mut strengths: Vec<f32> = edges.iter().map(|e| e.0.abs()).collect();
        let strong = if strengths.len() >= 8 {
            let k = strengths.len() * 9 / 10;
            *strengths.select_nth_unstable_by(k, f32::total_cmp).1
        } else {
            strengths.iter().copied().fold(0.0, f32::max)
        };
        let floor = (strong * FLOOR_SHARE).max(FLOOR_MIN);
        let mut kept: Vec<(f32, f32)> = Vec::new();
        for &(s, x) in edges.iter().filter(|e| e.0.abs() >= floor) {
            match kept.last_mut() {
                Some(last) if (last.0 > 0.0) == (s > 0.0) => {
                    let (a, b) = (last.0.abs(), s.abs());
                    *last = (last.0 + s, (last.1 * a + x * b) / (a + b));
                }
                _ => kept.push((s, x)),
            }
        }
        let first_dark = kept.first().map(|e| e.0 > 0.0);
        let mut widths = Vec::new();
        let mut previous = 0.0;
        for &(_, x) in &kept {
            widths.push(x - previous);
            previous = x;
        }
        if !kept.is_empty() {
            widths.push(n as f32 - previous);
        }
        (widths, first_dark)
    }

    #[test]
    fn measure_matches_the_reference_on_noisy_blurred_and_flat_lines() {
        let mut state = 12345u64;
        let mut next = |m: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % m
        };
        let mut e = Elements::default();
        for case in 0..400 {
            let n = 2 + next(600) as usize;
            let (dark, light, noise) = (next(120) as i32, 130 + next(126) as i32, next(40) as i32);
            // Bars of 1-8 pixels, a quiet stretch, or flat noise only.
            let mut line = Vec::with_capacity(n);
            let mut is_dark = false;
            while line.len() < n {
                let run = if case % 5 == 0 { n } else { 1 + next(8) as usize };
                for _ in 0..run.min(n - line.len()) {
                    let base = if is_dark { dark } else { light };
                    let jitter =
                        if noise > 0 { next(2 * noise as u64 + 1) as i32 - noise } else { 0 };
                    line.push((base + jitter).clamp(0, 255) as u8);
                }
                is_dark = !is_dark;
            }
            if case % 3 == 0 {
                // Blur: a running mean over three samples.
                line = (0..n)
                    .map(|i| {
                        let (lo, hi) = (i.saturating_sub(1), (i + 1).min(n - 1));
                        ((lo..=hi).map(|j| u32::from(line[j])).sum::<u32>() / (hi - lo + 1) as u32)
                            as u8
                    })
                    .collect();
            }
            e.measure(&line);
            let (widths, first_dark) = reference(&line);
            assert_eq!(e.widths, widths, "case {case}");
            if let Some(first_dark) = first_dark {
                assert_eq!(e.first_dark, first_dark, "case {case}");
            }
        }
    }

    #[test]
    fn line_families_stay_inside_the_image() {
        let image = LumaImage::from_pixels(37, 23, (0..37 * 23).map(|i| (i % 251) as u8).collect())
            .unwrap();
        let mut buffer = Vec::new();
        for degrees in [0.0, 15.0, 45.0, 90.0, 135.0, -30.0] {
            let mut lines = 0;
            for_each_line(&image, LineFamily { degrees, spacing: 3.0 }, &mut buffer, |s| {
                assert!(s.len() <= 44);
                lines += 1;
                false
            });
            assert!(lines > 2, "{degrees}: {lines}");
        }
    }
}
