//! Still images are decoded within a memory budget: huge or 16-bit images are refused before
//! their pixels are decoded or converted straight to 8-bit gray, never blown up in memory.
//! The images are generated here, not committed.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;

use tillkit_core::scan::still_limits::MAX_STILL_PIXELS;
use tillkit_core::scan::{FrameError, LumaImage};

/// Writes a PNG row by row (never holding the whole image), each row from `row(y)`.
fn write_png(
    path: &Path,
    (width, height): (u32, u32),
    color: png::ColorType,
    depth: png::BitDepth,
    row: impl Fn(u32) -> Vec<u8>,
) {
    let file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut encoder = png::Encoder::new(file, width, height);
    encoder.set_color(color);
    encoder.set_depth(depth);
    encoder.set_compression(png::Compression::Fastest);
    let mut writer = encoder.write_header().unwrap().into_stream_writer().unwrap();
    for y in 0..height {
        writer.write_all(&row(y)).unwrap();
    }
    writer.finish().unwrap();
}

#[test]
fn a_6900_pixel_square_16_bit_png_is_refused_naming_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big16.png");
    let side = 6900u32;
    let row = vec![0x80u8; side as usize * 2];
    write_png(&path, (side, side), png::ColorType::Grayscale, png::BitDepth::Sixteen, |_| {
        row.clone()
    });
    match LumaImage::open(&path) {
        Err(FrameError::ImageTooLarge { width, height, limit, max }) => {
            assert_eq!((width, height), (side, side));
            assert_eq!((limit, max), ("MAX_STILL_PIXELS", MAX_STILL_PIXELS));
        }
        other => panic!("expected ImageTooLarge, got {other:?}"),
    }
}

#[test]
fn a_16_bit_rgba_png_becomes_the_same_gray_as_its_8_bit_twin() {
    let dir = tempfile::tempdir().unwrap();
    let (w, h) = (640u32, 480u32);
    let pixel = |x: u32, y: u32| {
        [(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8, if x < 320 { 255 } else { 128 }]
    };
    let p8 = dir.path().join("rgba8.png");
    let p16 = dir.path().join("rgba16.png");
    write_png(&p8, (w, h), png::ColorType::Rgba, png::BitDepth::Eight, |y| {
        (0..w).flat_map(|x| pixel(x, y)).collect()
    });
    // Each 16-bit sample is the 8-bit one in the high byte and noise in the low byte.
    write_png(&p16, (w, h), png::ColorType::Rgba, png::BitDepth::Sixteen, |y| {
        (0..w).flat_map(|x| pixel(x, y)).flat_map(|c| [c, c ^ 0x5a]).collect()
    });
    let a = LumaImage::open(&p8).unwrap();
    let b = LumaImage::open(&p16).unwrap();
    assert_eq!((b.width(), b.height()), (w, h));
    assert_eq!(a.pixels(), b.pixels());
    // Opaque black at the origin; at x = 400 (144, 0, 144) half transparent over white is
    // (199, 127, 199), gray 157 with ITU-R 601 weights.
    assert_eq!(a.pixels()[0], 0);
    assert_eq!(a.pixels()[400], 157);
}

#[test]
fn a_payment_code_in_a_16_bit_png_is_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let frame = tillkit_core::scan::synth::payment_frame(7, 0, 800, 600).unwrap();
    let (w, h) = (frame.image.width(), frame.image.height());
    let path = dir.path().join("code16.png");
    let pixels = frame.image.pixels().to_vec();
    write_png(&path, (w, h), png::ColorType::Grayscale, png::BitDepth::Sixteen, |y| {
        let row = &pixels[(y * w) as usize..((y + 1) * w) as usize];
        row.iter().flat_map(|&g| [g, 0]).collect()
    });
    let image = LumaImage::open(&path).unwrap();
    assert_eq!(image.pixels(), frame.image.pixels());
    let mut decoder = tillkit_core::scan::Decoder::new(Default::default());
    assert_eq!(decoder.decode(&image).map(|s| s.text), Some(frame.code));
}
