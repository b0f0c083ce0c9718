//! Decoding still images within a memory budget: any single image stays well under 100 MB of
//! peak memory, whatever its size or bit depth claims.
//!
//! PNG is decoded row by row straight to 8-bit gray (16-bit samples stripped, palettes
//! expanded), so a 16-bit RGBA PNG costs its gray output plus one row. JPEG and WebP decoders
//! build the whole image first, so their decoded size is capped by [`MAX_DECODE_BYTES`].
//! Both are refused above [`MAX_STILL_PIXELS`] before a pixel is decoded, with
//! [`FrameError::ImageTooLarge`] naming the limit.

use std::io::{BufRead, Seek};

use super::frame::{check_dimensions, luma_of, FrameError, LumaImage};

/// The most pixels a still image may have: the decoders' working memory grows with the image
/// (a few bytes a pixel), and 16 megapixels keeps a whole scan under 100 MB.
pub const MAX_STILL_PIXELS: u64 = 16_000_000;
/// The most bytes a whole-image decoder (JPEG, WebP, interlaced PNG) may allocate for the
/// decoded image before its conversion to gray.
pub const MAX_DECODE_BYTES: u64 = 48 * 1024 * 1024;

fn too_large(width: u32, height: u32, limit: &'static str, max: u64) -> FrameError {
    FrameError::ImageTooLarge { width, height, limit, max }
}

/// Refuses an image whose dimensions are beyond the frame limits or [`MAX_STILL_PIXELS`].
pub(crate) fn check_still(width: u32, height: u32) -> Result<(), FrameError> {
    check_dimensions(width, height)?;
    if u64::from(width) * u64::from(height) > MAX_STILL_PIXELS {
        return Err(too_large(width, height, "MAX_STILL_PIXELS", MAX_STILL_PIXELS));
    }
    Ok(())
}

/// One 8-bit pixel of `channels` samples as gray, transparent parts composited onto white.
fn gray(px: &[u8]) -> u8 {
    let over_white = |c: u8, a: u8| {
        ((u32::from(c) * u32::from(a) + 255 * (255 - u32::from(a)) + 127) / 255) as u8
    };
    match *px {
        [g] => g,
        [g, a] => over_white(g, a),
        [r, g, b] => luma_of(r, g, b),
        [r, g, b, a] => luma_of(over_white(r, a), over_white(g, a), over_white(b, a)),
        _ => 255,
    }
}

fn png_error(e: png::DecodingError) -> FrameError {
    FrameError::Image(format!("PNG: {e}"))
}

/// Decodes a PNG to gray row by row (whole-image only when interlaced, within
/// [`MAX_DECODE_BYTES`]).
pub(crate) fn decode_png<R: BufRead + Seek>(input: R) -> Result<LumaImage, FrameError> {
    let mut decoder = png::Decoder::new(input);
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    // Ancillary chunks (text, ICC) get a small budget of their own.
    decoder.set_limits(png::Limits { bytes: 8 << 20 });
    let mut reader = decoder.read_info().map_err(png_error)?;
    let (width, height, interlaced) = {
        let info = reader.info();
        (info.width, info.height, info.interlaced)
    };
    check_still(width, height)?;
    let (color, depth) = reader.output_color_type();
    if depth != png::BitDepth::Eight {
        return Err(FrameError::Image(format!("PNG: unexpected output depth {depth:?}")));
    }
    let channels = color.samples();
    let mut pixels = Vec::with_capacity(width as usize * height as usize);
    if interlaced {
        let size = reader.output_buffer_size().unwrap_or(usize::MAX);
        if size as u64 > MAX_DECODE_BYTES {
            return Err(too_large(width, height, "MAX_DECODE_BYTES", MAX_DECODE_BYTES));
        }
        let mut buffer = vec![0u8; size];
        let frame = reader.next_frame(&mut buffer).map_err(png_error)?;
        for row in buffer[..frame.buffer_size()].chunks_exact(frame.line_size) {
            pixels.extend(row.chunks_exact(channels).take(width as usize).map(gray));
        }
    } else {
        while let Some(row) = reader.next_row().map_err(png_error)? {
            pixels.extend(row.data().chunks_exact(channels).take(width as usize).map(gray));
        }
    }
    LumaImage::from_pixels(width, height, pixels)
}

/// Decodes JPEG or WebP through `image`, refusing before decoding what would not fit.
pub(crate) fn decode_other<R: BufRead + Seek>(input: R) -> Result<LumaImage, FrameError> {
    use image::ImageDecoder;
    let mut reader = image::ImageReader::new(input)
        .with_guessed_format()
        .map_err(|e| FrameError::Image(e.to_string()))?;
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let decoder = reader.into_decoder().map_err(|e| FrameError::Image(e.to_string()))?;
    let (width, height) = decoder.dimensions();
    check_still(width, height)?;
    if decoder.total_bytes() > MAX_DECODE_BYTES {
        return Err(too_large(width, height, "MAX_DECODE_BYTES", MAX_DECODE_BYTES));
    }
    let decoded =
        image::DynamicImage::from_decoder(decoder).map_err(|e| FrameError::Image(e.to_string()))?;
    // 8-bit formats only here; the conversion of the rare 16-bit one is bounded above.
    let pixels = match decoded {
        image::DynamicImage::ImageLuma8(img) => img.into_raw(),
        image::DynamicImage::ImageLumaA8(img) => img.into_raw().chunks_exact(2).map(gray).collect(),
        image::DynamicImage::ImageRgb8(img) => img.into_raw().chunks_exact(3).map(gray).collect(),
        image::DynamicImage::ImageRgba8(img) => img.into_raw().chunks_exact(4).map(gray).collect(),
        other => other.to_rgba8().into_raw().chunks_exact(4).map(gray).collect(),
    };
    LumaImage::from_pixels(width, height, pixels)
}
