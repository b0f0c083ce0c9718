//! The document as a PNG image a phone can share: black on white, one bit a pixel, drawn with
//! the embedded bitmap font at a whole-number scale (2 by default: 16 px a column at 80 mm).

use super::font::glyph;
use super::layout::{lay_out, LaidLine};
use super::qr::{matrix, QrMatrix};
use super::width::{char_width, display_width};
use super::{Align, Document, Paper};

/// How to draw the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PngOptions {
    /// The paper width the lines are laid out for.
    pub paper: Paper,
    /// Pixels per font pixel (1–4).
    pub scale: u8,
}

impl Default for PngOptions {
    fn default() -> Self {
        PngOptions { paper: Paper::Mm80, scale: 2 }
    }
}

/// Why no image was made.
#[derive(Debug, thiserror::Error)]
#[error("PNG encoding failed: {0}")]
pub struct PngError(String);

const CELL: usize = 8;
const LINE: usize = 16;
const GAP: usize = 4;
const MARGIN: usize = 16;
const QR_MODULE: usize = 4;
const QR_QUIET: usize = 4;

/// A canvas of white pixels, one byte each (true: ink).
struct Canvas {
    width: usize,
    height: usize,
    ink: Vec<bool>,
}

impl Canvas {
    fn fill(&mut self, x: usize, y: usize, w: usize, h: usize) {
        for yy in y..(y + h).min(self.height) {
            let row = yy * self.width;
            for xx in x..(x + w).min(self.width) {
                self.ink[row + xx] = true;
            }
        }
    }
}

/// Image height in pixels of a laid-out line (with its QR matrix, if any), at scale 1.
fn line_height(line: &LaidLine, qr: Option<&QrMatrix>) -> usize {
    match (line, qr) {
        (_, Some(m)) => (m.width + 2 * QR_QUIET) * QR_MODULE + GAP,
        (LaidLine::Text { large: true, .. }, None) => 2 * LINE + GAP,
        _ => LINE + GAP,
    }
}

/// The document as PNG bytes, with the image's width and height in pixels.
pub fn render_png(doc: &Document, o: &PngOptions) -> Result<(Vec<u8>, u32, u32), PngError> {
    let s = usize::from(o.scale.clamp(1, 4));
    let columns = o.paper.columns();
    let lines = lay_out(doc, columns);
    let qrs: Vec<Option<QrMatrix>> = lines
        .iter()
        .map(|l| match l {
            LaidLine::Qr(content) => matrix(content),
            LaidLine::Text { .. } => None,
        })
        .collect();
    let width = (columns * CELL + 2 * MARGIN) * s;
    let heights: Vec<usize> =
        lines.iter().zip(&qrs).map(|(l, q)| line_height(l, q.as_ref())).collect();
    let height = (heights.iter().sum::<usize>() + 2 * MARGIN) * s;
    let mut canvas = Canvas { width, height, ink: vec![false; width * height] };
    let mut y = MARGIN * s;
    for ((line, qr), h) in lines.iter().zip(&qrs).zip(&heights) {
        match line {
            LaidLine::Text { text, bold, large, align } => {
                let k = if *large { 2 * s } else { s };
                let room = columns * CELL * s;
                let used = display_width(text) * CELL * k;
                let free = room.saturating_sub(used);
                let mut x = MARGIN * s
                    + match align {
                        Align::Left => 0,
                        Align::Center => free / 2,
                        Align::Right => free,
                    };
                for c in text.chars() {
                    draw_char(&mut canvas, c, x, y, k, *bold);
                    x += char_width(c) * CELL * k;
                }
            }
            LaidLine::Qr(_) => {
                if let Some(m) = qr {
                    let module = QR_MODULE * s;
                    let side = (m.width + 2 * QR_QUIET) * module;
                    let x0 = (width.saturating_sub(side)) / 2 + QR_QUIET * module;
                    let y0 = y + QR_QUIET * module;
                    for my in 0..m.width {
                        for mx in 0..m.width {
                            if m.dark(mx, my) {
                                canvas.fill(x0 + mx * module, y0 + my * module, module, module);
                            }
                        }
                    }
                }
            }
        }
        y += h * s;
    }
    let png = encode(&canvas)?;
    let (w, h) = (u32::try_from(width), u32::try_from(height));
    Ok((png, w.map_err(|e| PngError(e.to_string()))?, h.map_err(|e| PngError(e.to_string()))?))
}

/// Draws `c` with its top-left corner at (`x`, `y`), `k` pixels a font pixel; a character the
/// font lacks is a box of its width.
fn draw_char(canvas: &mut Canvas, c: char, x: usize, y: usize, k: usize, bold: bool) {
    let cells = char_width(c) * CELL;
    let Some(g) = glyph(c) else {
        let (w, h) = (cells * k, LINE * k);
        let t = k.max(1);
        canvas.fill(x + t, y + t, w - 2 * t, t);
        canvas.fill(x + t, y + h - 2 * t, w - 2 * t, t);
        canvas.fill(x + t, y + t, t, h - 2 * t);
        canvas.fill(x + w - 2 * t, y + t, t, h - 2 * t);
        return;
    };
    let extra = if bold { k.div_ceil(2) } else { 0 };
    for gy in 0..LINE {
        for gx in 0..g.width.min(cells) {
            if g.ink(gx, gy) {
                canvas.fill(x + gx * k, y + gy * k, k + extra, k);
            }
        }
    }
}

fn encode(canvas: &Canvas) -> Result<Vec<u8>, PngError> {
    let bytes_per_row = canvas.width.div_ceil(8);
    let mut packed = vec![0u8; bytes_per_row * canvas.height];
    for y in 0..canvas.height {
        for x in 0..canvas.width {
            // Grayscale, one bit: 1 is white.
            if !canvas.ink[y * canvas.width + x] {
                packed[y * bytes_per_row + x / 8] |= 0x80 >> (x % 8);
            }
        }
    }
    let err = |e: png::EncodingError| PngError(e.to_string());
    let mut out = Vec::new();
    let (w, h) = (u32::try_from(canvas.width), u32::try_from(canvas.height));
    let mut encoder = png::Encoder::new(
        &mut out,
        w.map_err(|e| PngError(e.to_string()))?,
        h.map_err(|e| PngError(e.to_string()))?,
    );
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    encoder.set_compression(png::Compression::High);
    let mut writer = encoder.write_header().map_err(err)?;
    writer.write_image_data(&packed).map_err(err)?;
    writer.finish().map_err(err)?;
    Ok(out)
}
