//! Still images for tests and the CLI: binary PGM (`P5`, 8-bit, the benchmark protocol's
//! input format, parsed here), PNG, JPEG and WebP (through `image`).

use std::path::Path;

use super::frame::{FrameError, LumaImage};
use super::still_limits::{check_still, decode_other, decode_png, MAX_STILL_PIXELS};

impl LumaImage {
    /// Reads a still image: binary PGM (`P5`), PNG, JPEG or WebP. Transparent pixels are composited
    /// onto white, colour is converted with ITU-R 601 weights (as the benchmark protocol says).
    pub fn open(path: &Path) -> Result<LumaImage, FrameError> {
        use std::io::{Read, Seek};
        let fail = |e: std::io::Error| FrameError::Image(format!("{}: {e}", path.display()));
        // Streamed from the file: a large file is never held whole in memory.
        let mut file = std::io::BufReader::new(std::fs::File::open(path).map_err(fail)?);
        let mut magic = [0u8; 8];
        let got = file.read(&mut magic).map_err(fail)?;
        file.rewind().map_err(fail)?;
        let magic = &magic[..got];
        if magic.starts_with(b"P5") {
            let size = std::fs::metadata(path).map_err(fail)?.len();
            if size > MAX_STILL_PIXELS + 4096 {
                return Err(FrameError::ImageTooLarge {
                    width: 0,
                    height: 0,
                    limit: "MAX_STILL_PIXELS",
                    max: MAX_STILL_PIXELS,
                });
            }
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).map_err(fail)?;
            return parse(&bytes);
        }
        if magic.starts_with(PNG_MAGIC) {
            return decode_png(file);
        }
        decode_other(file)
    }

    /// Decodes an encoded still image held in memory (PGM, PNG, JPEG or WebP), within the
    /// limits of [`super::still_limits`]: too large an image is refused with
    /// [`FrameError::ImageTooLarge`] before its pixels are decoded.
    pub fn decode(bytes: &[u8]) -> Result<LumaImage, FrameError> {
        if bytes.starts_with(b"P5") {
            return parse(bytes);
        }
        if bytes.starts_with(PNG_MAGIC) {
            return decode_png(std::io::Cursor::new(bytes));
        }
        decode_other(std::io::Cursor::new(bytes))
    }
}

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

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
    check_still(width, height)?;
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
        // A git worktree elsewhere than beside the shared data sets `TILLKIT_SHARED`.
        let path = std::env::var_os("TILLKIT_SHARED")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
            .join("testdata/barcodes/zxing/code128-1/1.png");
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
