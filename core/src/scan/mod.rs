//! Payment-code scanning: camera frames and scan-gun keystrokes in, validated payment codes out.
//!
//! - [`frame`]: frames as platforms deliver them (luma planes with a stride, NV21/NV12,
//!   BGRA/RGBA), cropping, rotation; still images with the cargo feature `stills`.
//! - [`decoder`]: the [`Decoder`]: fast paths of our own for Code 128 (scan lines, `code128`)
//!   and QR (`qr_fast`, on the `binarize` binarizer), with rxing's zxing-cpp-port QR detector
//!   and its binarizers behind them for what they do not read; every QR grid, ours or rxing's,
//!   goes to our decoder (`qr_decode`). `docs/scan.md` has the pass order and how to measure it.
//! - [`dedup`]: one report per code across consecutive frames, refusal of codes already used.
//! - [`live`]: a live camera session: at most one decode in flight, frames arriving meanwhile
//!   dropped, region and rotation per session.
//! - [`wedge`]: keyboard-wedge scan-gun input.
//! - [`camera`]: desktop capture (cargo feature `camera`; a typed error without it).
//! - `synth` (cargo feature `synth`): deterministic synthetic payment-code frames.

mod binarize;
pub mod camera;
mod code128;
mod code128_lines;
mod code128_rows;
mod code128_table;
pub mod decoder;
pub mod dedup;
mod elements;
pub mod frame;
pub mod live;
mod qr_decode;
mod qr_fast;
mod qr_passes;
mod qr_readers;
mod scanline;
#[cfg(feature = "stills")]
mod still;
#[cfg(feature = "stills")]
pub mod still_limits;
#[cfg(any(test, feature = "synth"))]
pub mod synth;
pub mod wedge;

pub use decoder::{BarcodeFormat, Decoder, DecoderOptions, Symbol};
pub use frame::{Frame, FrameError, LumaImage, PixelFormat, Roi, Rotation};
