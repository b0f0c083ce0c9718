//! Still images for tests and the CLI: binary PGM (`P5`, 8-bit, the benchmark protocol's
//! input format, parsed here), PNG, JPEG and WebP (through `image`).

use std::path::Path;

use super::frame::{check_dimensions, luma_of, FrameError, LumaImage, MAX_SIDE};

impl LumaImage {
    /// Reads a still image: binary PGM (`P5`), PNG, JPEG or WebP. Transparent pixels are composited
    /// onto white, colour is converted with ITU-R 601 weights (as the benchmark protocol says).
    pub fn open(path: &Path) -> Result<LumaImage, FrameError> {
        let bytes = std::fs::read(path)
            .map_err(|e| FrameError::Image(format!("{}: {e}", path.display())))?;
        LumaImage::decode(&bytes)
    }

    /// Decodes an encoded still image held in memory (PGM, PNG, JPEG or WebP).
    pub fn decode(bytes: &[u8]) -> Result<LumaImage, FrameError> {
        if bytes.starts_with(b"P5") {
            return parse(bytes);
        }
        let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| FrameError::Image(e.to_string()))?;
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(MAX_SIDE);
        limits.max_image_height = Some(MAX_SIDE);
        reader.limits(limits);
        let decoded = reader.decode().map_err(|e| FrameError::Image(e.to_string()))?;
        let rgba = decoded.to_rgba8();
        let (width, height) = rgba.dimensions();
        check_dimensions(width, height)?;
        let pixels = rgba
            .pixels()
            .map(|p| {
                let [r, g, b, a] = p.0;
                let over_white = |c: u8| {
                    ((u32::from(c) * u32::from(a) + 255 * (255 - u32::from(a)) + 127) / 255) as u8
                };
                luma_of(over_white(r), over_white(g), over_white(b))
            })
            .collect();
        LumaImage::from_pixels(width, height, pixels)
    }
}

fn bad(what: &str) -> FrameError {
    FrameError::Image(format!("bad PGM: {what}"))
}

/// Parses a binary 8-bit PGM: `P5`, width, height, maxval (≤ 255), one whitespace, pixels.
pub(crate) fn parse(bytes: &[u8]) -> Result<LumaImage, FrameError> {
    let mut pos = 2; // past "P5"
    let mut fields = [0u32; 3];
    for field in &mut fields {
        // Skip whitespace and comments, then read one decimal number.
        loop {
            match bytes.get(pos) {
                Some(b) if b.is_ascii_whitespace() => pos += 1,
                Some(b'#') => {
                    while bytes.get(pos).is_some_and(|&b| b != b'\n') {
                        pos += 1;
                    }
                }
                Some(_) => break,
                None => return Err(bad("truncated header")),
            }
        }
        let start = pos;
        while bytes.get(pos).is_some_and(u8::is_ascii_digit) {
            pos += 1;
        }
        let digits = std::str::from_utf8(&bytes[start..pos]).map_err(|_| bad("header"))?;
        *field = digits.parse().map_err(|_| bad("header number"))?;
    }
    let [width, height, maxval] = fields;
    if maxval == 0 || maxval > 255 {
        return Err(bad("only 8-bit maxval is supported"));
    }
    if !bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
        return Err(bad("no whitespace after the header"));
    }
    let data = &bytes[pos + 1..];
    let needed = (width as usize).checked_mul(height as usize).ok_or(bad("dimensions"))?;
    if data.len() < needed {
        return Err(FrameError::BufferTooShort { needed, actual: data.len() });
    }
    let pixels = if maxval == 255 {
        data[..needed].to_vec()
    } else {
        data[..needed]
            .iter()
            .map(|&p| (u32::from(p.min(maxval as u8)) * 255 / maxval) as u8)
            .collect()
    };
    LumaImage::from_pixels(width, height, pixels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_real_png_like_the_benchmark() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/testdata/barcodes/zxing/code128-1/1.png");
        let image = LumaImage::open(&path).unwrap();
        assert!(image.width() > 50 && image.height() > 10);
        assert_eq!(image.pixels().len(), image.width() as usize * image.height() as usize);
    }

    #[test]
    fn parses_header_with_comment() {
        let image = parse(b"P5\n# made by hand\n3 2\n255\n\x01\x02\x03\x04\x05\x06").unwrap();
        assert_eq!((image.width(), image.height()), (3, 2));
        assert_eq!(image.pixels(), &[1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn rejects_truncated_and_odd_files() {
        assert!(matches!(parse(b"P5\n3 2\n255\n\x01\x02"), Err(FrameError::BufferTooShort { .. })));
        assert!(parse(b"P5\n3").is_err());
        assert!(parse(b"P5\n3 2\n65535\n").is_err());
        assert!(parse(b"P5\n99999999999 2\n255\n").is_err());
        assert!(matches!(parse(b"P5 0 0 255 "), Err(FrameError::Empty { .. })));
    }
}
