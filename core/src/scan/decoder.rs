//! One entry point for a frame: fast paths of our own first, rxing's QR detector (zxing-cpp
//! port) and binarizers behind them; every QR grid goes to our decoder (`qr_decode`).
//!
//! Cheapest first, first symbol wins. On camera-sized frames (600,000 pixels and more): Code 128
//! on rows, the QR fast path, Code 128 on lines tilted up to ±24°, then rxing's QR detector. On
//! smaller images the QR fast path goes first: there a payment bar code's modules are a pixel or
//! two while the QR's are several, and binarizing a small image costs about as much as the rows.
//! QR is binarized once for the fast path (`qr_fast`) and rxing's detector, then a second time
//! with ZXing's classic thresholds for both. rxing's QR detector runs on a binarization only
//! where our finder search saw three candidates that could be a symbol's corner. Steeper scan
//! lines, Code 128 on binarized rows, and the QR try-harder, inverted, pure-symbol and
//! enlarged passes, run only when the cheap passes found nothing.

use rxing::common::HybridBinarizer;
use rxing::{BinaryBitmap, Luma8Source};

use super::qr_fast::Candidates;
use super::qr_passes::{
    binarize, classic_qr, fast_qr_pass, qr_last_resorts, qr_try_harder, rxing_qr,
};

use super::code128_lines::Code128Scanner;
use super::code128_rows;
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
    /// After the cheap passes fail, run the slow ones: try-harder QR detection and inverted
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
        // QR is binarized once, for the fast path and rxing's detector alike.
        let mut binarized = None;
        // Finder candidates the fast path saw on that binarization (unknown until it ran).
        let mut finders: Option<Candidates> = None;
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
            if let Some(text) = classic_qr(image) {
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
                if let Some(symbol) = row_code128(image) {
                    return Some(symbol);
                }
            }
        }
        if try_harder && qr {
            let mut seen = Candidates::default();
            if let Some(symbol) = qr_try_harder(image, &mut seen) {
                return Some(symbol);
            }
            // On camera frames, only where a symbol may be: a corner of finder candidates each
            // crossed by two rows (specks of noise on a frame without a code rarely are).
            if !large || seen.confirmed_corner {
                if let Some(text) = qr_last_resorts(image) {
                    return Some(Symbol { format: BarcodeFormat::QrCode, text });
                }
            }
        }
        None
    }
}

/// Code 128 on rows of rxing's hybrid binarizer ([`code128_rows`]).
fn row_code128(image: &LumaImage) -> Option<Symbol> {
    let source = Luma8Source::new_with_slice(image.pixels(), image.width(), image.height()).ok()?;
    let text = code128_rows::read_rows(&BinaryBitmap::new(HybridBinarizer::new(source)))?;
    Some(Symbol { format: BarcodeFormat::Code128, text })
}

#[cfg(test)]
#[path = "decoder_tests.rs"]
mod tests;
