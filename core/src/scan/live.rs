//! A live camera session: frames in at camera rate, payment events out.
//!
//! A camera delivers frames faster than a slow phone decodes them. [`LiveScan`] never queues:
//! at most one decode runs, and a frame that arrives while one runs is dropped at once (and
//! counted), so the next decode always works on a fresh frame. Each frame is borrowed only for
//! the call ([`LiveScan::submit`] takes a [`Frame`], which borrows the platform's buffer), so the
//! platform can hand over its own memory without a copy. The [`ScanSession`] behind it reports
//! a code once while it stays in view and refuses codes marked used. The region of interest and
//! the rotation belong to the session and are validated when set.
//!
//! [`LiveScan::stop`] ends the session: it returns once no decode runs, and every later frame is
//! answered [`LiveOutcome::Stopped`] without being read, so a screen can release the camera and
//! then the session while the camera thread may still be inside a call.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::time::Instant;

use super::decoder::{Decoder, DecoderOptions};
use super::dedup::{ScanEvent, ScanSession};
use super::frame::{Frame, FrameError, LumaImage, Roi, Rotation, MAX_SIDE};
use crate::paycode::PaymentCode;

/// Why a session setting was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ViewError {
    /// The rotation is not a quarter turn.
    #[error("rotation {degrees} is not 0, 90, 180 or 270 degrees")]
    Rotation {
        /// The degrees given.
        degrees: i32,
    },
    /// The region is empty or reaches beyond the largest frame ([`MAX_SIDE`]).
    #[error("the region {x},{y} {width}x{height} is empty or beyond {MAX_SIDE} pixels a side")]
    Region {
        /// Left edge.
        x: u32,
        /// Top edge.
        y: u32,
        /// Width.
        width: u32,
        /// Height.
        height: u32,
    },
}

/// What became of one submitted frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveOutcome {
    /// Another frame was being decoded: this one was dropped unread.
    Dropped,
    /// The session was stopped: the frame was not read.
    Stopped,
    /// Decoded: nothing in it, or only a code already reported while it stays in view.
    Nothing,
    /// Decoded: a new event for the sale.
    Event(ScanEvent),
}

/// Counters of a session, for the screen's diagnostics and for measuring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LiveStats {
    /// Frames given to a running session (dropped ones and refused ones included).
    pub submitted: u64,
    /// Frames decoded.
    pub decoded: u64,
    /// Frames dropped because a decode was running.
    pub dropped: u64,
    /// Decoded frames in which no symbol was found.
    pub empty: u64,
    /// Microseconds spent decoding the empty frames, in total.
    pub empty_micros: u64,
    /// Microseconds the last decode took (conversion, crop and rotation included).
    pub last_micros: u64,
    /// Whether a decode is running now.
    pub busy: bool,
}

impl LiveStats {
    /// The mean cost of a frame with nothing in it, in microseconds (0 before the first one).
    pub fn empty_frame_micros(&self) -> u64 {
        self.empty_micros.checked_div(self.empty).unwrap_or(0)
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct View {
    roi: Option<Roi>,
    rotation: Rotation,
}

/// A live scanning session; share it between the camera thread and the screen (it is `Sync`).
#[derive(Debug)]
pub struct LiveScan {
    /// Held for exactly one decode: a failed `try_lock` means busy.
    decoder: Mutex<Decoder>,
    session: Mutex<ScanSession>,
    view: Mutex<View>,
    stats: Mutex<LiveStats>,
    stopped: AtomicBool,
    /// Set while a decode runs (read by `stats`, which must not touch the decoder's lock: a
    /// `try_lock` there would make a frame arriving at that moment look dropped).
    decoding: AtomicBool,
}

/// Gray levels a sampled frame must span before it is worth decoding. The scan-line edge
/// detector needs a step of at least 10 levels (`scanline::FLOOR_MIN`) and the binarizer calls
/// a block of less than 24 uniform, so a frame spanning fewer holds nothing either can read:
/// a covered lens, a dark room, a blank wall.
const FLAT_RANGE: u8 = 10;
/// Every 4th pixel of every 4th row: a symbol is far larger than that grid, so its dark and
/// light modules are both sampled.
const FLAT_STEP: usize = 4;

/// Whether `image` is too flat to hold a symbol. Stops at the first pair of samples far enough
/// apart, so a textured frame costs a few samples and a flat one a 16th of its pixels.
fn looks_flat(image: &LumaImage) -> bool {
    let (mut lo, mut hi) = (u8::MAX, u8::MIN);
    for y in (0..image.height() as usize).step_by(FLAT_STEP) {
        for &p in image.row(y).iter().step_by(FLAT_STEP) {
            lo = lo.min(p);
            hi = hi.max(p);
        }
        if hi.saturating_sub(lo) >= FLAT_RANGE {
            return false;
        }
    }
    true
}

/// Locks, ignoring poisoning: every critical section here leaves its data consistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl LiveScan {
    /// A session decoding with `options` and de-duplicating through `session`.
    pub fn new(options: DecoderOptions, session: ScanSession) -> Self {
        LiveScan {
            decoder: Mutex::new(Decoder::new(options)),
            session: Mutex::new(session),
            view: Mutex::new(View::default()),
            stats: Mutex::new(LiveStats::default()),
            stopped: AtomicBool::new(false),
            decoding: AtomicBool::new(false),
        }
    }

    /// Looks only in `roi` (frame coordinates, before rotation), or in the whole frame. A region
    /// that does not fit a given frame makes that frame a [`FrameError::RoiOutside`].
    pub fn set_region(&self, roi: Option<Roi>) -> Result<(), ViewError> {
        if let Some(r) = roi {
            let fits =
                |at: u32, len: u32| len > 0 && at.checked_add(len).is_some_and(|e| e <= MAX_SIDE);
            if !fits(r.x, r.width) || !fits(r.y, r.height) {
                return Err(ViewError::Region { x: r.x, y: r.y, width: r.width, height: r.height });
            }
        }
        lock(&self.view).roi = roi;
        Ok(())
    }

    /// Turns frames clockwise by `degrees` (0, 90, 180, 270 or their negatives) before decoding.
    pub fn set_rotation(&self, degrees: i32) -> Result<(), ViewError> {
        let rotation = Rotation::from_degrees(degrees).ok_or(ViewError::Rotation { degrees })?;
        lock(&self.view).rotation = rotation;
        Ok(())
    }

    /// Decodes `frame` unless another decode is running (then it is dropped) or the session
    /// is stopped. Blocking CPU work for the calling thread; `frame` is not kept.
    pub fn submit(&self, frame: &Frame<'_>) -> Result<LiveOutcome, FrameError> {
        if self.stopped.load(Ordering::Acquire) {
            return Ok(LiveOutcome::Stopped);
        }
        let decoder = match self.decoder.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => {
                let mut stats = lock(&self.stats);
                stats.submitted += 1;
                stats.dropped += 1;
                return Ok(LiveOutcome::Dropped);
            }
        };
        let view = *lock(&self.view);
        self.decode_with(decoder, frame, view.roi, view.rotation)
    }

    /// Decodes `frame` with its own region and rotation, waiting for a running decode to end
    /// first (stills, tests, the copying FFI path). Stopped sessions answer `Stopped`.
    pub fn submit_waiting(
        &self,
        frame: &Frame<'_>,
        roi: Option<Roi>,
        rotation: Rotation,
    ) -> Result<LiveOutcome, FrameError> {
        if self.stopped.load(Ordering::Acquire) {
            return Ok(LiveOutcome::Stopped);
        }
        self.decode_with(lock(&self.decoder), frame, roi, rotation)
    }

    fn decode_with(
        &self,
        mut decoder: MutexGuard<'_, Decoder>,
        frame: &Frame<'_>,
        roi: Option<Roi>,
        rotation: Rotation,
    ) -> Result<LiveOutcome, FrameError> {
        // Checked again under the decoder's lock: a `stop` that returned before this lock was
        // taken is seen here, so no decode starts after it.
        if self.stopped.load(Ordering::Acquire) {
            return Ok(LiveOutcome::Stopped);
        }
        self.decoding.store(true, Ordering::Release);
        let started = Instant::now();
        let symbol = frame.to_luma(roi, rotation).map(|image| {
            if looks_flat(&image) {
                None
            } else {
                decoder.decode(&image)
            }
        });
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.decoding.store(false, Ordering::Release);
        // The session is taken before the decoder is let go, so that results reach it in the
        // order of their decodes; the next frame may start decoding meanwhile.
        let mut session = lock(&self.session);
        drop(decoder);
        {
            let mut stats = lock(&self.stats);
            stats.submitted += 1;
            if let Ok(found) = &symbol {
                stats.decoded += 1;
                stats.last_micros = micros;
                if found.is_none() {
                    stats.empty += 1;
                    stats.empty_micros = stats.empty_micros.saturating_add(micros);
                }
            }
        }
        let symbol = symbol?;
        // Stopped during the decode: the screen is gone, nothing more is reported.
        if self.stopped.load(Ordering::Acquire) {
            return Ok(LiveOutcome::Stopped);
        }
        let event = session.on_frame(symbol.as_ref().map(|s| s.text.as_str()));
        Ok(event.map_or(LiveOutcome::Nothing, LiveOutcome::Event))
    }

    /// Classifies a code read once (a scan gun, or typed), without frame suppression.
    pub fn on_code(&self, text: &str) -> ScanEvent {
        lock(&self.session).on_code(text)
    }

    /// Records that `code` was used in a sale; it is refused from now on.
    pub fn mark_used(&self, code: &PaymentCode) {
        lock(&self.session).mark_used(code);
    }

    /// Whether `code` was used in a sale (among the remembered ones).
    pub fn is_used(&self, code: &PaymentCode) -> bool {
        lock(&self.session).is_used(code)
    }

    /// Stops the session: returns once no decode is running; later frames are not read.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
        // Waits for the decode in flight, if any, to release the decoder.
        drop(lock(&self.decoder));
    }

    /// Whether [`LiveScan::stop`] was called.
    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Acquire)
    }

    /// The counters so far.
    pub fn stats(&self) -> LiveStats {
        LiveStats { busy: self.decoding.load(Ordering::Acquire), ..*lock(&self.stats) }
    }
}

impl Default for LiveScan {
    /// A camera session: no try-harder passes (the next frame comes soon), the default
    /// de-duplication and used-code memory.
    fn default() -> Self {
        let options = DecoderOptions { try_harder: false, ..DecoderOptions::default() };
        LiveScan::new(options, ScanSession::default())
    }
}

#[cfg(test)]
#[path = "live_tests.rs"]
mod tests;
