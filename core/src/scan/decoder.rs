//! One entry point for a frame: fast paths of our own first, rxing behind them.
//!
//! Cheapest first, first symbol wins. On camera-sized frames (600,000 pixels and more): Code 128
//! on rows, the QR fast path, Code 128 on lines tilted up to ±24°, then rxing's QR reader. On
//! smaller images the QR fast path goes first: there a payment bar code's modules are a pixel or
//! two while the QR's are several, and binarizing a small image costs about as much as the rows.
//! QR is binarized once for the fast path (`qr_fast`) and rxing's reader. Steeper scan
//! lines, and rxing's try-harder, inverted, pure-symbol and enlarged passes, run only when the
//! cheap passes found nothing.

use std::collections::HashSet;

use rxing::common::{GlobalHistogramBinarizer, HybridBinarizer};
use rxing::{Binarizer, BinaryBitmap, DecodeHints, Luma8Source, Reader};

use super::binarize::LocalBinarizer;
use super::qr_fast;

use super::code128_lines::Code128Scanner;
use super::code128_rxing;
use super::frame::{Frame, FrameError, LumaImage, Roi, Rotation};
use crate::paycode::mask_digits;

/// A barcode symbology the scanner reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BarcodeFormat {
    /// Code 128 (ISO/IEC 15417).
    Code128,
    /// QR Code (ISO/IEC 18004).
    QrCode,
}

impl BarcodeFormat {
    /// The name used in the CLI's CSV and the benchmark protocol.
    pub fn name(self) -> &'static str {
        match self {
            BarcodeFormat::Code128 => "Code128",
            BarcodeFormat::QrCode => "QRCode",
        }
    }
}

/// One decoded symbol.
#[derive(Clone, PartialEq, Eq)]
pub struct Symbol {
    /// Its symbology.
    pub format: BarcodeFormat,
    /// The decoded text, exactly as encoded.
    pub text: String,
}

impl std::fmt::Debug for Symbol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The text may be a live payment code: keep it out of logs.
        f.debug_struct("Symbol")
            .field("format", &self.format)
            .field("text", &mask_digits(&self.text))
            .finish()
    }
}

/// What the decoder looks for and how hard it tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecoderOptions {
    /// Read Code 128.
    pub code128: bool,
    /// Read QR codes.
    pub qr: bool,
    /// After the cheap passes fail, run the slow ones: rxing's try-harder mode and inverted
    /// images. A live camera can leave this off and rely on the next frame.
    pub try_harder: bool,
}

impl Default for DecoderOptions {
    fn default() -> Self {
        DecoderOptions { code128: true, qr: true, try_harder: true }
    }
}

/// Scan-line angles of the Code 128 passes: rows, then near-horizontal tilts (a bar code about
/// four times wider than tall is crossed whole by lines within about ±7° of its axis), then
/// the rest of the half-turn.
const ROWS: [f32; 1] = [0.0];
const NEAR: [f32; 6] = [8.0, -8.0, 16.0, -16.0, 24.0, -24.0];
const STEEP: [f32; 15] = [
    90.0, 32.0, -32.0, 40.0, -40.0, 50.0, -50.0, 60.0, -60.0, 70.0, -70.0, 80.0, -80.0, 45.0, -45.0,
];
/// Lines per image side in the first pass (rows), and in the tilted passes.
const FIRST_LINES: f32 = 24.0;
const LINES: f32 = 48.0;
/// From this many pixels on (about 1280×480), the near-horizontal pass runs before QR: a QR
/// search costs in proportion to the area, scan lines only to the area over their spacing.
const LARGE_FRAME: u64 = 600_000;

/// A reusable decoder (it keeps scratch buffers between frames; one per thread).
#[derive(Debug, Default)]
pub struct Decoder {
    options: DecoderOptions,
    code128: Code128Scanner,
}

impl Decoder {
    /// A decoder with the given options.
    pub fn new(options: DecoderOptions) -> Self {
        Decoder { options, code128: Code128Scanner::default() }
    }

    /// The options in use.
    pub fn options(&self) -> DecoderOptions {
        self.options
    }

    /// Converts, crops and rotates a camera frame, then decodes it.
    pub fn decode_frame(
        &mut self,
        frame: &Frame<'_>,
        roi: Option<Roi>,
        rotation: Rotation,
    ) -> Result<Option<Symbol>, FrameError> {
        Ok(self.decode(&frame.to_luma(roi, rotation)?))
    }

    /// Returns the first symbol found in the image, or `None`.
    pub fn decode(&mut self, image: &LumaImage) -> Option<Symbol> {
        let DecoderOptions { code128, qr, try_harder } = self.options;
        let digits = |text| Some(Symbol { format: BarcodeFormat::Code128, text });
        let large = u64::from(image.width()) * u64::from(image.height()) >= LARGE_FRAME;
        // QR is binarized once, for the fast path and rxing's reader alike.
        let mut binarized = None;
        // Finder candidates the fast path saw on that binarization (unknown until it ran).
        let mut finders = None;
        if qr && !large {
            // Small frames: at this resolution the bar code's modules are a pixel or two, the
            // QR's several times that, and the QR fast path costs little more than the rows.
            if let Some(symbol) = fast_qr_pass(image, &mut binarized, &mut finders) {
                return Some(symbol);
            }
        }
        if code128 {
            if let Some(text) = self.code128.scan(image, &ROWS, FIRST_LINES) {
                return digits(text);
            }
        }
        if large {
            // Camera frames: the QR fast path costs about a quarter of the six tilted families,
            // which read nothing when the bar code's modules are too fine for this frame.
            if qr {
                if let Some(symbol) = fast_qr_pass(image, &mut binarized, &mut finders) {
                    return Some(symbol);
                }
            }
            if code128 {
                if let Some(text) = self.code128.scan(image, &NEAR, LINES) {
                    return digits(text);
                }
            }
        }
        if qr {
            let binarizer = match binarized {
                Some(binarizer) => binarizer,
                None => binarize(image),
            };
            if let Some(text) = rxing_qr(image, binarizer, finders) {
                return Some(Symbol { format: BarcodeFormat::QrCode, text });
            }
        }
        if code128 {
            if !large {
                if let Some(text) = self.code128.scan(image, &NEAR, LINES) {
                    return digits(text);
                }
            }
            if let Some(text) = self.code128.scan(image, &STEEP, LINES) {
                return digits(text);
            }
            if try_harder {
                if let Some(symbol) = rxing_decode(image, BarcodeFormat::Code128, try_harder) {
                    return Some(symbol);
                }
            }
        }
        if try_harder && qr {
            if let Some(symbol) = rxing_decode(image, BarcodeFormat::QrCode, true) {
                return Some(symbol);
            }
            if let Some(text) = qr_last_resorts(image) {
                return Some(Symbol { format: BarcodeFormat::QrCode, text });
            }
        }
        None
    }
}

fn binarize(image: &LumaImage) -> Option<LocalBinarizer<'_>> {
    LocalBinarizer::new(image.pixels(), image.width() as usize, image.height() as usize)
}

/// Binarizes the image (kept in `binarized` for rxing's reader) and runs the fast QR path;
/// `finders` gets the number of finder-pattern candidates it saw.
fn fast_qr_pass<'a>(
    image: &'a LumaImage,
    binarized: &mut Option<Option<LocalBinarizer<'a>>>,
    finders: &mut Option<usize>,
) -> Option<Symbol> {
    let binarizer = binarize(image);
    let matrix = binarizer.as_ref().and_then(|b| b.get_black_matrix().ok());
    let (text, count) = match matrix {
        Some(m) => qr_fast::decode_counting(m, qr_fast::ROW_STEP),
        None => (None, 0),
    };
    *finders = binarizer.is_some().then_some(count);
    *binarized = Some(binarizer);
    text.map(|text| Symbol { format: BarcodeFormat::QrCode, text })
}

/// rxing's QR reader (no try-harder) on the binarized image, or with rxing's own binarizer
/// when the image was too small for ours. `finders`: what the fast path counted on it.
fn rxing_qr(
    image: &LumaImage,
    binarizer: Option<LocalBinarizer<'_>>,
    finders: Option<usize>,
) -> Option<String> {
    match binarizer {
        Some(binarizer) => read_qr(BinaryBitmap::new(binarizer), false, finders),
        None => {
            let source =
                Luma8Source::new_with_slice(image.pixels(), image.width(), image.height()).ok()?;
            read_qr(BinaryBitmap::new(HybridBinarizer::new(source)), false, None)
        }
    }
}

/// Runs rxing's reader for one format on the image. QR goes through the fast
/// [`LocalBinarizer`] (rxing's own binarizer for images under 40 pixels a side), the zxing-cpp
/// port first and rxing's classic reader second; try-harder adds rxing's slower search and an
/// inverted pass on the same binarized image.
fn rxing_decode(image: &LumaImage, format: BarcodeFormat, try_harder: bool) -> Option<Symbol> {
    let local = if format == BarcodeFormat::QrCode { binarize(image) } else { None };
    let text = match (format, local) {
        (BarcodeFormat::QrCode, Some(binarizer)) => {
            read_qr(BinaryBitmap::new(binarizer), try_harder, None)
        }
        _ => {
            let source =
                Luma8Source::new_with_slice(image.pixels(), image.width(), image.height()).ok()?;
            let bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
            match format {
                BarcodeFormat::QrCode => read_qr(bitmap, try_harder, None),
                BarcodeFormat::Code128 => code128_rxing::read_rows(&bitmap),
            }
        }
    }?;
    Some(Symbol { format, text })
}

/// The slow QR passes for what nothing else read: the image as one pure symbol (a crop with
/// a thin quiet zone and one-pixel modules), a global-histogram binarizer (uneven contrast
/// that local thresholds break up), then small images at twice their size.
fn qr_last_resorts(image: &LumaImage) -> Option<String> {
    let source = Luma8Source::new_with_slice(image.pixels(), image.width(), image.height()).ok()?;
    let mut bitmap = BinaryBitmap::new(GlobalHistogramBinarizer::new(source.clone()));
    let pure = DecodeHints { PureBarcode: Some(true), ..DecodeHints::default() };
    if let Ok(result) = rxing::qrcode::QRCodeReader.decode_with_hints(&mut bitmap, &pure) {
        return Some(result.getText().to_owned());
    }
    if let Some(text) = read_qr(bitmap, true, None) {
        return Some(text);
    }
    if image.width().max(image.height()) > 400 {
        return None;
    }
    let (w, h) = (image.width() as usize, image.height() as usize);
    let doubled: Vec<u8> = (0..h * 2)
        .flat_map(|y| image.pixels()[(y / 2) * w..(y / 2 + 1) * w].iter().flat_map(|&p| [p, p]))
        .collect();
    let binarizer = LocalBinarizer::new(&doubled, w * 2, h * 2)?;
    read_qr(BinaryBitmap::new(binarizer), true, None)
}

/// rxing's QR readers on `bitmap`, upright then (try-harder) inverted. Each pass: our fast
/// path, which also counts finder-pattern candidates (`upright_finders`: already counted on
/// this binarization), then the zxing-cpp port, then rxing's classic reader — only when some
/// candidate exists: its finder tests the same 1:1:3:1:1 runs, so with none it has nothing to
/// find, and on a frame without a code it was the largest single cost.
fn read_qr<B: Binarizer>(
    mut bitmap: BinaryBitmap<B>,
    try_harder: bool,
    upright_finders: Option<usize>,
) -> Option<String> {
    // QR only: without a format list the zxing-cpp port also hunts for Micro QR symbols. The
    // fast pass skips modules under two pixels (it then scans half the rows for finder
    // patterns); try-harder reads those.
    let hints = DecodeHints {
        TryHarder: Some(try_harder),
        PossibleFormats: Some(HashSet::from([rxing::BarcodeFormat::QR_CODE])),
        MinimumModuleSize: if try_harder { None } else { Some(2) },
        ..DecodeHints::default()
    };
    let passes = if try_harder { 2 } else { 1 };
    // Try-harder looks for modules under two pixels too: a finder of one-pixel modules has a
    // three-row centre, which every second row meets.
    let finder_rows = if try_harder { 2 } else { qr_fast::ROW_STEP };
    for pass in 0..passes {
        if pass == 1 {
            bitmap.invert();
        }
        let finders = match (pass, upright_finders) {
            (0, Some(count)) => count,
            _ => match qr_fast::decode_counting(bitmap.get_black_matrix(), finder_rows) {
                (Some(text), _) => return Some(text),
                (None, count) => count,
            },
        };
        if let Ok(result) = rxing::qrcode::cpp_port::QrReader.decode_with_hints(&mut bitmap, &hints)
        {
            return Some(result.getText().to_owned());
        }
        if finders > 0 {
            if let Ok(result) = rxing::qrcode::QRCodeReader.decode_with_hints(&mut bitmap, &hints) {
                return Some(result.getText().to_owned());
            }
        }
    }
    None
}

#[cfg(test)]
#[path = "decoder_tests.rs"]
mod tests;
