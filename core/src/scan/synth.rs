//! Deterministic synthetic camera frames of a phone showing a payment code (cargo feature
//! `synth`; always compiled for this crate's tests).
//!
//! A random valid WeChat Pay or Alipay number is rendered the way the wallets show it: a
//! Code 128 barcode above a QR code on a white card, on a coloured phone screen. The screen is
//! placed in a 1280×720 or 1920×1080 frame with rotation and perspective, on a cluttered
//! background, then degraded: screen moiré, glare, blur, dim or washed-out screens and sensor
//! noise. The same seed always gives the same frame.

use rxing::{BarcodeFormat as RxFormat, MultiFormatWriter, Writer};

use super::frame::LumaImage;

/// A small, fast, seedable generator (SplitMix64): the frames must not change when a
/// dependency's RNG does.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * ((self.next_u64() >> 40) as f32 / (1u64 << 24) as f32)
    }

    /// Uniform integer in `[lo, hi]`.
    pub fn int(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }
}

/// A random valid payment code: WeChat Pay (18 digits, 10–15) or Alipay (16–24, 25–30).
pub fn random_payment_code(rng: &mut SplitMix64) -> String {
    let (prefix, len) =
        if rng.int(0, 1) == 0 { (rng.int(10, 15), 18) } else { (rng.int(25, 30), rng.int(16, 24)) };
    let mut code = prefix.to_string();
    while code.len() < len as usize {
        code.push(char::from(b'0' + rng.int(0, 9) as u8));
    }
    code
}

/// One generated frame and what it shows.
#[derive(Debug, Clone)]
pub struct SynthFrame {
    /// The frame, 8-bit gray.
    pub image: LumaImage,
    /// The payment code in both symbols.
    pub code: String,
}

/// Module grids of the two symbols, as the wallet renders them.
struct Symbols {
    bars: Vec<bool>,
    qr: Vec<bool>,
    qr_side: usize,
}

fn encode(code: &str) -> Option<Symbols> {
    let writer = MultiFormatWriter;
    let bars = writer.encode(code, &RxFormat::CODE_128, 0, 1).ok()?;
    let bars = (0..bars.width()).map(|x| bars.get(x, 0)).collect();
    let qr = writer.encode(code, &RxFormat::QR_CODE, 0, 0).ok()?;
    let side = qr.width();
    let qr = (0..side * side).map(|i| qr.get(i % side, i / side)).collect();
    Some(Symbols { bars, qr, qr_side: side as usize })
}

/// Screen content at screen coordinates (u right, v down, both in [0, 1]): 0 black, 1 white,
/// in between for the coloured parts. The card holds the barcode (top) and the QR (below).
fn screen_at(s: &Symbols, u: f32, v: f32, tint: f32) -> f32 {
    // Card: u 0.05–0.95, v 0.12–0.88 of a 9:16 portrait screen.
    if !(0.05..0.95).contains(&u) || !(0.12..0.88).contains(&v) {
        return tint;
    }
    if (0.08..0.92).contains(&u) && (0.18..0.30).contains(&v) {
        let i = ((u - 0.08) / 0.84 * s.bars.len() as f32) as usize;
        return if s.bars.get(i).copied().unwrap_or(false) { 0.0 } else { 1.0 };
    }
    // The QR: a square 0.5 of the screen width, i.e. 0.5 · 9/16 of its height.
    let (qu, qv) = ((u - 0.25) / 0.5, (v - 0.36) / (0.5 * 9.0 / 16.0));
    if (0.0..1.0).contains(&qu) && (0.0..1.0).contains(&qv) {
        let (x, y) = ((qu * s.qr_side as f32) as usize, (qv * s.qr_side as f32) as usize);
        return if s.qr.get(y * s.qr_side + x).copied().unwrap_or(false) { 0.0 } else { 1.0 };
    }
    1.0
}

/// Solves the homography mapping the unit square's corners to `quad` (TL, TR, BR, BL) and
/// returns its inverse as a function from frame pixels to screen coordinates.
fn inverse_homography(quad: [(f32, f32); 4]) -> impl Fn(f32, f32) -> (f32, f32) {
    // Square-to-quad (Heckbert), then the adjugate as inverse.
    let [(x0, y0), (x1, y1), (x2, y2), (x3, y3)] = quad;
    let (dx1, dx2, dx3) = (x1 - x2, x3 - x2, x0 - x1 + x2 - x3);
    let (dy1, dy2, dy3) = (y1 - y2, y3 - y2, y0 - y1 + y2 - y3);
    let den = dx1 * dy2 - dx2 * dy1;
    let g = (dx3 * dy2 - dx2 * dy3) / den;
    let h = (dx1 * dy3 - dx3 * dy1) / den;
    let (a, b, c) = (x1 - x0 + g * x1, x3 - x0 + h * x3, x0);
    let (d, e, f) = (y1 - y0 + g * y1, y3 - y0 + h * y3, y0);
    let (ia, ib, ic) = (e - f * h, c * h - b, b * f - c * e);
    let (id, ie, if_) = (f * g - d, a - c * g, c * d - a * f);
    let (ig, ih, ii) = (d * h - e * g, b * g - a * h, a * e - b * d);
    move |x, y| {
        let w = ig * x + ih * y + ii;
        ((ia * x + ib * y + ic) / w, (id * x + ie * y + if_) / w)
    }
}

/// Renders frame `index` of the set `seed` at `width`×`height`.
pub fn payment_frame(seed: u64, index: u64, width: u32, height: u32) -> Option<SynthFrame> {
    let mut rng =
        SplitMix64::new(seed ^ index.wrapping_mul(0xA24B_AED4_963E_E407) ^ u64::from(width));
    let code = random_payment_code(&mut rng);
    let symbols = encode(&code)?;
    let (w, h) = (width as f32, height as f32);
    // The phone: portrait 9:16, its screen 75–120 % of the frame height (held close, the
    // code centred), turned up to ±20°, corners moved by up to 5 % for perspective.
    let screen_h = h * rng.range(0.75, 1.2);
    let screen_w = screen_h * 9.0 / 16.0;
    let angle = rng.range(-20.0, 20.0).to_radians();
    let (cx, cy) = (w / 2.0 + rng.range(-0.2, 0.2) * w, h / 2.0 + rng.range(-0.05, 0.05) * h);
    let (sin, cos) = angle.sin_cos();
    let corner = |u: f32, v: f32, rng: &mut SplitMix64| {
        let (px, py) = ((u - 0.5) * screen_w, (v - 0.5) * screen_h);
        let jitter = 0.05 * screen_h;
        (
            cx + px * cos - py * sin + rng.range(-jitter, jitter),
            cy + px * sin + py * cos + rng.range(-jitter, jitter),
        )
    };
    let quad = [
        corner(0.0, 0.0, &mut rng),
        corner(1.0, 0.0, &mut rng),
        corner(1.0, 1.0, &mut rng),
        corner(0.0, 1.0, &mut rng),
    ];
    let to_screen = inverse_homography(quad);
    // Screen levels (a dim or washed-out display), moiré, glare, background.
    let (black, white) = (rng.range(5.0, 70.0), rng.range(170.0, 255.0));
    let tint = rng.range(0.3, 0.7);
    let moire = (rng.range(0.0, 0.12), rng.range(0.05, 0.6), rng.range(0.0, std::f32::consts::PI));
    let glare =
        (rng.range(0.0, w), rng.range(0.0, h), rng.range(0.05, 0.2) * w, rng.range(0.0, 110.0));
    let (bg_a, bg_b) = (rng.range(20.0, 140.0), rng.range(20.0, 140.0));
    let mut pixels = vec![0f32; (width * height) as usize];
    for y in 0..height {
        for x in 0..width {
            // 2×2 supersampling keeps module edges anti-aliased like a real sensor.
            let mut sum = 0.0;
            for (ox, oy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                let (fx, fy) = (x as f32 + ox, y as f32 + oy);
                let (u, v) = to_screen(fx, fy);
                sum += if (0.0..1.0).contains(&u) && (0.0..1.0).contains(&v) {
                    let level = black + (white - black) * screen_at(&symbols, u, v, tint);
                    let (a, f, phase) = moire;
                    level
                        * (1.0 - a * (0.5 + 0.5 * (f * (fx * cos + fy * sin * 1.3) + phase).sin()))
                } else {
                    // Background: a gradient with coarse blocks of clutter.
                    let block = ((x / 97 + y / 61) % 3) as f32 * 12.0;
                    bg_a + (bg_b - bg_a) * fx / w + block
                };
            }
            let (gx, gy, gr, gs) = glare;
            let d2 = ((x as f32 - gx).powi(2) + (y as f32 - gy).powi(2)) / (gr * gr);
            pixels[(y * width + x) as usize] = sum / 4.0 + gs * (-d2).exp();
        }
    }
    // Defocus in proportion to the barcode's module size (the lens blurs the screen, whatever
    // its distance): up to 0.6 module of box radius, applied twice.
    let module = 0.84 * screen_w / symbols.bars.len() as f32;
    let radius = (module * rng.range(0.0, 0.6)) as usize;
    box_blur(&mut pixels, width as usize, height as usize, radius);
    let noise = rng.range(1.0, 8.0);
    let gray = pixels
        .iter()
        .map(|&p| {
            // Sum of four uniforms: roughly Gaussian sensor noise.
            let n: f32 = (0..4).map(|_| rng.range(-1.0, 1.0)).sum::<f32>() * noise * 0.87;
            (p + n).clamp(0.0, 255.0) as u8
        })
        .collect();
    Some(SynthFrame { image: LumaImage::from_pixels(width, height, gray).ok()?, code })
}

/// Separable box blur of radius `r`, applied twice (close to a Gaussian).
fn box_blur(p: &mut [f32], w: usize, h: usize, r: usize) {
    if r == 0 {
        return;
    }
    let mut tmp = vec![0f32; p.len()];
    for _ in 0..2 {
        for (line_len, count, step, line_step) in [(w, h, 1, w), (h, w, w, 1)] {
            for line in 0..count {
                let base = line * line_step;
                for i in 0..line_len {
                    let (lo, hi) = (i.saturating_sub(r), (i + r).min(line_len - 1));
                    let sum: f32 = (lo..=hi).map(|j| p[base + j * step]).sum();
                    tmp[base + i * step] = sum / (hi - lo + 1) as f32;
                }
            }
            p.copy_from_slice(&tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paycode::PaymentCode;

    #[test]
    fn codes_are_valid_and_frames_deterministic() {
        let mut rng = SplitMix64::new(7);
        for _ in 0..200 {
            let code = random_payment_code(&mut rng);
            assert!(PaymentCode::parse(&code).is_ok(), "{code}");
        }
        let a = payment_frame(1, 2, 320, 180).unwrap();
        let b = payment_frame(1, 2, 320, 180).unwrap();
        let c = payment_frame(1, 3, 320, 180).unwrap();
        assert_eq!(a.image, b.image);
        assert_ne!(a.image, c.image);
    }
}
