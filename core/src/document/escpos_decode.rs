//! A minimal ESC/POS decoder for the commands [`super::escpos`] writes and the status
//! queries a printer connection sends: it turns bytes back into text lines (with their style),
//! QR codes and commands, so that tests and tools can check what a printer would print.
//! Anything else (another command, a stray control byte) is an error: a test that feeds it
//! injected bytes sees them.

use super::escpos::{Charset, DLE, EOT, ESC, FS, GS, LF};

/// A command found in the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `ESC @`.
    Init,
    /// `FS &`.
    DoubleByteOn,
    /// `FS .`.
    DoubleByteOff,
    /// `ESC a n`.
    Align(u8),
    /// `ESC E n`.
    Bold(bool),
    /// `GS ! n`.
    Size(u8),
    /// `ESC d n`.
    Feed(u8),
    /// `GS V m [n]`.
    Cut,
    /// `GS ( k` with function `fn` (65 model, 67 size, 69 error level, 80 store, 81 print).
    Qr(u8),
    /// `DLE EOT n`: a real-time status request.
    Status(u8),
}

/// A printed line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Line {
    /// The text.
    pub text: String,
    /// Printed bold.
    pub bold: bool,
    /// Printed double size.
    pub large: bool,
    /// 0 left, 1 centre, 2 right.
    pub align: u8,
}

/// What the bytes print.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decoded {
    /// Text lines, in order.
    pub lines: Vec<Line>,
    /// The contents of the QR codes printed.
    pub qr_codes: Vec<String>,
    /// Every command, in order.
    pub commands: Vec<Command>,
}

/// Why bytes are not what the encoder writes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// A command this decoder does not know, at this offset.
    #[error("unknown command at byte {at}: {bytes:02x?}")]
    Unknown {
        /// Offset.
        at: usize,
        /// The command's first bytes.
        bytes: Vec<u8>,
    },
    /// A command cut short.
    #[error("truncated command at byte {0}")]
    Truncated(usize),
    /// Text not in the character set.
    #[error("text of line {0} is not valid in the character set")]
    BadText(usize),
}

/// Decodes ESC/POS bytes written for a printer set up with `charset`.
pub fn decode(bytes: &[u8], charset: Charset) -> Result<Decoded, DecodeError> {
    let mut d = Decoded::default();
    let (mut style, mut text, mut stored) = (Line::default(), Vec::new(), None::<String>);
    let mut i = 0;
    let arg = |at: usize, n: usize| -> Result<&[u8], DecodeError> {
        bytes.get(at..at + n).ok_or(DecodeError::Truncated(at))
    };
    while i < bytes.len() {
        let b = bytes[i];
        let unknown = |len: usize| DecodeError::Unknown {
            at: i,
            bytes: bytes[i..(i + len).min(bytes.len())].to_vec(),
        };
        let (cmd, len) = match b {
            LF => {
                let line =
                    decode_text(&text, charset).ok_or(DecodeError::BadText(d.lines.len()))?;
                d.lines.push(Line { text: line, ..style.clone() });
                text.clear();
                i += 1;
                continue;
            }
            ESC => match arg(i + 1, 1)?[0] {
                b'@' => (Command::Init, 2),
                b'a' => (Command::Align(arg(i + 2, 1)?[0]), 3),
                b'E' => (Command::Bold(arg(i + 2, 1)?[0] & 1 == 1), 3),
                b'd' => (Command::Feed(arg(i + 2, 1)?[0]), 3),
                _ => return Err(unknown(2)),
            },
            FS => match arg(i + 1, 1)?[0] {
                b'&' => (Command::DoubleByteOn, 2),
                b'.' => (Command::DoubleByteOff, 2),
                _ => return Err(unknown(2)),
            },
            DLE if arg(i + 1, 1)?[0] == EOT => (Command::Status(arg(i + 2, 1)?[0]), 3),
            GS => match arg(i + 1, 1)?[0] {
                b'!' => (Command::Size(arg(i + 2, 1)?[0]), 3),
                b'V' => match arg(i + 2, 1)?[0] {
                    65 | 66 => (Command::Cut, 4),
                    _ => (Command::Cut, 3),
                },
                b'(' if arg(i + 2, 1)?[0] == b'k' => {
                    let h = arg(i + 3, 4)?;
                    let len = usize::from(h[0]) | usize::from(h[1]) << 8;
                    let body = arg(i + 5, len)?;
                    if len < 2 || body[0] != 49 {
                        return Err(unknown(5 + len));
                    }
                    match body[1] {
                        80 => stored = Some(String::from_utf8_lossy(&body[3..]).into_owned()),
                        81 => d.qr_codes.extend(stored.take()),
                        65 | 67 | 69 => {}
                        _ => return Err(unknown(5 + len)),
                    }
                    (Command::Qr(body[1]), 5 + len)
                }
                _ => return Err(unknown(2)),
            },
            b if b < 0x20 || b == 0x7F => return Err(unknown(1)),
            _ => {
                text.push(b);
                i += 1;
                continue;
            }
        };
        match &cmd {
            Command::Align(a) => style.align = *a,
            Command::Bold(on) => style.bold = *on,
            Command::Size(s) => style.large = *s != 0,
            Command::Init => style = Line::default(),
            _ => {}
        }
        d.commands.push(cmd);
        i += len;
    }
    Ok(d)
}

fn decode_text(bytes: &[u8], charset: Charset) -> Option<String> {
    match charset.encoding() {
        None => bytes.is_ascii().then(|| String::from_utf8_lossy(bytes).into_owned()),
        Some(e) => {
            let (text, had_errors) = e.decode_without_bom_handling(bytes);
            (!had_errors).then(|| text.into_owned())
        }
    }
}
