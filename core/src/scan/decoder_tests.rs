//! The decoder's pass order on camera-sized frames: each kind of frame is read by some pass,
//! with the right text, and frames without a code give nothing.

use rxing::{BarcodeFormat as RxFormat, MultiFormatWriter, Writer};

use super::*;
use crate::scan::qr_passes::{last_resorts, reader_runs};
use crate::scan::synth::{random_payment_code, SplitMix64};

/// How a test frame is drawn.
#[derive(Clone, Copy)]
struct Look {
    /// Pixels a module.
    module: f32,
    /// Turn, in degrees.
    degrees: f32,
    /// Dark and light levels (dark above light: an inverted screen).
    dark: f32,
    light: f32,
    /// Box-blur radius in pixels and noise amplitude in levels.
    blur: usize,
    noise: f32,
}

const PLAIN: Look =
    Look { module: 3.0, degrees: 0.0, dark: 20.0, light: 230.0, blur: 0, noise: 2.0 };

/// A 0/1 module grid (1 = dark) of `text` as Code 128 (`rows` modules tall) or QR.
fn grid(text: &str, qr: bool, rows: usize) -> (Vec<bool>, usize, usize) {
    let format = if qr { RxFormat::QR_CODE } else { RxFormat::CODE_128 };
    let m = MultiFormatWriter.encode(text, &format, 0, 0).unwrap();
    let (w, h) = (m.width() as usize, if qr { m.height() as usize } else { rows });
    let cells =
        (0..w * h).map(|i| m.get((i % w) as u32, if qr { (i / w) as u32 } else { 0 })).collect();
    (cells, w, h)
}

/// Draws a symbol centred at (`cx`, `cy`) into `canvas` (values 0 dark .. 1 light), on a light
/// card with a quiet zone of ten modules, 2×2 supersampled.
fn draw(
    canvas: &mut [f32],
    width: usize,
    symbol: &(Vec<bool>, usize, usize),
    at: (f32, f32),
    look: Look,
) {
    let (cells, w, h) = symbol;
    let height = canvas.len() / width;
    let (sin, cos) = look.degrees.to_radians().sin_cos();
    let (half_w, half_h) = (*w as f32 / 2.0 + 10.0, *h as f32 / 2.0 + 10.0);
    let reach = (half_w.hypot(half_h) * look.module) as i64 + 2;
    let (x0, x1) = ((at.0 as i64 - reach).max(0), (at.0 as i64 + reach).min(width as i64));
    let (y0, y1) = ((at.1 as i64 - reach).max(0), (at.1 as i64 + reach).min(height as i64));
    for y in y0..y1 {
        for x in x0..x1 {
            let mut sum = 0.0;
            let mut on_card = 0;
            for (ox, oy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                let (dx, dy) = (x as f32 + ox - at.0, y as f32 + oy - at.1);
                let u = (dx * cos + dy * sin) / look.module + *w as f32 / 2.0;
                let v = (-dx * sin + dy * cos) / look.module + *h as f32 / 2.0;
                if u < -10.0 || v < -10.0 || u >= *w as f32 + 10.0 || v >= *h as f32 + 10.0 {
                    continue;
                }
                on_card += 1;
                let inside = u >= 0.0 && v >= 0.0 && (u as usize) < *w && (v as usize) < *h;
                sum += if inside && cells[v as usize * w + u as usize] { 0.0 } else { 1.0 };
            }
            if on_card > 0 {
                let p = &mut canvas[y as usize * width + x as usize];
                *p = (sum + *p * (4 - on_card) as f32) / 4.0;
            }
        }
    }
}

/// The canvas at the look's levels, blurred, with noise.
fn finish(canvas: &[f32], width: usize, look: Look, rng: &mut SplitMix64) -> LumaImage {
    let height = canvas.len() / width;
    let mut p: Vec<f32> =
        canvas.iter().map(|&c| look.dark + (look.light - look.dark) * c).collect();
    for _ in 0..2 {
        for (len, count, step, line_step) in [(width, height, 1, width), (height, width, width, 1)]
        {
            if look.blur == 0 {
                break;
            }
            let mut out = p.clone();
            for line in 0..count {
                for i in 0..len {
                    let (lo, hi) = (i.saturating_sub(look.blur), (i + look.blur).min(len - 1));
                    let sum: f32 = (lo..=hi).map(|j| p[line * line_step + j * step]).sum();
                    out[line * line_step + i * step] = sum / (hi - lo + 1) as f32;
                }
            }
            p = out;
        }
    }
    let pixels =
        p.iter().map(|&v| (v + rng.range(-look.noise, look.noise)).clamp(0.0, 255.0) as u8);
    LumaImage::from_pixels(width as u32, height as u32, pixels.collect()).unwrap()
}

/// A frame of `size` showing one code (QR or Code 128) drawn with `look`.
fn frame(size: (usize, usize), qr: bool, look: Look, seed: u64) -> (LumaImage, String) {
    let mut rng = SplitMix64::new(seed);
    let code = random_payment_code(&mut rng);
    let mut canvas = vec![0.55f32; size.0 * size.1];
    let centre = (size.0 as f32 * 0.45, size.1 as f32 * 0.55);
    draw(&mut canvas, size.0, &grid(&code, qr, 30), centre, look);
    (finish(&canvas, size.0, look, &mut rng), code)
}

/// The cheap passes only (as a live camera runs them), then all of them.
fn read(image: &LumaImage) -> Option<Symbol> {
    Decoder::new(DecoderOptions { try_harder: false, ..DecoderOptions::default() })
        .decode(image)
        .or_else(|| Decoder::new(DecoderOptions::default()).decode(image))
}

const SIZES: [(usize, usize); 2] = [(1280, 720), (1920, 1080)];

#[test]
fn camera_frames_of_each_kind_read_the_right_code() {
    let looks = [
        ("plain", PLAIN),
        ("blurred", Look { blur: 1, ..PLAIN }),
        ("noisy", Look { noise: 25.0, ..PLAIN }),
        ("tilted", Look { degrees: 20.0, ..PLAIN }),
        ("steep", Look { degrees: -55.0, ..PLAIN }),
        ("inverted", Look { dark: 230.0, light: 20.0, ..PLAIN }),
        ("low contrast", Look { dark: 60.0, light: 95.0, noise: 3.0, ..PLAIN }),
        ("small", Look { module: 2.0, ..PLAIN }),
    ];
    for (n, size) in SIZES.into_iter().enumerate() {
        for (k, (name, look)) in looks.iter().enumerate() {
            for qr in [false, true] {
                let look = if qr { Look { module: look.module * 2.0, ..*look } } else { *look };
                let (image, code) = frame(size, qr, look, (n * 100 + k * 2) as u64 + u64::from(qr));
                let symbol = read(&image);
                let format = if qr { BarcodeFormat::QrCode } else { BarcodeFormat::Code128 };
                assert_eq!(
                    symbol.map(|s| (s.format, s.text)),
                    Some((format, code)),
                    "{name} {} at {size:?}",
                    format.name()
                );
            }
        }
    }
}

#[test]
fn two_codes_in_one_frame_give_one_of_them_whole() {
    for (n, size) in SIZES.into_iter().enumerate() {
        let mut rng = SplitMix64::new(40 + n as u64);
        let (bars, square) = (random_payment_code(&mut rng), random_payment_code(&mut rng));
        let mut canvas = vec![0.5f32; size.0 * size.1];
        let (w, h) = (size.0 as f32, size.1 as f32);
        draw(&mut canvas, size.0, &grid(&bars, false, 30), (w * 0.3, h * 0.5), PLAIN);
        let qr_look = Look { module: 6.0, degrees: 10.0, ..PLAIN };
        draw(&mut canvas, size.0, &grid(&square, true, 0), (w * 0.75, h * 0.5), qr_look);
        let image = finish(&canvas, size.0, PLAIN, &mut rng);
        let text = read(&image).map(|s| s.text);
        assert!(text == Some(bars.clone()) || text == Some(square.clone()), "{size:?}: {text:?}");
    }
}

#[test]
fn empty_and_striped_camera_frames_read_nothing() {
    for (n, (w, h)) in SIZES.into_iter().enumerate() {
        let mut rng = SplitMix64::new(90 + n as u64);
        // Bar-like stripes of a few periods, squares, a gradient: no symbol, no check digit.
        let mut canvas: Vec<f32> =
            (0..w * h).map(|i| 0.3 + 0.4 * (i % w) as f32 / w as f32).collect();
        for (k, period) in [3usize, 5, 7, 11].into_iter().enumerate() {
            let (x0, y0) = (100 + k * 250, 100 + k * 120);
            for y in y0..y0 + 80 {
                for x in x0..x0 + 220 {
                    canvas[y * w + x] = if (x / period) % 2 == 0 { 0.1 } else { 0.9 };
                }
            }
        }
        for y in h / 2..h / 2 + 150 {
            for x in w / 2..w / 2 + 150 {
                canvas[y * w + x] = 0.05;
            }
        }
        let image = finish(&canvas, w, PLAIN, &mut rng);
        let runs = reader_runs();
        assert_eq!(Decoder::new(DecoderOptions::default()).decode(&image), None, "{w}x{h}");
        // Nothing here passes for three finder patterns: rxing's QR readers (the cheap pass,
        // try-harder, inverted, global histogram) never ran.
        assert_eq!(reader_runs(), runs, "{w}x{h}");
    }
}

#[test]
fn qr_under_a_saturating_glare_band_reads() {
    // A light band across the symbol, added and clipped: light modules at 255, dark ones
    // lifted to about 200 where it is brightest, a steep gradient along its edges.
    for (n, (w, h)) in SIZES.into_iter().enumerate() {
        let look = Look { module: 5.0, degrees: 8.0, ..PLAIN };
        let (image, code) = frame((w, h), true, look, 300 + n as u64);
        let (cx, cy) = (w as f32 * 0.45, h as f32 * 0.55);
        let pixels = image.pixels().iter().enumerate().map(|(i, &p)| {
            let (x, y) = ((i % w) as f32, (i / w) as f32);
            let d = ((x - cx) * 0.5 + (y - cy) * 0.866 - 20.0) / (w as f32 * 0.06);
            (f32::from(p) + 190.0 * (-d * d).exp()).min(255.0) as u8
        });
        let glared = LumaImage::from_pixels(w as u32, h as u32, pixels.collect()).unwrap();
        assert_eq!(read(&glared).map(|s| s.text), Some(code), "{w}x{h}");
    }
}

#[test]
fn last_resorts_run_on_camera_frames_only_where_a_symbol_may_be() {
    // Sensor noise on a dim gradient breaks into specks that pass for tiny finder patterns
    // on single rows; no corner of them is crossed by two rows.
    let (w, h) = (1280, 720);
    let mut rng = SplitMix64::new(77);
    let canvas: Vec<f32> = (0..w * h).map(|i| 0.2 + 0.3 * (i % w) as f32 / w as f32).collect();
    let dim = Look { dark: 0.0, light: 120.0, noise: 14.0, ..PLAIN };
    let image = finish(&canvas, w, dim, &mut rng);
    let runs = last_resorts();
    assert_eq!(Decoder::new(DecoderOptions::default()).decode(&image), None);
    assert_eq!(last_resorts(), runs, "an empty camera frame");
    // A small image (a photo, a crop) gets them whatever it shows.
    let crop = LumaImage::from_pixels(200, 150, vec![128; 200 * 150]).unwrap();
    assert_eq!(Decoder::new(DecoderOptions::default()).decode(&crop), None);
    assert_eq!(last_resorts(), runs + 1, "a small image");
}
