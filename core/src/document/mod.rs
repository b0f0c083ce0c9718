//! Printable documents: lines of text with bold, alignment and size, rules, and a QR code,
//! rendered the same way for every use (receipts, the end-of-day report) as plain text, ESC/POS
//! bytes for 58 mm and 80 mm printers, or a PNG image.
//!
//! Text put into a document is cleaned on the way in ([`clean`]): control characters, among
//! them every ESC/POS command introducer (ESC, GS, DLE, FS), and invisible formatting
//! characters are replaced, so that no text (a merchant name, a remark) can become a printer
//! command. Wrapping counts CJK characters as two columns, as ESC/POS printers print them.

mod layout;
mod text;
mod width;

pub mod escpos;
pub mod escpos_decode;
mod font;
pub mod png;
mod qr;

pub use layout::{lay_out, LaidLine};
pub use text::render_text;
pub use width::{clean, display_width, wrap};

/// Where a line sits across the paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Align {
    /// Left.
    #[default]
    Left,
    /// Centred.
    Center,
    /// Right.
    Right,
}

/// How a line is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Style {
    /// Bold (emphasised).
    pub bold: bool,
    /// Alignment.
    pub align: Align,
    /// Double width and height: half as many columns fit.
    pub large: bool,
}

impl Style {
    /// Plain, left-aligned.
    pub const PLAIN: Style = Style { bold: false, align: Align::Left, large: false };
    /// Bold, centred.
    pub const TITLE: Style = Style { bold: true, align: Align::Center, large: false };
    /// Bold, centred, double size.
    pub const HEADLINE: Style = Style { bold: true, align: Align::Center, large: true };
    /// Centred.
    pub const CENTER: Style = Style { bold: false, align: Align::Center, large: false };
}

/// One part of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Text, wrapped at the paper width.
    Text {
        /// The text (cleaned when added).
        text: String,
        /// How.
        style: Style,
    },
    /// A label at the left and its value at the right of one line (two lines when they do
    /// not fit: the value wraps right-aligned below).
    Pair {
        /// The label.
        label: String,
        /// The value.
        value: String,
        /// Bold.
        bold: bool,
    },
    /// A dashed line across the paper.
    Rule,
    /// A QR code of this content, centred.
    Qr {
        /// The encoded text.
        content: String,
    },
    /// Empty lines.
    Feed(u8),
}

/// A document: blocks from top to bottom.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Document {
    /// The blocks.
    pub blocks: Vec<Block>,
}

impl Document {
    /// An empty document.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds text in a style (cleaned of control characters).
    pub fn text(&mut self, text: &str, style: Style) -> &mut Self {
        self.blocks.push(Block::Text { text: clean(text), style });
        self
    }

    /// Adds a label and value line.
    pub fn pair(&mut self, label: &str, value: &str) -> &mut Self {
        self.blocks.push(Block::Pair { label: clean(label), value: clean(value), bold: false });
        self
    }

    /// Adds a bold label and value line.
    pub fn bold_pair(&mut self, label: &str, value: &str) -> &mut Self {
        self.blocks.push(Block::Pair { label: clean(label), value: clean(value), bold: true });
        self
    }

    /// Adds a rule.
    pub fn rule(&mut self) -> &mut Self {
        self.blocks.push(Block::Rule);
        self
    }

    /// Adds a QR code (its content cleaned like text).
    pub fn qr(&mut self, content: &str) -> &mut Self {
        self.blocks.push(Block::Qr { content: clean(content) });
        self
    }

    /// Adds empty lines.
    pub fn feed(&mut self, lines: u8) -> &mut Self {
        self.blocks.push(Block::Feed(lines));
        self
    }
}

/// The paper a document is laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Paper {
    /// 58 mm roll: 32 columns of the printer's standard font.
    Mm58,
    /// 80 mm roll: 48 columns.
    #[default]
    Mm80,
}

impl Paper {
    /// Columns of normal-size text.
    pub fn columns(self) -> usize {
        match self {
            Paper::Mm58 => 32,
            Paper::Mm80 => 48,
        }
    }
}
