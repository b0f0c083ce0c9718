//! The fast QR path on rendered symbols: turned, in perspective, on a synthetic frame, and on
//! images without one.

use super::finder::PICK_FROM;
use super::grid::{adjugate, multiply, square_to_quad};
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
    let texts =
        ["134650720866361395", "https://example.com/pay?code=2865072086636139", &"28".repeat(40)];
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
    let binarizer = crate::scan::binarize::LocalBinarizer::new(image.pixels(), 1280, 720).unwrap();
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
fn gathers_finder_candidates_for_the_reader_gate() {
    // The decoder runs rxing's readers only where three candidates exist: a symbol's finders
    // must count at every row step the decoder uses, those of two-pixel modules as sized.
    let text = "https://example.com/pay?code=2865072086636139";
    for step in [2, ROW_STEP] {
        let m = rendered(text, 3.0, 7.0);
        let (read, seen) = decode_counting(&m, step);
        assert_eq!(read.as_deref(), Some(text));
        assert!(seen.enough(true) && seen.enough(false), "{seen:?} at row step {step}");
    }
    // Finders of one-pixel modules count for try-harder (no module floor) only.
    let (_, small) = decode_counting(&rendered(text, 1.0, 0.0), 2);
    assert!(small.enough(false) && !small.enough(true), "{small:?}");
    let mut stripes = BitMatrix::new(160, 120).unwrap();
    for y in 0..120 {
        for x in (0..160).filter(|x| x % 6 < 3) {
            stripes.set(x, y);
        }
    }
    assert_eq!(decode_counting(&stripes, 2), (None, Candidates::default()));
    let blank = BitMatrix::new(64, 64).unwrap();
    assert_eq!(decode_counting(&blank, 2), (None, Candidates::default()));
}

#[test]
fn picks_the_corners_among_the_most_hit_candidates() {
    // A row of small 1:1:3:1:1 specks above the symbol, ahead of it in raster order and more
    // than the corner search looks at: each is crossed by one search row, the symbol's finders
    // by several.
    let text = "https://example.com/pay?code=2865072086636139";
    let symbol = rendered(text, 4.0, 0.0);
    let (w, h) = (symbol.width(), symbol.height());
    let mut m = BitMatrix::new(w, h + 20).unwrap();
    for y in 0..h {
        for x in 0..w {
            if symbol.get(x, y) {
                m.set(x, y + 20);
            }
        }
    }
    // Finder patterns of 1-pixel modules whose 3-row centre (rows 8 to 10) only row 9 of
    // the search (odd rows at step 2) crosses.
    for k in 0..12 {
        let x0 = 4 + k * 12;
        for dy in 0..7u32 {
            for dx in 0..7u32 {
                let ring = dx.min(dy).min(6 - dx).min(6 - dy);
                if ring != 1 {
                    m.set(x0 + dx, 6 + dy);
                }
            }
        }
    }
    let found = find_finders(&m, 2);
    assert!(found.iter().filter(|f| f.hits == 1).count() > PICK_FROM, "{found:?}");
    assert_eq!(decode_counting(&m, 2).0.as_deref(), Some(text));
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
