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

/// Measures one line and decodes it, dark bars on light, then the same widths read as light
/// bars on dark; then, when that read nothing on a line with edges enough for a symbol, the
/// same with the sharp difference.
fn read_line(elements: &mut Elements, line: &[u8]) -> Option<LineResult> {
    for kernel in [Kernel::Smooth, Kernel::Sharp] {
        elements.measure_with(line, kernel);
        if elements.widths.len() < MIN_ELEMENTS {
            return None;
        }
        for _ in 0..2 {
            if let Some(text) = decode_line(elements) {
                return Some(text);
            }
            elements.first_dark = !elements.first_dark;
        }
    }
    None
}
