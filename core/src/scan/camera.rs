//! Desktop camera capture through `nokhwa` (cargo feature `camera`, off by default: the mobile
//! apps feed frames from CameraX / AVFoundation through [`super::Frame`] instead).
//!
//! The API is the same with and without the feature; without it, [`Camera::open_first`]
//! returns [`CameraError::NotBuilt`].

use super::frame::LumaImage;

/// Why the camera cannot deliver frames.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CameraError {
    /// This build has no camera support (the `camera` cargo feature is off).
    #[error("camera support is not built in (enable the `camera` feature)")]
    NotBuilt,
    /// The camera could not be opened (none present, busy, no permission).
    #[error("cannot open the camera: {0}")]
    Open(String),
    /// A frame could not be captured or converted.
    #[error("cannot capture a frame: {0}")]
    Capture(String),
}

/// The first camera of the machine, streaming.
pub struct Camera {
    #[cfg(feature = "camera")]
    inner: nokhwa::Camera,
    #[cfg(not(feature = "camera"))]
    _never: std::convert::Infallible,
}

impl std::fmt::Debug for Camera {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Camera")
    }
}

#[cfg(feature = "camera")]
impl Camera {
    /// Opens the first camera at its highest frame rate and starts the stream.
    pub fn open_first() -> Result<Camera, CameraError> {
        use nokhwa::pixel_format::LumaFormat;
        use nokhwa::utils::{CameraIndex, RequestedFormat, RequestedFormatType};
        let format =
            RequestedFormat::new::<LumaFormat>(RequestedFormatType::AbsoluteHighestFrameRate);
        let mut inner = nokhwa::Camera::new(CameraIndex::Index(0), format)
            .map_err(|e| CameraError::Open(e.to_string()))?;
        inner.open_stream().map_err(|e| CameraError::Open(e.to_string()))?;
        Ok(Camera { inner })
    }

    /// Captures one frame as gray.
    pub fn frame(&mut self) -> Result<LumaImage, CameraError> {
        use nokhwa::pixel_format::LumaFormat;
        let buffer = self.inner.frame().map_err(|e| CameraError::Capture(e.to_string()))?;
        let image =
            buffer.decode_image::<LumaFormat>().map_err(|e| CameraError::Capture(e.to_string()))?;
        let (width, height) = (image.width(), image.height());
        LumaImage::from_pixels(width, height, image.into_raw())
            .map_err(|e| CameraError::Capture(e.to_string()))
    }
}

#[cfg(not(feature = "camera"))]
impl Camera {
    /// Opens the first camera at its highest frame rate and starts the stream.
    pub fn open_first() -> Result<Camera, CameraError> {
        Err(CameraError::NotBuilt)
    }

    /// Captures one frame as gray.
    pub fn frame(&mut self) -> Result<LumaImage, CameraError> {
        match self._never {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_camera_the_error_is_typed() {
        // Without the feature: NotBuilt. With it, on a machine without /dev/video*: Open.
        let built = cfg!(feature = "camera");
        match Camera::open_first() {
            Err(CameraError::NotBuilt) => assert!(!built, "the feature is on"),
            Err(CameraError::Open(_)) => assert!(built, "the feature is off"),
            Err(other) => panic!("unexpected error {other}"),
            Ok(_) => {} // a real camera is present
        }
    }
}
