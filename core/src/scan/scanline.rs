//! Scan lines across a gray image, in families of parallel lines at one angle.
//!
//! A line is sampled one pixel of its major axis at a time (rows are borrowed as they are;
//! other angles are stepped in fixed point, nearest pixel); [`super::elements`] measures the
//! bars and spaces along it.

use super::frame::LumaImage;

/// A family of parallel lines across an image at one angle.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LineFamily {
    /// Angle from the horizontal, in degrees (0 = rows, 90 = columns).
    pub degrees: f32,
    /// Perpendicular distance between neighbouring lines, in pixels.
    pub spacing: f32,
}

impl LineFamily {
    /// The samples of the line `offset` pixels from the image centre (across the lines):
    /// borrowed from the image for rows, sampled into `buffer` otherwise. `None` when the
    /// line misses the image or is too short to hold a symbol.
    pub fn line<'a>(
        &self,
        image: &'a LumaImage,
        offset: f32,
        buffer: &'a mut Vec<u8>,
    ) -> Option<&'a [u8]> {
        let (w, h) = (image.width() as f32, image.height() as f32);
        if self.degrees == 0.0 {
            let y = (h / 2.0 + offset) as i64;
            return (0..image.height() as i64).contains(&y).then(|| image.row(y as usize));
        }
        let (sin, cos) = self.degrees.to_radians().sin_cos();
        // One sample per pixel of the line's major axis: nearest-pixel sampling at a unit step
        // along the line would now and then take a pixel twice or skip one, a one-pixel error
        // in an element, most of a module when modules are 1.3 to 2 pixels. Whole-pixel steps
        // of the major axis scale every width alike, which the decoder's ratios ignore.
        let major = cos.abs().max(sin.abs()).max(1e-6);
        let point = (w / 2.0 - sin * offset, h / 2.0 + cos * offset);
        sample_line(image, point, (cos / major, sin / major), buffer).then_some(&buffer[..])
    }

    /// How far from the centre the family's lines reach on either side (in multiples of
    /// `spacing`).
    fn reach(&self, image: &LumaImage) -> i32 {
        let (sin, cos) = self.degrees.to_radians().sin_cos();
        let (w, h) = (image.width() as f32, image.height() as f32);
        ((w * sin.abs() + h * cos.abs()) / 2.0 / self.spacing.max(1.0)) as i32
    }
}

/// Samples lines of a family from the image centre outwards, calling `visit` with each line's
/// offset (see [`LineFamily::line`]) and samples; stops early when `visit` returns `true`.
pub(crate) fn for_each_line(
    image: &LumaImage,
    family: LineFamily,
    buffer: &mut Vec<u8>,
    mut visit: impl FnMut(f32, &[u8]) -> bool,
) {
    let count = family.reach(image);
    for step in 0..=2 * count {
        // 0, +1, -1, +2, -2, ... from the centre.
        let k = if step % 2 == 0 { -(step / 2) } else { (step + 1) / 2 };
        let offset = k as f32 * family.spacing;
        if let Some(samples) = family.line(image, offset, buffer) {
            if visit(offset, samples) {
                return;
            }
        }
    }
}

/// Samples the whole chord of the line through `point`, one sample per step `dir` (its
/// larger component ±1). Returns false when the line misses the image or is too short to hold
/// a symbol.
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
    out.resize(n, 0);
    // 16.16 fixed point: the clipping above keeps every sample inside the image; `get` keeps
    // a rounding slip from reading out of bounds.
    const ONE: f32 = 65536.0;
    let (mut x, mut y) =
        (((point.0 + t0 * dir.0) * ONE) as i64, ((point.1 + t0 * dir.1) * ONE) as i64);
    let (dx, dy) = ((dir.0 * ONE) as i64, (dir.1 * ONE) as i64);
    let last_column = stride as i64 - 1;
    for slot in out.iter_mut() {
        let index = (y >> 16).max(0) as usize * stride + (x >> 16).clamp(0, last_column) as usize;
        if let Some(&p) = pixels.get(index) {
            *slot = p;
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
    fn line_families_stay_inside_the_image() {
        let image = LumaImage::from_pixels(37, 23, (0..37 * 23).map(|i| (i % 251) as u8).collect())
            .unwrap();
        let mut buffer = Vec::new();
        for degrees in [0.0, 15.0, 45.0, 90.0, 135.0, -30.0] {
            let mut lines = 0;
            for_each_line(&image, LineFamily { degrees, spacing: 3.0 }, &mut buffer, |_, s| {
                assert!(s.len() <= 44);
                lines += 1;
                false
            });
            assert!(lines > 2, "{degrees}: {lines}");
        }
    }

    #[test]
    fn tilted_lines_take_every_column_once() {
        // Each pixel holds its column: a line stepped a unit along itself at 8 degrees would
        // take some column twice within 100 pixels (a whole pixel wrong in one element).
        let (w, h) = (250u32, 120u32);
        let pixels = (0..w * h).map(|i| (i % w) as u8).collect();
        let image = LumaImage::from_pixels(w, h, pixels).unwrap();
        let mut buffer = Vec::new();
        for degrees in [8.0, -16.0, 24.0] {
            let family = LineFamily { degrees, spacing: 10.0 };
            let line = family.line(&image, 0.0, &mut buffer).unwrap();
            assert!(line.len() > 200, "{degrees}: {}", line.len());
            assert!(line.windows(2).all(|p| p[1] == p[0] + 1), "{degrees}: {line:?}");
        }
    }
}
