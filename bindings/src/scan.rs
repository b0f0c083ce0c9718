//! Scanning across the FFI: camera frames as the platforms deliver them, scan-gun keys, and
//! the payment codes they carry. Decoding, de-duplication and the used-code check live in the
//! core; these objects only convert and forward.

use std::sync::{Arc, Mutex};

use tillkit_core::paycode::PaymentCode;
use tillkit_core::scan::dedup::{ScanEvent, ScanSession};
use tillkit_core::scan::wedge::WedgeReader;
use tillkit_core::scan::{Decoder, DecoderOptions, Frame, Rotation};
pub use tillkit_core::scan::{PixelFormat, Roi};

use crate::error::TillKitError;
use crate::money::WalletFamily;

/// The pixel layout of a frame.
#[uniffi::remote(Enum)]
pub enum PixelFormat {
    /// One 8-bit luma plane: Android `YUV_420_888` Y plane, iOS `420f` plane 0.
    Luma8,
    /// NV21: the Y plane, then interleaved V/U at half resolution.
    Nv21,
    /// NV12: the Y plane, then interleaved U/V.
    Nv12,
    /// 32-bit BGRA (iOS `32BGRA`).
    Bgra8,
    /// 32-bit RGBA.
    Rgba8,
}

/// A rectangle of the frame to look in (frame coordinates, before rotation).
#[uniffi::remote(Record)]
pub struct Roi {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// One camera frame.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CameraFrame {
    /// The bytes, as the camera gives them (the first plane's rows `stride` bytes apart).
    pub data: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Bytes from one row to the next in the first plane.
    pub stride: u32,
    /// Layout.
    pub format: PixelFormat,
    /// Clockwise rotation to apply (0, 90, 180 or 270), from the sensor orientation.
    pub rotation_degrees: i32,
    /// Where to look, or the whole frame.
    pub roi: Option<Roi>,
}

/// What a frame or a scan-gun line gave.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ScanOutcome {
    /// A payment code not seen before: charge it (pass `code` to `payByCode`).
    PaymentCode {
        /// The digits.
        code: String,
        /// The wallet.
        family: WalletFamily,
        /// For the screen and logs.
        masked: String,
    },
    /// A code already used in a sale: tell the customer to refresh their code.
    AlreadyUsed,
    /// Not a payment code TillKit can charge, with the reason to show.
    Refused {
        /// Why.
        reason: String,
    },
}

impl From<ScanEvent> for ScanOutcome {
    fn from(e: ScanEvent) -> Self {
        match e {
            ScanEvent::New(code) => ScanOutcome::PaymentCode {
                code: code.digits().to_string(),
                family: code.family(),
                masked: code.masked(),
            },
            ScanEvent::AlreadyUsed => ScanOutcome::AlreadyUsed,
            ScanEvent::Refused(why) => ScanOutcome::Refused { reason: why.to_string() },
        }
    }
}

fn frame_error(e: impl std::fmt::Display) -> TillKitError {
    TillKitError::InvalidInput { field: "frame".into(), reason: e.to_string() }
}

/// Turns camera frames into payment codes. Keep one per camera session: a code seen in
/// several frames in a row is reported once, and codes marked used are refused.
#[derive(uniffi::Object)]
pub struct Scanner {
    state: Mutex<(Decoder, ScanSession)>,
}

#[uniffi::export]
impl Scanner {
    /// A scanner. `thorough` adds slow passes for hard images (stills); a live camera should
    /// leave it off and rely on the next frame.
    #[uniffi::constructor]
    pub fn new(thorough: bool) -> Arc<Self> {
        let options = DecoderOptions { try_harder: thorough, ..DecoderOptions::default() };
        Arc::new(Scanner { state: Mutex::new((Decoder::new(options), ScanSession::default())) })
    }

    /// Decodes one frame. `null` when it holds nothing new (no code, or the same code as the
    /// frames before). Blocking CPU work: call it from the camera's analysis thread.
    pub fn scan_frame(&self, frame: CameraFrame) -> Result<Option<ScanOutcome>, TillKitError> {
        let rotation = Rotation::from_degrees(frame.rotation_degrees)
            .ok_or_else(|| frame_error("rotation must be 0, 90, 180 or 270"))?;
        let stride = usize::try_from(frame.stride).map_err(frame_error)?;
        let view = Frame::new(&frame.data, frame.width, frame.height, stride, frame.format)
            .map_err(frame_error)?;
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (decoder, session) = &mut *state;
        let symbol = decoder.decode_frame(&view, frame.roi, rotation).map_err(frame_error)?;
        Ok(session.on_frame(symbol.as_ref().map(|s| s.text.as_str())).map(ScanOutcome::from))
    }

    /// Remembers a code as used (after a sale with it), so that a later scan refuses it.
    pub fn mark_used(&self, code: String) -> Result<(), TillKitError> {
        let code = PaymentCode::parse(&code)?;
        self.state.lock().unwrap_or_else(|p| p.into_inner()).1.mark_used(&code);
        Ok(())
    }
}

/// A keyboard-wedge scan gun: feed it the characters it types; each terminated line gives an
/// outcome.
#[derive(uniffi::Object)]
pub struct ScanGun {
    reader: Mutex<WedgeReader>,
}

#[uniffi::export]
impl ScanGun {
    /// A scan-gun reader.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(ScanGun { reader: Mutex::new(WedgeReader::new()) })
    }

    /// Feeds typed characters (digits, full-width digits, whitespace, the terminator); returns
    /// an outcome for each code they completed.
    pub fn push(&self, keys: String) -> Vec<ScanOutcome> {
        let mut reader = self.reader.lock().unwrap_or_else(|p| p.into_inner());
        reader
            .push_str(&keys)
            .into_iter()
            .map(|r| match r {
                Ok(code) => ScanEvent::New(code).into(),
                Err(why) => ScanEvent::Refused(why).into(),
            })
            .collect()
    }
}
