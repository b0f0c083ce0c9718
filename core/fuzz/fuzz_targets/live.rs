//! The live session's entry points with arbitrary frames (dimensions up to 20,000 a side and
//! `u32::MAX`, strides, formats, buffer lengths), regions and rotations. Whatever the input:
//! no panic, and a frame is read only after `Frame::new` accepted its length.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tillkit_core::scan::live::LiveScan;
use tillkit_core::scan::{Frame, PixelFormat, Roi};

fuzz_target!(|data: &[u8]| {
    if data.len() < 24 {
        return;
    }
    let (head, pixels) = data.split_at(24);
    let word = |i: usize| u32::from(u16::from_le_bytes([head[i], head[i + 1]]));
    let side = |i: usize, flag: u8| match flag % 8 {
        0 => 0,
        1 => 20_000,
        2 => u32::MAX,
        _ => word(i) % 300,
    };
    let (width, height) = (side(0, head[16]), side(2, head[17]));
    let stride = usize::from(u16::from_le_bytes([head[4], head[5]])) % 1300;
    let format = [PixelFormat::Luma8, PixelFormat::Nv21, PixelFormat::Nv12, PixelFormat::Bgra8, PixelFormat::Rgba8]
        [usize::from(head[6]) % 5];
    let live = LiveScan::default();
    let roi = (head[7] & 1 == 1).then(|| Roi { x: word(8), y: word(10), width: word(12), height: word(14) });
    let _ = live.set_region(roi);
    let _ = live.set_rotation(i32::from_le_bytes([head[18], head[19], head[20], head[21]]));
    if let Ok(frame) = Frame::new(pixels, width, height, stride, format) {
        let _ = live.submit(&frame);
        if head[22] & 1 == 1 {
            live.stop();
            let _ = live.submit(&frame);
        }
    }
});
