//! QR matrices for the image rendering (printers draw their own from `GS ( k`).

/// A square QR matrix.
pub(crate) struct QrMatrix {
    /// Modules a side.
    pub width: usize,
    dark: Vec<bool>,
}

impl QrMatrix {
    /// Whether module (`x`, `y`) is dark.
    pub fn dark(&self, x: usize, y: usize) -> bool {
        self.dark.get(y * self.width + x).copied().unwrap_or(false)
    }
}

/// The QR code of `content` at error correction M, or `None` when it does not fit a QR code.
pub(crate) fn matrix(content: &str) -> Option<QrMatrix> {
    let code =
        qrcode::QrCode::with_error_correction_level(content.as_bytes(), qrcode::EcLevel::M).ok()?;
    let dark = code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
    Some(QrMatrix { width: code.width(), dark })
}
