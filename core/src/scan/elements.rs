//! Bar and space widths along one scan line.
//!
//! Edges are found on the first difference of the samples, so they follow local contrast:
//! glare, a shadow or a dim screen move the levels, not the edges. Each edge gets a sub-pixel
//! position (the centroid of its gradient), which keeps modules of two pixels, and with the
//! [`Kernel::Sharp`] difference of 1.3 pixels, decodable.

/// How a line's samples are differenced before its edges are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kernel {
    /// The first difference of the [1 2 1]-smoothed line: sensor noise drops by half, while
    /// edges blurred by the optics keep their centres.
    Smooth,
    /// The plain first difference (times four: the same units as `Smooth`). A one-module
    /// element of 1.3 to 2 pixels keeps its full contrast, most of which smoothing takes away
    /// (at a bar-and-space period of 2.8 pixels the [1 2 1] kernel passes a fifth of it).
    Sharp,
}

/// The widths of the alternating dark and light elements along one line.
#[derive(Debug, Default)]
pub(crate) struct Elements {
    /// Element widths in pixels; the first runs from the line's start to the first edge and the
    /// last from the last edge to the line's end.
    pub widths: Vec<f32>,
    /// Whether `widths[0]` is dark.
    pub first_dark: bool,
    /// Scratch, kept between lines: the runs strong enough to ever pass the floor, as
    /// (signed sum, moment) (only the start is used; the buffer only grows),
    /// their strengths, and the edges kept.
    runs: Vec<(i32, i64)>,
    smoothed: Vec<i16>,
    diffs: Vec<i16>,
    strengths: Vec<i32>,
    kept: Vec<(f32, f32)>,
    /// The last measured line's strong runs (`runs[..run_count]`), its strong-edge level and
    /// length, for [`Elements::raise_floor`].
    run_count: usize,
    strong: f32,
    length: usize,
}

/// A run of one sign whose summed difference is below this (in smoothed levels, four to a
/// grey level) is under [`FLOOR_MIN`] and can never be an edge: it is only counted.
const WEAK: i32 = (FLOOR_MIN * 4.0) as i32;

impl Elements {
    /// Whether element `i` is dark.
    pub fn is_dark(&self, i: usize) -> bool {
        i.is_multiple_of(2) == self.first_dark
    }

    /// Elements with these widths, as if measured (the runs of a binarized row, and tests).
    pub fn from_widths(widths: Vec<f32>, first_dark: bool) -> Self {
        Elements { widths, first_dark, ..Elements::default() }
    }

    /// Finds the edges along `samples` with the given difference and fills `widths`.
    pub fn measure_with(&mut self, samples: &[u8], kernel: Kernel) {
        self.widths.clear();
        self.run_count = 0;
        let n = samples.len();
        if n < 2 {
            return;
        }
        // The difference in quarter levels, in straight passes the compiler vectorizes.
        // Smoothed, the ends repeat their neighbour, and inside d[i] = s[i+2] + s[i+1] - s[i]
        // - s[i-1] of the samples.
        self.diffs.clear();
        match kernel {
            Kernel::Smooth => {
                let level = |i: usize| i16::from(samples[i]);
                self.smoothed.clear();
                self.smoothed.push(level(0) * 3 + level(1));
                self.smoothed.extend(
                    samples
                        .windows(3)
                        .map(|w| i16::from(w[0]) + 2 * i16::from(w[1]) + i16::from(w[2])),
                );
                self.smoothed.push(level(n - 2) + 3 * level(n - 1));
                self.diffs.extend(self.smoothed.windows(2).map(|w| w[1] - w[0]));
            }
            Kernel::Sharp => self
                .diffs
                .extend(samples.windows(2).map(|w| 4 * (i16::from(w[1]) - i16::from(w[0])))),
        }
        // 1. Maximal runs of the difference with one sign (zeros join the run they are in).
        // Sums stay in integers; `moment` counts in half pixels. Runs too weak to pass the
        // floor below are only counted (flat, noisy stretches make most runs): they matter for
        // the floor's percentile, not as edges. Noise flips the sign every sample or two, so
        // the loop has no branch on it: every step stores the current run in the next free
        // slot, which only a strong run's end claims.
        if self.runs.len() < n {
            self.runs.resize(n, (0, 0));
        }
        let (mut sum, mut moment) = (0i32, 0i64);
        let (mut count, mut weak) = (0usize, 0usize);
        // Fields apart, so that the loop keeps the slices in registers.
        let (diffs, slots) = (&self.diffs[..], &mut self.runs[..]);
        for (i, &d) in diffs.iter().enumerate() {
            let d = i32::from(d);
            // Both differences are at most 1,020 in size, and so is a run's sum (its levels
            // move one way): the product cannot overflow. Zero on either side: no end.
            let ends = d * sum < 0;
            let strong = sum.abs() >= WEAK;
            // `count` is at most the number of runs ended so far, below `n`.
            if let Some(slot) = slots.get_mut(count) {
                *slot = (sum, moment);
            }
            count += usize::from(ends & strong);
            weak += usize::from(ends & !strong);
            let keep = -i32::from(!ends);
            sum = (sum & keep) + d;
            moment = (moment & i64::from(keep)) + i64::from(d.abs()) * (2 * i as i64 + 1);
        }
        if sum.abs() >= WEAK {
            if let Some(slot) = self.runs.get_mut(count) {
                *slot = (sum, moment);
                count += 1;
            }
        } else if sum != 0 {
            weak += 1;
        }
        let runs = self.runs.get(..count).unwrap_or_default();
        // 2. Drop edges weaker than a share of the line's strong edges (the 90th percentile of
        //    all runs), then merge neighbours of the same direction (one blurred edge split by
        //    noise). When the percentile falls among the weak runs, the floor is `FLOOR_MIN`.
        let total = weak + count;
        self.strengths.clear();
        self.strengths.extend(runs.iter().map(|r| r.0.abs()));
        let strong = if total >= 8 {
            let k = total * 9 / 10;
            match k.checked_sub(weak) {
                Some(k) => *self.strengths.select_nth_unstable(k).1 as f32 / 4.0,
                None => 0.0,
            }
        } else {
            self.strengths.iter().copied().max().unwrap_or(0) as f32 / 4.0
        };
        (self.run_count, self.strong, self.length) = (count, strong, n);
        self.keep_edges(FLOOR_SHARE);
    }

    /// Measures the last line again with edges of at least [`FLOOR_SHARE_HIGH`] of its strong
    /// edges, from the runs already found (no new pass over the samples). Screen moiré and
    /// textured paper put ripples of a fifth or a quarter of a bar's contrast into the light
    /// spaces and quiet zones: over the usual floor they split them into extra elements, which
    /// a row threshold (as zxing-cpp's) never sees. Returns whether the raised floor dropped
    /// at least a quarter of the edges: ripples are many of a moiré line's edges, while on a
    /// line of noise (no code, edges of every strength) the raised floor drops fewer, and
    /// reading it again would only double its cost (uniform noise frames: 2x without this).
    pub fn raise_floor(&mut self) -> bool {
        let before = self.widths.len();
        self.keep_edges(FLOOR_SHARE_HIGH);
        self.widths.len() * 4 <= before * 3
    }

    /// Step 2 of [`Elements::measure_with`]: the widths between the last line's edges of at
    /// least `share` of its strong edges.
    fn keep_edges(&mut self, share: f32) {
        self.widths.clear();
        let runs = self.runs.get(..self.run_count).unwrap_or_default();
        let floor = (self.strong * share).max(FLOOR_MIN);
        let kept = &mut self.kept;
        kept.clear();
        for &(sum, moment) in runs {
            let s = sum as f32 / 4.0;
            if s.abs() < floor {
                continue;
            }
            // Every difference in a run has its sign: the sum's size is their absolute sum.
            let x = moment as f32 / (2 * sum.abs()) as f32;
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
        self.widths.push(self.length as f32 - previous);
    }
}

const FLOOR_SHARE: f32 = 0.12;
/// The floor of [`Elements::raise_floor`].
const FLOOR_SHARE_HIGH: f32 = 0.30;
const FLOOR_MIN: f32 = 10.0;

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
        e.measure_with(&line, Kernel::Smooth);
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
        e.measure_with(&blurred, Kernel::Smooth);
        assert_eq!(e.widths.len(), 4);
        assert!((e.widths[1] - 6.0).abs() < 0.7, "{:?}", e.widths);
    }

    /// The first version of `measure`: every run stored, the floor from all of them.
    fn reference(samples: &[u8], kernel: Kernel) -> (Vec<f32>, Option<bool>) {
        let n = samples.len();
        let level = |i: usize| i32::from(samples[i]);
        let smooth = |i: usize| match kernel {
            Kernel::Smooth => level(i.saturating_sub(1)) + 2 * level(i) + level((i + 1).min(n - 1)),
            Kernel::Sharp => 4 * level(i),
        };
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
            for kernel in [Kernel::Smooth, Kernel::Sharp] {
                e.measure_with(&line, kernel);
                let (widths, first_dark) = reference(&line, kernel);
                assert_eq!(e.widths, widths, "case {case} {kernel:?}");
                if let Some(first_dark) = first_dark {
                    assert_eq!(e.first_dark, first_dark, "case {case} {kernel:?}");
                }
            }
        }
    }
}
