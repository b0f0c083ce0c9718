//! Plain text: for logs, e-mail and tests.

use super::layout::{lay_out, LaidLine};
use super::width::display_width;
use super::{Align, Document};

/// The document as lines of text `columns` wide (aligned with spaces; a QR code is shown as
/// its content in brackets; large text as is, in half the columns).
pub fn render_text(doc: &Document, columns: usize) -> String {
    let mut out = String::new();
    for line in lay_out(doc, columns) {
        match line {
            LaidLine::Text { text, align, large, .. } => {
                let room = if large { columns / 2 } else { columns };
                let free = room.saturating_sub(display_width(&text));
                let left = match align {
                    Align::Left => 0,
                    Align::Center => free / 2,
                    Align::Right => free,
                };
                let scale = if large { 2 } else { 1 };
                out.push_str(&" ".repeat(left * scale));
                out.push_str(&text);
            }
            LaidLine::Qr(content) => {
                let w = display_width(&content) + 6;
                out.push_str(&" ".repeat(columns.saturating_sub(w) / 2));
                out.push_str("[QR: ");
                out.push_str(&content);
                out.push(']');
            }
        }
        let end = out.trim_end_matches(' ').len();
        out.truncate(end);
        out.push('\n');
    }
    out
}
