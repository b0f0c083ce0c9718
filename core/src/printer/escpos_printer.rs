//! ESC/POS printing with a real-time status check before each job (`DLE EOT n`).

use std::time::Duration;

use super::{ByteLink, ByteTransport, PrinterError, ReceiptPrinter};
use crate::document::escpos::{render_escpos, EscPosOptions, DLE, EOT};
use crate::document::Document;

/// What a printer's real-time status said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrinterStatus {
    /// Ready to print.
    pub ready: bool,
    /// The paper roll is nearly used up (prints still).
    pub paper_near_end: bool,
}

/// An ESC/POS printer reached through a byte transport.
pub struct EscPosPrinter {
    transport: Box<dyn ByteTransport>,
    options: EscPosOptions,
    status_timeout: Duration,
}

impl std::fmt::Debug for EscPosPrinter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EscPosPrinter").field("options", &self.options).finish_non_exhaustive()
    }
}

/// A real-time status byte always has bit 1 and bit 4 set and bits 0 and 7 clear.
fn status_byte(b: u8) -> Result<u8, PrinterError> {
    if b & 0x93 == 0x12 {
        Ok(b)
    } else {
        Err(PrinterError::Failed(format!("not an ESC/POS status answer: 0x{b:02x}")))
    }
}

impl EscPosPrinter {
    /// A printer on `transport`, printing with `options`; a status query unanswered within
    /// `status_timeout` means the printer is offline.
    pub fn new(
        transport: Box<dyn ByteTransport>,
        options: EscPosOptions,
        status_timeout: Duration,
    ) -> Self {
        EscPosPrinter { transport, options, status_timeout }
    }

    async fn query(&self, link: &mut dyn ByteLink, n: u8) -> Result<u8, PrinterError> {
        link.send(&[DLE, EOT, n]).await?;
        match link.receive(self.status_timeout).await? {
            Some(b) => status_byte(b),
            None => Err(PrinterError::Offline("no answer to a status query".into())),
        }
    }

    /// Asks the printer how it is: `Err` for a state it cannot print in.
    async fn check(&self, link: &mut dyn ByteLink) -> Result<PrinterStatus, PrinterError> {
        let printer = self.query(link, 1).await?;
        if printer & 0x08 != 0 {
            // Offline: the cause says which.
            let cause = self.query(link, 2).await?;
            if cause & 0x04 != 0 {
                return Err(PrinterError::CoverOpen);
            }
            if cause & 0x20 != 0 {
                return Err(PrinterError::PaperOut);
            }
            if cause & 0x40 != 0 {
                return Err(PrinterError::Failed("the printer reports an error".into()));
            }
            return Err(PrinterError::Offline("the printer reports itself offline".into()));
        }
        let paper = self.query(link, 4).await?;
        if paper & 0x60 != 0 {
            return Err(PrinterError::PaperOut);
        }
        Ok(PrinterStatus { ready: true, paper_near_end: paper & 0x0C != 0 })
    }

    /// The printer's status, or why it cannot print.
    pub async fn status(&self) -> Result<PrinterStatus, PrinterError> {
        let mut link = self.transport.connect().await?;
        self.check(link.as_mut()).await
    }
}

#[async_trait::async_trait]
impl ReceiptPrinter for EscPosPrinter {
    async fn print(&self, document: &Document) -> Result<(), PrinterError> {
        let mut link = self.transport.connect().await?;
        let status = self.check(link.as_mut()).await?;
        if status.paper_near_end {
            log::warn!("receipt printer: paper near its end");
        }
        link.send(&render_escpos(document, &self.options)).await
    }
}
