//! Scanning across the FFI: camera frames as the platforms deliver them, scan-gun keys, and
//! the payment codes they carry. Decoding, de-duplication, the used-code check and the live
//! session (one decode in flight, drops while busy) live in the core (`scan::live`); these
//! objects only convert and forward.
//!
//! Zero-copy frames: [`CodeScanner::submit_frame`] takes the pixels as `&[u8]`, which uniffi 0.32
//! passes without a copy — a direct `java.nio.ByteBuffer` in Kotlin (JNA hands Rust the
//! buffer's native address, `Native.getDirectBufferPointer`, and `remaining()` as the length),
//! `Data` in Swift (its `withUnsafeBytes` pointer; a `Data(bytesNoCopy:…)` over a locked
//! `CVPixelBuffer` plane copies nothing). How it stays sound:
//! - length: Rust sees exactly `remaining()`/`count` bytes; `Frame::new` checks, with checked
//!   arithmetic, that `stride × height` (plus chroma) fits in them before any pixel is read, so
//!   a wrong width, height, stride or format is `InvalidInput`, never a read past the buffer;
//! - lifetime: the slice is borrowed for the one synchronous call (the generated code builds it
//!   inside the call, Swift inside `withUnsafeBytes`); the core copies what it reads into its
//!   own gray image and keeps no reference, so the platform may reuse or release the buffer as
//!   soon as the call returns. The caller must keep the buffer alive and unchanged during the
//!   call (CameraX: inside `ImageProxy.use`; iOS: between `CVPixelBufferLockBaseAddress` and
//!   unlock);
//! - Kotlin passes the buffer's *start* address with `remaining()` bytes: hand over buffers at
//!   position 0 (`buffer.slice()` otherwise); a non-direct buffer is refused by the generated
//!   code with `IllegalArgumentException`;
//! - no `unsafe` here: uniffi's scaffolding builds the slice, inside its panic guard.

use std::sync::{Arc, Mutex};

use tillkit_core::paycode::PaymentCode;
use tillkit_core::scan::dedup::{ScanEvent, ScanSession};
use tillkit_core::scan::live::{LiveOutcome, LiveScan, LiveStats, ViewError};
use tillkit_core::scan::wedge::WedgeReader;
pub use tillkit_core::scan::PixelFormat;
use tillkit_core::scan::Roi as CoreRoi;
use tillkit_core::scan::{DecoderOptions, Frame, Rotation};

use crate::error::TillKitError;
use crate::ints::{count_arg, long};
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

/// A rectangle of the frame to look in (frame coordinates, before rotation), in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct Roi {
    /// Left edge.
    pub x: i32,
    /// Top edge.
    pub y: i32,
    /// Width.
    pub width: i32,
    /// Height.
    pub height: i32,
}

impl TryFrom<Roi> for CoreRoi {
    type Error = TillKitError;
    fn try_from(r: Roi) -> Result<Self, TillKitError> {
        let px = |v: i32| count_arg("region", v);
        Ok(CoreRoi { x: px(r.x)?, y: px(r.y)?, width: px(r.width)?, height: px(r.height)? })
    }
}

/// One camera frame.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CameraFrame {
    /// The bytes, as the camera gives them (the first plane's rows `stride` bytes apart).
    pub data: Vec<u8>,
    /// Width in pixels.
    pub width: i32,
    /// Height in pixels.
    pub height: i32,
    /// Bytes from one row to the next in the first plane.
    pub stride: i32,
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

/// A frame's width, height and stride as the core takes them; negative is a bad frame.
fn dims(width: i32, height: i32, stride: i32) -> Result<(u32, u32, usize), TillKitError> {
    let px = |v: i32| count_arg("frame", v);
    let stride =
        usize::try_from(stride).map_err(|_| frame_error(format!("stride {stride} is negative")))?;
    Ok((px(width)?, px(height)?, stride))
}

fn view_error(e: ViewError) -> TillKitError {
    let field = match e {
        ViewError::Rotation { .. } => "rotation",
        ViewError::Region { .. } => "region",
    };
    TillKitError::InvalidInput { field: field.into(), reason: e.to_string() }
}

/// What became of a frame given to [`CodeScanner::submit_frame`].
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum FrameResult {
    /// Another frame was being decoded: this one was dropped unread (never queued).
    Dropped,
    /// The scanner was stopped: the frame was not read.
    Stopped,
    /// Nothing new: no code, or the code already reported while it stays in view.
    Nothing,
    /// Something for the screen: a new payment code, a used one, or a refusal.
    Found {
        /// What it was.
        outcome: ScanOutcome,
    },
}

impl From<LiveOutcome> for FrameResult {
    fn from(o: LiveOutcome) -> Self {
        match o {
            LiveOutcome::Dropped => FrameResult::Dropped,
            LiveOutcome::Stopped => FrameResult::Stopped,
            LiveOutcome::Nothing => FrameResult::Nothing,
            LiveOutcome::Event(e) => FrameResult::Found { outcome: e.into() },
        }
    }
}

/// A scanner's counters: frames in, decoded, dropped, and what a frame with nothing costs.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ScanStats {
    /// Frames given to the running scanner (dropped and refused ones included).
    pub submitted: i64,
    /// Frames decoded.
    pub decoded: i64,
    /// Frames dropped because a decode was running.
    pub dropped: i64,
    /// Decoded frames with nothing in them.
    pub empty: i64,
    /// Mean decode time of those empty frames, in microseconds.
    pub empty_frame_micros: i64,
    /// Decode time of the last frame, in microseconds.
    pub last_micros: i64,
    /// Whether a decode is running now.
    pub busy: bool,
}

impl From<LiveStats> for ScanStats {
    fn from(s: LiveStats) -> Self {
        ScanStats {
            submitted: long(s.submitted),
            decoded: long(s.decoded),
            dropped: long(s.dropped),
            empty: long(s.empty),
            empty_frame_micros: long(s.empty_frame_micros()),
            last_micros: long(s.last_micros),
            busy: s.busy,
        }
    }
}

/// Turns camera frames into payment codes. Keep one per camera session: a code seen in
/// several frames in a row is reported once, and codes marked used are refused. Safe to call
/// from several threads: at most one frame is decoded at a time.
#[derive(uniffi::Object)]
pub struct CodeScanner {
    live: LiveScan,
}

#[uniffi::export]
impl CodeScanner {
    /// A scanner. `thorough` adds slow passes for hard images (stills); a live camera should
    /// leave it off and rely on the next frame.
    #[uniffi::constructor]
    pub fn new(thorough: bool) -> Arc<Self> {
        let options = DecoderOptions { try_harder: thorough, ..DecoderOptions::default() };
        Arc::new(CodeScanner { live: LiveScan::new(options, ScanSession::default()) })
    }

    /// Decodes one frame given as a copied byte array, with its own rotation and region.
    /// `null` when it holds nothing new (no code, or the same code as the frames before), and
    /// also once the scanner is stopped. Waits for a running decode instead of dropping the
    /// frame. A live camera should prefer [`CodeScanner::submit_frame`], which copies nothing.
    pub fn scan_frame(&self, frame: CameraFrame) -> Result<Option<ScanOutcome>, TillKitError> {
        let rotation = Rotation::from_degrees(frame.rotation_degrees)
            .ok_or_else(|| frame_error("rotation must be 0, 90, 180 or 270"))?;
        let roi = frame.roi.map(CoreRoi::try_from).transpose()?;
        let (width, height, stride) = dims(frame.width, frame.height, frame.stride)?;
        let view =
            Frame::new(&frame.data, width, height, stride, frame.format).map_err(frame_error)?;
        match self.live.submit_waiting(&view, roi, rotation).map_err(frame_error)? {
            LiveOutcome::Event(e) => Ok(Some(e.into())),
            _ => Ok(None),
        }
    }

    /// Decodes a camera frame read in place, without a copy: Kotlin passes a direct
    /// `ByteBuffer` at position 0 (CameraX `ImageProxy` planes are), Swift a `Data` over the
    /// locked `CVPixelBuffer` plane (`Data(bytesNoCopy:count:deallocator: .none)`). The bytes
    /// are read only during this call. `stride` is the distance in bytes between rows of the
    /// first plane. Uses the scanner's region and rotation. A frame arriving while another is
    /// decoded is dropped at once ([`FrameResult::Dropped`]). Blocking CPU work: call it from
    /// the camera's analysis thread.
    pub fn submit_frame(
        &self,
        data: &[u8],
        width: i32,
        height: i32,
        stride: i32,
        format: PixelFormat,
    ) -> Result<FrameResult, TillKitError> {
        let (width, height, stride) = dims(width, height, stride)?;
        let view = Frame::new(data, width, height, stride, format).map_err(frame_error)?;
        Ok(self.live.submit(&view).map_err(frame_error)?.into())
    }

    /// Looks only in `roi` (frame coordinates, before rotation), or everywhere when `null`.
    /// An empty region, or one beyond 10,000 pixels, is `InvalidInput` on `region`; a region
    /// outside a given frame makes that frame `InvalidInput` on `frame`.
    pub fn set_region(&self, roi: Option<Roi>) -> Result<(), TillKitError> {
        let roi = roi.map(CoreRoi::try_from).transpose()?;
        self.live.set_region(roi).map_err(view_error)
    }

    /// Turns frames clockwise by `degrees` (0, 90, 180 or 270; CameraX `rotationDegrees`)
    /// before decoding them with [`CodeScanner::submit_frame`]. Others are `InvalidInput`.
    pub fn set_rotation(&self, degrees: i32) -> Result<(), TillKitError> {
        self.live.set_rotation(degrees).map_err(view_error)
    }

    /// Stops scanning: returns once no decode is running (at most one frame's decode); every
    /// later frame is [`FrameResult::Stopped`] and not read. Call it before closing the
    /// scanner while the camera may still deliver a frame.
    pub fn stop(&self) {
        self.live.stop();
    }

    /// The counters so far: frames submitted, decoded and dropped, and the empty-frame cost.
    pub fn stats(&self) -> ScanStats {
        self.live.stats().into()
    }

    /// Remembers a code as used (after a sale with it), so that a later scan refuses it.
    pub fn mark_used(&self, code: String) -> Result<(), TillKitError> {
        let code = PaymentCode::parse(&code)?;
        self.live.mark_used(&code);
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

#[cfg(test)]
#[path = "scan_tests.rs"]
mod tests;
