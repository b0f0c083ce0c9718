//! Frame entry points with arbitrary buffers, dimensions, strides, formats, crops and
//! rotations; whatever validates is decoded. Also the still-image reader.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tillkit_core::scan::{Decoder, DecoderOptions, Frame, LumaImage, PixelFormat, Roi, Rotation};

fuzz_target!(|data: &[u8]| {
    if data.len() < 16 {
        return;
    }
    let (head, pixels) = data.split_at(16);
    let word = |i: usize| u16::from_le_bytes([head[i], head[i + 1]]);
    let (width, height) = (u32::from(word(0)) % 300, u32::from(word(2)) % 300);
    let stride = usize::from(word(4)) % 1300;
    let format = [PixelFormat::Luma8, PixelFormat::Nv21, PixelFormat::Nv12, PixelFormat::Bgra8, PixelFormat::Rgba8]
        [usize::from(head[6]) % 5];
    let rotation = [Rotation::None, Rotation::Cw90, Rotation::Cw180, Rotation::Cw270][usize::from(head[7]) % 4];
    let roi = (head[8] & 1 == 1)
        .then(|| Roi { x: u32::from(head[9]), y: u32::from(head[10]), width: u32::from(word(11)), height: u32::from(word(13)) });
    if let Ok(frame) = Frame::new(pixels, width, height, stride, format) {
        let options = DecoderOptions { try_harder: head[15] & 1 == 1, ..DecoderOptions::default() };
        let _ = Decoder::new(options).decode_frame(&frame, roi, rotation);
    }
    let _ = LumaImage::decode(data);
});
