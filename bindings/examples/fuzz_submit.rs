//! A stable-Rust fuzz run of the zero-copy frame entry point, `CodeScanner::submit_frame` (what
//! Kotlin's direct `ByteBuffer` and Swift's `Data` reach after uniffi builds the slice):
//! `cargo run -p tillkit-ffi --example fuzz_submit -- N [SEED]`.
//!
//! Each of N seeded cases draws a width and height (0, 1, camera sizes, the 10,000 limit and
//! one past it, 20,000, `i32::MAX`, negative, random), a stride (0, too short, exact, padded, huge), a
//! format, a buffer length around what those need (short by one, exact, longer, random), and
//! now and then a new region or rotation (valid or not). Checks: no panic; a frame is accepted
//! only when the buffer holds what the dimensions need (computed here independently); every
//! refusal is `InvalidInput` naming `frame`, `region` or `rotation`. Two threads submit at
//! once, so the drop-while-busy path runs too. Exits 1 with the case on a failure.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::ExitCode;
use std::sync::Arc;

use tillkit_ffi::scan::{PixelFormat, Roi};
use tillkit_ffi::{CodeScanner, FrameResult, TillKitError};

/// xorshift64*: small, seeded, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const FORMATS: [PixelFormat; 5] = [
    PixelFormat::Luma8,
    PixelFormat::Nv21,
    PixelFormat::Nv12,
    PixelFormat::Bgra8,
    PixelFormat::Rgba8,
];
/// The largest buffer a case allocates: bigger claims get short buffers (and must be refused).
const MAX_ALLOC: u64 = 2_000_000;

fn side(rng: &mut Rng) -> i32 {
    match rng.below(10) {
        0 => 0,
        1 => 1,
        2 => [640, 1280, 1920, 1080, 720][rng.below(5) as usize],
        3 => [10_000, 10_001, 20_000][rng.below(3) as usize],
        4 => i32::MAX,
        5 => -1 - rng.below(400) as i32,
        _ => rng.below(400) as i32,
    }
}

/// What the frame needs, by the documented layout; `None` when it cannot be accepted at all.
fn needed(width: i32, height: i32, stride: u64, format: PixelFormat) -> Option<u64> {
    let (w, h) = (u64::try_from(width).ok()?, u64::try_from(height).ok()?);
    if w == 0 || h == 0 || w > 10_000 || h > 10_000 || w * h > 48_000_000 {
        return None;
    }
    let bpp = if matches!(format, PixelFormat::Bgra8 | PixelFormat::Rgba8) { 4 } else { 1 };
    if stride < w * bpp {
        return None;
    }
    let plane = stride.checked_mul(h)?;
    match format {
        PixelFormat::Nv21 | PixelFormat::Nv12 => {
            plane.checked_add(stride.max(w.div_ceil(2) * 2).checked_mul(h.div_ceil(2))?)
        }
        _ => Some(plane),
    }
}

fn one_case(rng: &mut Rng, scanner: &CodeScanner) -> Result<bool, String> {
    let (width, height) = (side(rng), side(rng));
    let format = FORMATS[rng.below(5) as usize];
    let row = u64::try_from(width).unwrap_or(0)
        * if matches!(format, PixelFormat::Bgra8 | PixelFormat::Rgba8) { 4 } else { 1 };
    let stride: u64 = match rng.below(6) {
        0 => 0,
        1 => row.saturating_sub(1),
        2 => row,
        3 => row + rng.below(128),
        4 => u64::from(u32::MAX),
        _ => rng.below(5000),
    };
    let stride32 = i32::try_from(stride).unwrap_or(i32::MAX);
    let need = needed(width, height, stride32.unsigned_abs().into(), format);
    let len = match (rng.below(4), need) {
        (0, Some(n)) => n.saturating_sub(1),
        (1, Some(n)) => n,
        (2, Some(n)) => n + rng.below(64),
        _ => rng.below(4096),
    }
    .min(MAX_ALLOC);
    if rng.below(8) == 0 {
        let roi = (rng.below(2) == 0).then(|| Roi {
            x: side(rng),
            y: side(rng),
            width: side(rng),
            height: side(rng),
        });
        if let Err(e) = scanner.set_region(roi) {
            check_field(&e, "region")?;
        }
    }
    if rng.below(8) == 0 {
        let degrees = [0, 90, 180, 270, -90, 45, 360, i32::MIN][rng.below(8) as usize];
        if let Err(e) = scanner.set_rotation(degrees) {
            check_field(&e, "rotation")?;
        }
    }
    let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
    let what = format!("{width}x{height} stride {stride32} {format:?} len {len}");
    match scanner.submit_frame(&data, width, height, stride32, format) {
        Ok(result) => {
            let fits = need.is_some_and(|n| n <= len);
            // Dropped frames are validated too: acceptance always means the buffer fits.
            if !fits {
                return Err(format!(
                    "accepted {what} ({result:?}) though {need:?} bytes are needed"
                ));
            }
            Ok(!matches!(result, FrameResult::Dropped))
        }
        Err(e) => {
            check_field(&e, "frame").map_err(|m| format!("{what}: {m}"))?;
            Ok(false)
        }
    }
}

fn check_field(e: &TillKitError, want: &str) -> Result<(), String> {
    match e {
        TillKitError::InvalidInput { field, .. } if field == want => Ok(()),
        other => Err(format!("expected InvalidInput on {want}, got {other:?}")),
    }
}

fn run(cases: u64, seed: u64) -> Result<(u64, i64), String> {
    let scanner = CodeScanner::new(false);
    let worker = |seed: u64, scanner: Arc<CodeScanner>| {
        std::thread::spawn(move || {
            let mut rng = Rng(seed | 1);
            let mut decoded = 0;
            for i in 0..cases / 2 {
                match catch_unwind(AssertUnwindSafe(|| one_case(&mut rng, &scanner))) {
                    Ok(Ok(d)) => decoded += u64::from(d),
                    Ok(Err(e)) => return Err(format!("seed {seed} case {i}: {e}")),
                    Err(_) => return Err(format!("seed {seed} case {i}: panicked")),
                }
            }
            Ok(decoded)
        })
    };
    let a = worker(seed, Arc::clone(&scanner));
    let b = worker(seed.wrapping_mul(31).wrapping_add(7), Arc::clone(&scanner));
    let join = |h: std::thread::JoinHandle<Result<u64, String>>| {
        h.join().map_err(|_| "thread".to_string())?
    };
    let decoded = join(a)? + join(b)?;
    Ok((decoded, scanner.stats().dropped))
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let cases = args.next().and_then(|a| a.parse().ok()).unwrap_or(2_000);
    let seed = args.next().and_then(|a| a.parse().ok()).unwrap_or(0x5eed);
    match run(cases, seed) {
        Ok((decoded, dropped)) => {
            println!("fuzz_submit: {cases} cases, seed {seed}: {decoded} frames read, {dropped} dropped while busy, no failure");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("fuzz_submit FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}
