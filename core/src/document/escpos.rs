//! ESC/POS bytes for thermal receipt printers (58 mm: 32 columns, 80 mm: 48 columns).
//!
//! Commands used: `ESC @` (initialise), `FS &` (double-byte characters, for Chinese),
//! `ESC a` (alignment), `ESC E` (bold), `GS !` (double size), `GS ( k` (QR code, model 2:
//! store then print), `ESC d` (feed) and `GS V` (feed and cut). Text never carries a control
//! byte: documents are cleaned when built, and characters the printer's character set lacks
//! print as `?`.

use super::layout::{lay_out, LaidLine};
use super::{Align, Document, Paper};

/// ESC.
pub const ESC: u8 = 0x1B;
/// GS.
pub const GS: u8 = 0x1D;
/// FS.
pub const FS: u8 = 0x1C;
/// DLE.
pub const DLE: u8 = 0x10;
/// EOT.
pub const EOT: u8 = 0x04;
/// LF: prints the line.
pub const LF: u8 = 0x0A;

/// The character set the printer is set up for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Charset {
    /// GB18030 (printers sold in mainland China, Sunmi's and PAX's built-in ones): every
    /// character, Traditional ones included.
    #[default]
    Gb18030,
    /// Big5 (printers set up for Hong Kong and Taiwan): other characters print as `?`.
    Big5,
    /// ASCII only (printers without a Chinese font): other characters print as `?`.
    Ascii,
}

impl Charset {
    pub(crate) fn encoding(self) -> Option<&'static encoding_rs::Encoding> {
        match self {
            Charset::Gb18030 => Some(encoding_rs::GB18030),
            Charset::Big5 => Some(encoding_rs::BIG5),
            Charset::Ascii => None,
        }
    }
}

/// How to print a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EscPosOptions {
    /// The paper width.
    pub paper: Paper,
    /// The printer's character set.
    pub charset: Charset,
    /// QR module size in dots (1–16).
    pub qr_module: u8,
    /// Feed and cut at the end.
    pub cut: bool,
}

impl Default for EscPosOptions {
    fn default() -> Self {
        EscPosOptions { paper: Paper::Mm80, charset: Charset::Gb18030, qr_module: 6, cut: true }
    }
}

/// The document as ESC/POS bytes.
pub fn render_escpos(doc: &Document, o: &EscPosOptions) -> Vec<u8> {
    let mut out = vec![ESC, b'@'];
    if o.charset != Charset::Ascii {
        out.extend([FS, b'&']);
    }
    let (mut align, mut bold, mut large) = (Align::Left, false, false);
    for line in lay_out(doc, o.paper.columns()) {
        match line {
            LaidLine::Text { text, bold: b, large: l, align: a } => {
                if a != align {
                    out.extend([ESC, b'a', align_byte(a)]);
                    align = a;
                }
                if b != bold {
                    out.extend([ESC, b'E', u8::from(b)]);
                    bold = b;
                }
                if l != large {
                    out.extend([GS, b'!', if l { 0x11 } else { 0 }]);
                    large = l;
                }
                encode(&text, o.charset, &mut out);
                out.push(LF);
            }
            LaidLine::Qr(content) => {
                if align != Align::Center {
                    out.extend([ESC, b'a', 1]);
                    align = Align::Center;
                }
                qr(&content, o.qr_module, &mut out);
            }
        }
    }
    if o.cut {
        out.extend([ESC, b'd', 4, GS, b'V', 66, 0]);
    }
    out
}

fn align_byte(a: Align) -> u8 {
    match a {
        Align::Left => 0,
        Align::Center => 1,
        Align::Right => 2,
    }
}

/// `GS ( k`: model 2, module size, error correction M, store the data, print it.
fn qr(content: &str, module: u8, out: &mut Vec<u8>) {
    // The store command carries at most 65,532 bytes; a look-up id is far shorter, and
    // anything longer is cut rather than sent as a broken command.
    let data = &content.as_bytes()[..content.len().min(7089)];
    let len = data.len() + 3;
    let (pl, ph) = ((len & 0xFF) as u8, (len >> 8) as u8);
    out.extend([GS, b'(', b'k', 4, 0, 49, 65, 50, 0]);
    out.extend([GS, b'(', b'k', 3, 0, 49, 67, module.clamp(1, 16)]);
    out.extend([GS, b'(', b'k', 3, 0, 49, 69, 49]);
    out.extend([GS, b'(', b'k', pl, ph, 49, 80, 48]);
    out.extend_from_slice(data);
    out.extend([GS, b'(', b'k', 3, 0, 49, 81, 48]);
    out.push(LF);
}

/// Appends `text` in the printer's character set, `?` for what it lacks.
fn encode(text: &str, charset: Charset, out: &mut Vec<u8>) {
    let Some(encoding) = charset.encoding() else {
        out.extend(text.chars().map(|c| if c.is_ascii() { c as u8 } else { b'?' }));
        return;
    };
    let mut encoder = encoding.new_encoder();
    let mut rest = text;
    let mut buf = [0u8; 256];
    loop {
        let (result, read, written) =
            encoder.encode_from_utf8_without_replacement(rest, &mut buf, true);
        out.extend_from_slice(&buf[..written]);
        rest = &rest[read..];
        match result {
            encoding_rs::EncoderResult::InputEmpty => return,
            encoding_rs::EncoderResult::OutputFull => {}
            encoding_rs::EncoderResult::Unmappable(_) => out.push(b'?'),
        }
    }
}
