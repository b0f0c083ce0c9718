//! Code 128 along families of scan lines ([`super::scanline`]): each line measured
//! ([`super::elements`]) and decoded ([`super::code128`]) in both polarities; a text is
//! returned once two different lines agree on it.
//!
//! Thin modules: when the smoothed difference reads nothing on a line with edges enough for a
//! symbol, the line is measured again with the sharp one (modules of 1.3 to 2 pixels lose most
//! of their contrast to smoothing). Confirmation: a line that decodes is followed at once by
//! lines a fraction of the spacing beside it, so a symbol only a little taller than the
//! spacing (small, or tilted so that few lines cross it whole) still gets its second line.

use super::code128::{decode_line, LineResult};
use super::elements::{Elements, Kernel};
use super::frame::LumaImage;
use super::scanline::{for_each_line, LineFamily};

/// The fewest elements a line needs to hold a symbol: quiet zone, start, one data symbol,
/// check, stop (six elements each, seven for the stop) and quiet zone.
const MIN_ELEMENTS: usize = 1 + 6 * 3 + 7 + 1;

/// Elements under this many pixels, smoothed, are narrow: one module of 2 pixels or less.
const NARROW: f32 = 2.5;
/// The fewest narrow elements for the sharp difference to be tried. Thin modules blurred
/// by smoothing still leave many narrow elements (20 and more on every line the sharp
/// difference read in the test frames); a line across clutter mostly does not.
const NARROW_MIN: usize = 10;

/// Where the confirmation lines go, in fractions of the spacing from the line that decoded
/// (the family's own lines are one spacing apart).
const CONFIRM: [f32; 6] = [0.25, -0.25, 0.5, -0.5, 0.75, -0.75];

/// Scratch space reused between lines and calls.
#[derive(Debug, Default)]
pub(crate) struct Code128Scanner {
    elements: Elements,
    samples: Vec<u8>,
    beside: Vec<u8>,
}

impl Code128Scanner {
    /// Scans the line families at `angles` in order, about `lines_per_side` lines each (at
    /// least 2 and at most 24 pixels apart); returns the first text two lines agree on.
    pub fn scan(
        &mut self,
        image: &LumaImage,
        angles: &[f32],
        lines_per_side: f32,
    ) -> Option<String> {
        let mut seen: Vec<String> = Vec::new();
        let side = image.width().max(image.height()) as f32;
        let spacing = (side / lines_per_side).clamp(2.0, 24.0);
        for &degrees in angles {
            let family = LineFamily { degrees, spacing };
            let Code128Scanner { elements, samples, beside } = self;
            let mut found = None;
            for_each_line(image, family, samples, |offset, line| {
                let Some(text) = read_line(elements, line) else {
                    return false;
                };
                if agreed(&mut seen, text, &mut found) {
                    return true;
                }
                for fraction in CONFIRM {
                    // Rows are whole pixels: a shift under one could be the same row again.
                    let shift = fraction * spacing;
                    if shift.abs() < 1.0 {
                        continue;
                    }
                    let Some(line) = family.line(image, offset + shift, beside) else {
                        continue;
                    };
                    if let Some(text) = read_line(elements, line) {
                        if agreed(&mut seen, text, &mut found) {
                            return true;
                        }
                    }
                }
                false
            });
            if found.is_some() {
                return found;
            }
        }
        None
    }
}

/// Records a line's text; true (and the text in `found`) when another line had read it.
fn agreed(seen: &mut Vec<String>, text: String, found: &mut Option<String>) -> bool {
    if seen.contains(&text) {
        *found = Some(text);
        return true;
    }
    seen.push(text);
    false
}

/// Whether smoothed widths look like modules thin enough for the sharp difference to help:
/// enough of them narrow.
fn thin_modules(widths: &[f32]) -> bool {
    widths.iter().filter(|&&w| w < NARROW).count() >= NARROW_MIN
}

/// Measures one line and decodes it, dark bars on light, then the same widths read as light
/// bars on dark; then, when that read nothing, the same line with only its strongest edges
/// ([`Elements::raise_floor`]: ripples of moiré dropped); then, on a line with edges enough for
/// a symbol and [`thin_modules`], the same with the sharp difference.
fn read_line(elements: &mut Elements, line: &[u8]) -> Option<LineResult> {
    let mut thin = false;
    for kernel in [Kernel::Smooth, Kernel::Sharp] {
        if kernel == Kernel::Sharp && !thin {
            return None;
        }
        elements.measure_with(line, kernel);
        if elements.widths.len() < MIN_ELEMENTS {
            return None;
        }
        thin = thin_modules(&elements.widths);
        if let Some(text) = decode_both_polarities(elements) {
            return Some(text);
        }
        if elements.raise_floor() && elements.widths.len() >= MIN_ELEMENTS {
            if let Some(text) = decode_both_polarities(elements) {
                return Some(text);
            }
        }
    }
    None
}

/// Decodes the measured widths as dark bars on light, then as light bars on dark.
fn decode_both_polarities(elements: &mut Elements) -> Option<LineResult> {
    for _ in 0..2 {
        if let Some(text) = decode_line(elements) {
            return Some(text);
        }
        elements.first_dark = !elements.first_dark;
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::scan::code128_table::PATTERNS;

    /// The symbol values of Code Set C digit pairs, with start, check and stop.
    pub(crate) fn set_c(pairs: &[u8]) -> Vec<u8> {
        let check = pairs
            .iter()
            .enumerate()
            .fold(105u32, |sum, (i, &v)| sum + (i as u32 + 1) * u32::from(v))
            % 103;
        let mut values = vec![105];
        values.extend_from_slice(pairs);
        values.extend([check as u8, 106]);
        values
    }

    /// One row across the symbol as a camera sees it: `module` pixels a module starting at
    /// `start` pixels, each pixel the mean of what it covers (dark 30, light 230), ten modules
    /// of quiet zone on either side.
    pub(crate) fn render_row(values: &[u8], module: f32, start: f32) -> Vec<u8> {
        let mut dark = Vec::new();
        let mut x = start + 10.0 * module;
        for &value in values {
            for (i, &m) in PATTERNS[usize::from(value)].iter().enumerate() {
                let w = f32::from(m) * module;
                if i % 2 == 0 {
                    dark.push((x, x + w));
                }
                x += w;
            }
        }
        // The stop's final two-module bar.
        dark.push((x, x + 2.0 * module));
        let end = (x + 12.0 * module + start).ceil() as usize;
        (0..end)
            .map(|i| {
                let (a, b) = (i as f32, i as f32 + 1.0);
                let cover: f32 = dark.iter().map(|&(l, r)| (r.min(b) - l.max(a)).max(0.0)).sum();
                (230.0 - 200.0 * cover).round() as u8
            })
            .collect()
    }

    const PAIRS: [u8; 9] = [13, 46, 50, 72, 8, 66, 36, 13, 95];
    const TEXT: &str = "134650720866361395";

    #[test]
    fn thin_modules_are_read_with_the_sharp_difference() {
        let mut elements = Elements::default();
        for (module, start) in [(1.4, 0.3), (1.35, 0.0), (1.5, 0.7), (1.8, 0.2)] {
            let row = render_row(&set_c(&PAIRS), module, start);
            assert_eq!(read_line(&mut elements, &row).as_deref(), Some(TEXT), "{module} {start}");
        }
        // The smoothed difference alone does not read the thinnest.
        let row = render_row(&set_c(&PAIRS), 1.4, 0.3);
        elements.measure_with(&row, Kernel::Smooth);
        assert!(thin_modules(&elements.widths));
        assert_eq!(decode_line(&elements), None);
        elements.first_dark = !elements.first_dark;
        assert_eq!(decode_line(&elements), None);
    }

    #[test]
    fn moire_ripples_in_the_light_spaces_are_dropped_by_the_raised_floor() {
        // A screen's pixel grid beating with the camera's: a ripple of a few pixels' period
        // over the light spaces and quiet zones, a fifth of the bars' contrast after
        // smoothing (over the usual floor, under the raised one).
        let mut elements = Elements::default();
        for (module, start) in [(2.5, 0.0), (3.0, 0.4), (3.5, 0.7)] {
            // The line crosses light paper or screen on either side of the symbol too.
            let margin = [230u8; 150];
            let symbol = render_row(&set_c(&PAIRS), module, start);
            let row: Vec<u8> = [&margin[..], &symbol, &margin]
                .concat()
                .iter()
                .enumerate()
                .map(|(i, &level)| {
                    let light = (f32::from(level) - 30.0) / 200.0;
                    let ripple = 55.0 * light * (i as f32 * std::f32::consts::TAU / 3.3).sin();
                    (f32::from(level) + ripple).clamp(0.0, 255.0) as u8
                })
                .collect();
            assert_eq!(read_line(&mut elements, &row).as_deref(), Some(TEXT), "{module} {start}");
            elements.measure_with(&row, Kernel::Smooth);
            assert_eq!(decode_both_polarities(&mut elements), None, "usual floor {module}");
            assert!(elements.raise_floor());
            assert_eq!(decode_both_polarities(&mut elements).as_deref(), Some(TEXT));
        }
    }

    #[test]
    fn a_line_with_edges_of_every_strength_is_not_read_again_at_the_raised_floor() {
        // Texture or noise: edges of every strength, a few pixels apart. The raised floor drops
        // under a quarter of them; a second decode would only double the line's cost.
        let mut state = 0x2545_f491_u32;
        let mut row = Vec::new();
        for _ in 0..160 {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let step = 5 + (state >> 24) as u8 % 100;
            row.extend([128u8; 4]);
            row.extend([128 + step; 4]);
        }
        let mut elements = Elements::default();
        elements.measure_with(&row, Kernel::Smooth);
        assert!(elements.widths.len() >= MIN_ELEMENTS);
        let before = elements.widths.len();
        assert!(!elements.raise_floor(), "{before} -> {}", elements.widths.len());
    }

    #[test]
    fn lines_without_thin_modules_or_edges_enough_are_not_measured_again() {
        // Clutter: a few wide stripes, then a flat stretch.
        let clutter: Vec<f32> = [20.0, 6.0, 7.0, 5.0, 9.0, 3.0, 8.0].repeat(4);
        assert!(!thin_modules(&clutter));
        assert!(thin_modules(&[1.5; 12]));
        let mut elements = Elements::default();
        let stripes: Vec<u8> = (0..400).map(|i| if i % 40 < 20 { 30 } else { 230 }).collect();
        assert_eq!(read_line(&mut elements, &stripes), None);
        assert!(elements.widths.len() < MIN_ELEMENTS);
    }

    /// A white image with the symbol's row repeated over rows `top..bottom`.
    fn banded(row: &[u8], width: usize, height: usize, top: usize, bottom: usize) -> LumaImage {
        let mut pixels = vec![230u8; width * height];
        for y in top..bottom {
            let line = &mut pixels[y * width..(y + 1) * width];
            line[..row.len()].copy_from_slice(row);
        }
        LumaImage::from_pixels(width as u32, height as u32, pixels).unwrap()
    }

    #[test]
    fn a_symbol_crossed_by_one_line_of_the_family_is_confirmed_beside_it() {
        // 600 pixels a side over 24 lines: rows 24 apart through the centre (100, 124, 76,
        // ...); only row 100 crosses the symbol, the confirmation line at 106 too.
        let row = render_row(&set_c(&PAIRS), 2.5, 20.0);
        let image = banded(&row, 600, 200, 95, 110);
        let mut scanner = Code128Scanner::default();
        assert_eq!(scanner.scan(&image, &[0.0], 24.0).as_deref(), Some(TEXT));
        // A symbol no line crosses is not read, and one line alone is not enough.
        let image = banded(&row, 600, 200, 102, 110);
        assert_eq!(scanner.scan(&image, &[0.0], 24.0), None);
        let image = banded(&row, 600, 200, 99, 101);
        assert_eq!(scanner.scan(&image, &[0.0], 24.0), None);
    }
}
