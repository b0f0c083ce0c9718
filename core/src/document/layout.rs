//! A document cut into printer lines for a paper width: the one layout every rendering uses,
//! so that the text, the printed slip and the image wrap the same way.

use super::width::{display_width, wrap};
use super::{Align, Block, Document};

/// One line of a laid-out document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LaidLine {
    /// Text that fits the line (in its size).
    Text {
        /// The text, without padding.
        text: String,
        /// Bold.
        bold: bool,
        /// Double size.
        large: bool,
        /// Alignment.
        align: Align,
    },
    /// A QR code.
    Qr(String),
}

impl LaidLine {
    fn plain(text: String, align: Align, bold: bool) -> LaidLine {
        LaidLine::Text { text, bold, large: false, align }
    }
}

/// The document's lines for a paper `columns` wide (normal-size characters).
pub fn lay_out(doc: &Document, columns: usize) -> Vec<LaidLine> {
    let columns = columns.max(8);
    let mut out = Vec::new();
    for block in &doc.blocks {
        match block {
            Block::Text { text, style } => {
                let fits = if style.large { columns / 2 } else { columns };
                for line in wrap(text, fits) {
                    out.push(LaidLine::Text {
                        text: line,
                        bold: style.bold,
                        large: style.large,
                        align: style.align,
                    });
                }
            }
            Block::Pair { label, value, bold } => {
                let (lw, vw) = (display_width(label), display_width(value));
                if lw + 1 + vw <= columns {
                    let pad = " ".repeat(columns - lw - vw);
                    out.push(LaidLine::plain(format!("{label}{pad}{value}"), Align::Left, *bold));
                } else {
                    for line in wrap(label, columns) {
                        out.push(LaidLine::plain(line, Align::Left, *bold));
                    }
                    for line in wrap(value, columns) {
                        out.push(LaidLine::plain(line, Align::Right, *bold));
                    }
                }
            }
            Block::Rule => out.push(LaidLine::plain("-".repeat(columns), Align::Left, false)),
            Block::Qr { content } => out.push(LaidLine::Qr(content.clone())),
            Block::Feed(n) => {
                for _ in 0..*n {
                    out.push(LaidLine::plain(String::new(), Align::Left, false));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Style;

    #[test]
    fn a_pair_fills_the_line_or_goes_on_two() {
        let mut doc = Document::new();
        doc.pair("Amount", "HKD 12.50").pair("Acquirer ref.", "T-0123456789012345678901234567");
        let lines = lay_out(&doc, 32);
        let LaidLine::Text { text, .. } = &lines[0] else { panic!("{lines:?}") };
        assert_eq!(text, "Amount                 HKD 12.50");
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(matches!(&lines[2], LaidLine::Text { align: Align::Right, .. }));
    }

    #[test]
    fn large_text_wraps_at_half_the_columns() {
        let mut doc = Document::new();
        doc.text("茶餐廳茶餐廳茶餐廳", Style::HEADLINE);
        let lines = lay_out(&doc, 32);
        assert_eq!(lines.len(), 2, "{lines:?}");
        for l in &lines {
            let LaidLine::Text { text, large, .. } = l else { panic!() };
            assert!(*large && display_width(text) <= 16);
        }
    }
}
