//! Frames as the platforms deliver them, turned into one 8-bit gray plane.
//!
//! A [`Frame`] borrows the caller's buffer and is validated once, with checked arithmetic, when
//! it is built: every later read stays inside the buffer. [`Frame::to_luma`] crops a region of
//! interest and rotates in one pass, producing the [`LumaImage`] every decoder works on.

/// The largest accepted width or height, in pixels (8K is 7680).
pub const MAX_SIDE: u32 = 10_000;
/// The largest accepted pixel count (a 48-megapixel still).
pub const MAX_PIXELS: u64 = 48_000_000;

/// Why a frame or image cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Width or height is zero.
    #[error("the frame is empty ({width}x{height})")]
    Empty {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// Width or height is beyond [`MAX_SIDE`], or the area beyond [`MAX_PIXELS`].
    #[error(
        "the frame is too large ({width}x{height}, at most {MAX_SIDE} a side, {MAX_PIXELS} pixels)"
    )]
    TooLarge {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// The row stride is shorter than one row of pixels.
    #[error("the row stride {stride} is shorter than a row ({row_bytes} bytes)")]
    StrideTooSmall {
        /// The stride given.
        stride: usize,
        /// The bytes one row needs.
        row_bytes: usize,
    },
    /// The buffer holds fewer bytes than stride × height (plus chroma for NV21/NV12).
    #[error("the frame buffer has {actual} bytes, {needed} needed")]
    BufferTooShort {
        /// Bytes the dimensions need.
        needed: usize,
        /// Bytes given.
        actual: usize,
    },
    /// The region of interest is empty or reaches outside the frame.
    #[error(
        "the region {x},{y} {width}x{height} is not inside the {frame_width}x{frame_height} frame"
    )]
    RoiOutside {
        /// Left edge.
        x: u32,
        /// Top edge.
        y: u32,
        /// Width.
        width: u32,
        /// Height.
        height: u32,
        /// The frame's width.
        frame_width: u32,
        /// The frame's height.
        frame_height: u32,
    },
    /// A still image is beyond a decoding limit; refused before its pixels were decoded.
    #[error("the image is too large to decode ({width}x{height}): {limit} is {max}")]
    ImageTooLarge {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// The limit it exceeds (a constant of `scan::still_limits`).
        limit: &'static str,
        /// That limit's value (pixels or bytes).
        max: u64,
    },
    /// A still image could not be read or decoded.
    #[error("cannot read the image: {0}")]
    Image(String),
}

/// The pixel layouts camera stacks deliver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PixelFormat {
    /// One 8-bit luma plane: Android `YUV_420_888` Y plane, iOS `420f` plane 0, PGM.
    Luma8,
    /// NV21 (Android camera1): the Y plane, then interleaved V/U at half resolution.
    Nv21,
    /// NV12 (iOS bi-planar in one buffer): the Y plane, then interleaved U/V.
    Nv12,
    /// 32-bit BGRA (iOS `32BGRA`, Android bitmaps on little-endian).
    Bgra8,
    /// 32-bit RGBA.
    Rgba8,
}

impl PixelFormat {
    /// Bytes per pixel in the first plane.
    pub fn bytes_per_pixel(self) -> usize {
        match self {
            PixelFormat::Luma8 | PixelFormat::Nv21 | PixelFormat::Nv12 => 1,
            PixelFormat::Bgra8 | PixelFormat::Rgba8 => 4,
        }
    }
}

/// Clockwise rotation that turns the frame upright (CameraX `rotationDegrees`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Rotation {
    /// Already upright.
    #[default]
    None,
    /// 90° clockwise.
    Cw90,
    /// 180°.
    Cw180,
    /// 270° clockwise (90° counter-clockwise).
    Cw270,
}

impl Rotation {
    /// The rotation for a whole number of degrees (0, 90, 180, 270, or their negatives).
    pub fn from_degrees(degrees: i32) -> Option<Self> {
        match degrees.rem_euclid(360) {
            0 => Some(Rotation::None),
            90 => Some(Rotation::Cw90),
            180 => Some(Rotation::Cw180),
            270 => Some(Rotation::Cw270),
            _ => None,
        }
    }
}

/// A rectangle in frame coordinates (before rotation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// A validated view of a caller's frame buffer.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    data: &'a [u8],
    width: u32,
    height: u32,
    stride: usize,
    format: PixelFormat,
}

pub(crate) fn check_dimensions(width: u32, height: u32) -> Result<(), FrameError> {
    if width == 0 || height == 0 {
        return Err(FrameError::Empty { width, height });
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(FrameError::TooLarge { width, height });
    }
    Ok(())
}

impl<'a> Frame<'a> {
    /// Validates a frame: `stride` is the distance in bytes between rows of the first plane.
    pub fn new(
        data: &'a [u8],
        width: u32,
        height: u32,
        stride: usize,
        format: PixelFormat,
    ) -> Result<Self, FrameError> {
        check_dimensions(width, height)?;
        let too_large = FrameError::TooLarge { width, height };
        let row_bytes =
            (width as usize).checked_mul(format.bytes_per_pixel()).ok_or(too_large.clone())?;
        if stride < row_bytes {
            return Err(FrameError::StrideTooSmall { stride, row_bytes });
        }
        let plane = stride.checked_mul(height as usize).ok_or(too_large.clone())?;
        let needed = match format {
            PixelFormat::Nv21 | PixelFormat::Nv12 => {
                let chroma_row = stride.max((width as usize).div_ceil(2) * 2);
                let chroma = chroma_row
                    .checked_mul((height as usize).div_ceil(2))
                    .ok_or(too_large.clone())?;
                plane.checked_add(chroma).ok_or(too_large)?
            }
            _ => plane,
        };
        if data.len() < needed {
            return Err(FrameError::BufferTooShort { needed, actual: data.len() });
        }
        Ok(Frame { data, width, height, stride, format })
    }

    /// A tightly packed or strided 8-bit luma plane.
    pub fn luma(
        data: &'a [u8],
        width: u32,
        height: u32,
        stride: usize,
    ) -> Result<Self, FrameError> {
        Frame::new(data, width, height, stride, PixelFormat::Luma8)
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The pixel layout.
    pub fn format(&self) -> PixelFormat {
        self.format
    }

    /// Crops to `roi` (the whole frame when `None`), converts to gray and rotates upright.
    pub fn to_luma(&self, roi: Option<Roi>, rotation: Rotation) -> Result<LumaImage, FrameError> {
        let roi = roi.unwrap_or(Roi { x: 0, y: 0, width: self.width, height: self.height });
        let inside = roi.width > 0
            && roi.height > 0
            && roi.x.checked_add(roi.width).is_some_and(|r| r <= self.width)
            && roi.y.checked_add(roi.height).is_some_and(|b| b <= self.height);
        if !inside {
            return Err(FrameError::RoiOutside {
                x: roi.x,
                y: roi.y,
                width: roi.width,
                height: roi.height,
                frame_width: self.width,
                frame_height: self.height,
            });
        }
        let (w, h) = (roi.width as usize, roi.height as usize);
        let bpp = self.format.bytes_per_pixel();
        let mut gray = Vec::with_capacity(w * h);
        for row in 0..h {
            // In bounds: new() checked stride * height <= len and stride >= width * bpp.
            let start = (roi.y as usize + row) * self.stride + roi.x as usize * bpp;
            let src = &self.data[start..start + w * bpp];
            match self.format {
                PixelFormat::Luma8 | PixelFormat::Nv21 | PixelFormat::Nv12 => {
                    gray.extend_from_slice(src)
                }
                PixelFormat::Bgra8 => {
                    gray.extend(src.chunks_exact(4).map(|p| luma_of(p[2], p[1], p[0])))
                }
                PixelFormat::Rgba8 => {
                    gray.extend(src.chunks_exact(4).map(|p| luma_of(p[0], p[1], p[2])))
                }
            }
        }
        let upright = LumaImage { width: roi.width, height: roi.height, pixels: gray };
        Ok(upright.rotated(rotation))
    }
}

/// ITU-R 601 luma, the weights PIL and zxing-cpp use: (299 R + 587 G + 114 B) / 1000.
pub(crate) fn luma_of(r: u8, g: u8, b: u8) -> u8 {
    ((299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b) + 500) / 1000) as u8
}

/// An owned, tightly packed 8-bit gray image: what the decoders read.
#[derive(Clone, PartialEq, Eq)]
pub struct LumaImage {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl std::fmt::Debug for LumaImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LumaImage({}x{})", self.width, self.height)
    }
}

impl LumaImage {
    /// Takes ownership of packed gray pixels (`pixels.len()` must be `width * height`).
    pub fn from_pixels(width: u32, height: u32, pixels: Vec<u8>) -> Result<Self, FrameError> {
        check_dimensions(width, height)?;
        let needed = width as usize * height as usize;
        if pixels.len() != needed {
            return Err(FrameError::BufferTooShort { needed, actual: pixels.len() });
        }
        Ok(LumaImage { width, height, pixels })
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The packed pixels, row by row.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// One row of pixels (`y < height`).
    pub(crate) fn row(&self, y: usize) -> &[u8] {
        let w = self.width as usize;
        &self.pixels[y * w..(y + 1) * w]
    }

    /// This image turned clockwise by `rotation`.
    pub fn rotated(self, rotation: Rotation) -> LumaImage {
        let (w, h) = (self.width as usize, self.height as usize);
        let src = &self.pixels;
        let pixels: Vec<u8> = match rotation {
            Rotation::None => return self,
            Rotation::Cw180 => src.iter().rev().copied().collect(),
            // Output row r of a 90° clockwise turn is source column r read bottom to top.
            Rotation::Cw90 => {
                (0..w).flat_map(|c| (0..h).rev().map(move |r| src[r * w + c])).collect()
            }
            Rotation::Cw270 => {
                (0..w).rev().flat_map(|c| (0..h).map(move |r| src[r * w + c])).collect()
            }
        };
        let (width, height) = match rotation {
            Rotation::Cw90 | Rotation::Cw270 => (self.height, self.width),
            _ => (self.width, self.height),
        };
        LumaImage { width, height, pixels }
    }

    /// The photographic negative (light codes on dark screens).
    pub fn inverted(&self) -> LumaImage {
        LumaImage {
            width: self.width,
            height: self.height,
            pixels: self.pixels.iter().map(|p| 255 - p).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strided_luma_crop_and_rotation() {
        // 3x2 image in a stride of 5, padding bytes set to 99 so a wrong read shows.
        let data = [1, 2, 3, 99, 99, 4, 5, 6, 99, 99];
        let frame = Frame::luma(&data, 3, 2, 5).unwrap();
        assert_eq!(frame.to_luma(None, Rotation::None).unwrap().pixels(), &[1, 2, 3, 4, 5, 6]);
        assert_eq!(frame.to_luma(None, Rotation::Cw90).unwrap().pixels(), &[4, 1, 5, 2, 6, 3]);
        assert_eq!(frame.to_luma(None, Rotation::Cw180).unwrap().pixels(), &[6, 5, 4, 3, 2, 1]);
        let ccw = frame.to_luma(None, Rotation::Cw270).unwrap();
        assert_eq!((ccw.width(), ccw.height(), ccw.pixels()), (2, 3, &[3, 6, 2, 5, 1, 4][..]));
        let roi = Roi { x: 1, y: 1, width: 2, height: 1 };
        assert_eq!(frame.to_luma(Some(roi), Rotation::None).unwrap().pixels(), &[5, 6]);
    }

    #[test]
    fn colour_and_nv21_frames() {
        let bgra = [0, 0, 255, 255, 255, 255, 255, 255];
        let gray = Frame::new(&bgra, 2, 1, 8, PixelFormat::Bgra8)
            .unwrap()
            .to_luma(None, Rotation::None)
            .unwrap();
        assert_eq!(gray.pixels(), &[76, 255]);
        let rgba = [255, 0, 0, 255];
        let gray = Frame::new(&rgba, 1, 1, 4, PixelFormat::Rgba8)
            .unwrap()
            .to_luma(None, Rotation::None)
            .unwrap();
        assert_eq!(gray.pixels(), &[76]);
        let nv21 = [10, 20, 30, 40, 128, 128];
        let gray = Frame::new(&nv21, 2, 2, 2, PixelFormat::Nv21)
            .unwrap()
            .to_luma(None, Rotation::None)
            .unwrap();
        assert_eq!(gray.pixels(), &[10, 20, 30, 40]);
        assert!(matches!(
            Frame::new(&nv21[..5], 2, 2, 2, PixelFormat::Nv21),
            Err(FrameError::BufferTooShort { needed: 6, actual: 5 })
        ));
    }

    #[test]
    fn bad_frames_are_typed_errors() {
        assert!(matches!(Frame::luma(&[], 0, 10, 0), Err(FrameError::Empty { .. })));
        assert!(matches!(
            Frame::luma(&[0; 10], 4, 3, 4),
            Err(FrameError::BufferTooShort { needed: 12, actual: 10 })
        ));
        assert!(matches!(Frame::luma(&[0; 10], 4, 2, 3), Err(FrameError::StrideTooSmall { .. })));
        assert!(matches!(
            Frame::luma(&[0; 10], 100_000, 1, 100_000),
            Err(FrameError::TooLarge { .. })
        ));
        assert!(matches!(
            Frame::new(&[0; 10], 9_000, 9_000, usize::MAX / 2, PixelFormat::Bgra8),
            Err(FrameError::TooLarge { .. })
        ));
        let frame = Frame::luma(&[0; 12], 4, 3, 4).unwrap();
        let outside = Roi { x: 3, y: 0, width: 2, height: 1 };
        assert!(matches!(
            frame.to_luma(Some(outside), Rotation::None),
            Err(FrameError::RoiOutside { .. })
        ));
        let wrapping = Roi { x: u32::MAX, y: 0, width: 2, height: 1 };
        assert!(matches!(
            frame.to_luma(Some(wrapping), Rotation::None),
            Err(FrameError::RoiOutside { .. })
        ));
        #[cfg(feature = "stills")]
        assert!(LumaImage::decode(b"not an image").is_err());
        assert!(LumaImage::from_pixels(2, 2, vec![0; 3]).is_err());
    }
}
