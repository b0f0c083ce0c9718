//! The decoder on the shared real test images and on generated payment-code frames.

use std::path::{Path, PathBuf};

use tillkit_core::scan::synth::payment_frame;
use tillkit_core::scan::{
    BarcodeFormat, Decoder, DecoderOptions, Frame, LumaImage, PixelFormat, Rotation,
};

/// The shared test images sit beside the checkout; a git worktree elsewhere sets
/// `TILLKIT_SHARED` (as `scripts/bench_scan.py` reads it).
fn data_dir() -> PathBuf {
    std::env::var_os("TILLKIT_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
        .join("testdata/barcodes")
}

/// (file, format, expected texts) from manifest.csv: a small RFC 4180 reader, since texts
/// hold quoted commas and line breaks.
fn manifest() -> Vec<(String, String, Vec<String>)> {
    let text = std::fs::read_to_string(data_dir().join("manifest.csv"))
        .expect("the shared test data is present");
    let mut rows = Vec::new();
    let (mut field, mut row, mut quoted, mut chars) =
        (String::new(), Vec::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\n', false) => {
                row.push(std::mem::take(&mut field).trim_end_matches('\r').to_owned());
                rows.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    rows.into_iter()
        .skip(1)
        .map(|r| {
            let expected =
                [r[2].clone(), r[3].clone()].into_iter().filter(|t| !t.is_empty()).collect();
            (r[0].clone(), r[1].clone(), expected)
        })
        .collect()
}

#[test]
fn decodes_the_shared_images_without_misreads() {
    let mut decoder = Decoder::new(DecoderOptions::default());
    let (mut code128, mut qr, mut misreads) = ((0, 0), (0, 0), Vec::new());
    for (file, format, expected) in manifest() {
        let image = LumaImage::open(&data_dir().join(&file)).expect("readable image");
        let found = decoder.decode(&image);
        let want =
            if format == "CODE_128" { BarcodeFormat::Code128 } else { BarcodeFormat::QrCode };
        let ok = found.as_ref().is_some_and(|s| s.format == want && expected.contains(&s.text));
        let tally = if want == BarcodeFormat::Code128 { &mut code128 } else { &mut qr };
        tally.0 += usize::from(ok);
        tally.1 += 1;
        if found.is_some() && !ok {
            misreads.push(file);
        }
    }
    assert_eq!(misreads, Vec::<String>::new());
    // zxing-cpp 3.1.1 reads 29/30 and 113/120 of these; these floors catch regressions.
    assert!(code128.0 >= 29, "Code 128 {code128:?}");
    assert!(qr.0 >= 105, "QR {qr:?}");
}

#[test]
fn decodes_generated_payment_frames_at_720p_and_1080p() {
    let mut decoder = Decoder::new(DecoderOptions::default());
    for (index, (width, height)) in
        [(1280, 720), (1920, 1080), (1280, 720), (1920, 1080)].into_iter().enumerate()
    {
        let frame = payment_frame(77, index as u64, width, height).expect("encodable code");
        let symbol = decoder.decode(&frame.image).expect("a generated frame decodes");
        assert_eq!(symbol.text, frame.code, "frame {index}");
    }
}

#[test]
fn camera_layouts_decode_the_same() {
    let frame = payment_frame(5, 1, 1280, 720).expect("encodable code");
    let (w, h) = (frame.image.width() as usize, frame.image.height() as usize);
    // The same frame as a BGRA buffer with row padding, turned 90° as a sensor delivers it.
    let turned = frame.image.clone().rotated(Rotation::Cw270);
    let (tw, th) = (turned.width() as usize, turned.height() as usize);
    let stride = tw * 4 + 64;
    let mut bgra = vec![0u8; stride * th];
    for y in 0..th {
        for x in 0..tw {
            let p = turned.pixels()[y * tw + x];
            bgra[y * stride + x * 4..y * stride + x * 4 + 4].copy_from_slice(&[p, p, p, 255]);
        }
    }
    let camera =
        Frame::new(&bgra, tw as u32, th as u32, stride, PixelFormat::Bgra8).expect("valid frame");
    let mut decoder = Decoder::new(DecoderOptions::default());
    let symbol =
        decoder.decode_frame(&camera, None, Rotation::Cw90).expect("valid frame").expect("decodes");
    assert_eq!(symbol.text, frame.code);
    assert_eq!((w, h), (1280, 720));
}

#[test]
fn blank_and_noise_frames_decode_to_nothing() {
    let mut decoder = Decoder::new(DecoderOptions::default());
    let blank = LumaImage::from_pixels(640, 480, vec![200; 640 * 480]).expect("valid");
    assert_eq!(decoder.decode(&blank), None);
    let mut state = 1u32;
    let noise = (0..640 * 480)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 24) as u8
        })
        .collect();
    let noise = LumaImage::from_pixels(640, 480, noise).expect("valid");
    assert_eq!(decoder.decode(&noise), None);
}
