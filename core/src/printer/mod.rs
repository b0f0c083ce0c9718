//! Receipt printers: the trait an app implements for a built-in printer (Sunmi's and PAX's are
//! vendor SDK calls), and [`EscPosPrinter`], which prints ESC/POS over any byte transport
//! (raw TCP port 9100 here; Bluetooth or USB from the app through [`ByteTransport`]).
//!
//! Printing comes after a sale and never changes it: a printer error is the caller's to show
//! ("paper out: reprint from the sale"), and the sale stays as the store has it.

mod escpos_printer;
mod tcp;

pub use escpos_printer::{EscPosPrinter, PrinterStatus};
pub use tcp::TcpTransport;

use std::time::Duration;

use crate::document::Document;

/// Why a document was not printed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrinterError {
    /// Out of paper.
    #[error("printer out of paper")]
    PaperOut,
    /// The cover is open.
    #[error("printer cover open")]
    CoverOpen,
    /// Not reachable or not answering (switched off, out of range, not connected).
    #[error("printer offline: {0}")]
    Offline(String),
    /// Another fault (the printer's own error, a broken connection mid-job, a bad answer).
    #[error("printer failed: {0}")]
    Failed(String),
}

/// A printer of documents.
#[async_trait::async_trait]
pub trait ReceiptPrinter: Send + Sync {
    /// Prints a document, whole or not at all as far as the printer lets one know (a job cut
    /// by a connection lost mid-way is `Failed`).
    async fn print(&self, document: &Document) -> Result<(), PrinterError>;
}

/// A connection to a printer that moves bytes both ways.
#[async_trait::async_trait]
pub trait ByteLink: Send {
    /// Sends bytes.
    async fn send(&mut self, bytes: &[u8]) -> Result<(), PrinterError>;
    /// The next byte from the printer, or `None` when none came within `timeout`.
    async fn receive(&mut self, timeout: Duration) -> Result<Option<u8>, PrinterError>;
}

/// Opens connections to one printer.
#[async_trait::async_trait]
pub trait ByteTransport: Send + Sync {
    /// A new connection.
    async fn connect(&self) -> Result<Box<dyn ByteLink>, PrinterError>;
}
