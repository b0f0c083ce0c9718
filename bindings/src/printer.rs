//! Printing receipts: the [`ReceiptPrinter`] an app implements around its terminal's built-in
//! printer (Sunmi's `sendRAWData` takes ESC/POS bytes, PAX's printer a bitmap: a [`PrintJob`]
//! gives either), the built-in [`network_printer`] (ESC/POS over raw TCP, port 9100, with the
//! printer's status checked first), and [`Cashier::print_receipt`].
//!
//! Printing reads the sale and never writes it: a failed print leaves the sale as it was, and
//! the same call reprints.

use std::sync::Arc;

use tillkit_core::document::escpos::Charset;
use tillkit_core::document::escpos::EscPosOptions;
use tillkit_core::document::{render_text, Document, Paper};
use tillkit_core::printer::{EscPosPrinter, ReceiptPrinter as CorePrinter, TcpTransport};
use tillkit_core::receipt::ReceiptCopy;

use crate::cashier::Cashier;
use crate::error::TillKitError;
use crate::ints::duration_arg;
use crate::receipt::{esc_pos, png};
use crate::runtime::run;

type Result<T> = std::result::Result<T, TillKitError>;

/// Something to print, rendered the way the printer takes it. The layout is TillKit's; the
/// printer picks the form.
#[derive(Debug, uniffi::Object)]
pub struct PrintJob {
    document: Document,
}

#[uniffi::export]
impl PrintJob {
    /// ESC/POS bytes for `paper` and `charset` (`null`: 80 mm, GB18030), ending with a cut:
    /// for printers that take raw commands (Sunmi `sendRAWData`, Bluetooth and USB printers).
    #[uniffi::method(default(paper = None, charset = None))]
    pub fn esc_pos(&self, paper: Option<Paper>, charset: Option<Charset>) -> Vec<u8> {
        esc_pos(&self.document, paper.unwrap_or_default(), charset.unwrap_or_default())
    }

    /// A PNG image as wide as `paper` (`null`: 80 mm): for printers that print bitmaps (PAX).
    #[uniffi::method(default(paper = None))]
    pub fn png(&self, paper: Option<Paper>) -> Result<Vec<u8>> {
        png(&self.document, paper.unwrap_or_default())
    }

    /// Plain text with the columns of `paper` (`null`: 80 mm): for text-only printer APIs.
    #[uniffi::method(default(paper = None))]
    pub fn text(&self, paper: Option<Paper>) -> String {
        render_text(&self.document, paper.unwrap_or_default().columns())
    }
}

/// A receipt printer. The app implements it around a built-in printer's SDK; [`network_printer`]
/// gives one for ESC/POS printers on the network.
///
/// Throw `TillKitError.Printer` with the right `fault` (paper out, cover open, offline); any
/// other exception reaches the caller as `AppCallback`.
#[uniffi::export(rust, foreign, async_runtime = "tokio")]
#[async_trait::async_trait]
pub trait ReceiptPrinter: Send + Sync {
    /// Prints `job`, returning when the printer took it.
    async fn print(&self, job: Arc<PrintJob>) -> Result<()>;
}

/// An ESC/POS printer on the network.
struct NetworkPrinter(EscPosPrinter);

#[async_trait::async_trait]
impl ReceiptPrinter for NetworkPrinter {
    async fn print(&self, job: Arc<PrintJob>) -> Result<()> {
        Ok(self.0.print(&job.document).await?)
    }
}

/// An ESC/POS printer at `host`:`port` (raw TCP, "JetDirect"). Before each job it asks the
/// printer's status (`DLE EOT`): paper out, cover open and no answer within `timeout_ms` fail
/// as `Printer` with that fault, and nothing is printed. `paper` and `charset` (`null`: 80 mm,
/// GB18030) are the printer's.
#[uniffi::export(default(port = 9100, paper = None, charset = None, timeout_ms = 5000))]
pub fn network_printer(
    host: String,
    port: i32,
    paper: Option<Paper>,
    charset: Option<Charset>,
    timeout_ms: i64,
) -> Result<Arc<dyn ReceiptPrinter>> {
    let host = host.trim();
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control() || c == '/') {
        return Err(TillKitError::InvalidInput {
            field: "host".into(),
            reason: "a host name or IP address".into(),
        });
    }
    let port =
        u16::try_from(port).ok().filter(|p| *p != 0).ok_or_else(|| TillKitError::InvalidInput {
            field: "port".into(),
            reason: format!("{port} is not 1–65535"),
        })?;
    let timeout = duration_arg("timeout_ms", timeout_ms)?;
    // An IPv6 literal needs brackets before the port.
    let addr =
        if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") };
    let options = EscPosOptions {
        paper: paper.unwrap_or_default(),
        charset: charset.unwrap_or_default(),
        ..EscPosOptions::default()
    };
    let printer = EscPosPrinter::new(Box::new(TcpTransport::new(addr, timeout)), options, timeout);
    Ok(Arc::new(NetworkPrinter(printer)))
}

#[uniffi::export(async_runtime = "tokio")]
impl Cashier {
    /// Prints the receipt of a sale, or of its refund `refund_id`, on `printer` (arguments as
    /// `receipt`). The sale is only read: a failed print (`Printer` with its fault) changes
    /// nothing, and the same call reprints.
    #[uniffi::method(default(refund_id = None, copy = None, locale = None))]
    pub async fn print_receipt(
        &self,
        sale_id: String,
        printer: Arc<dyn ReceiptPrinter>,
        refund_id: Option<String>,
        copy: Option<ReceiptCopy>,
        locale: Option<String>,
    ) -> Result<()> {
        let document = self.document_call(sale_id, refund_id, copy, locale, Ok).await?;
        let job = Arc::new(PrintJob { document });
        run(async move { printer.print(job).await }).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(r: Result<Arc<dyn ReceiptPrinter>>) -> Option<String> {
        match r {
            Err(TillKitError::InvalidInput { field, .. }) => Some(field),
            _ => None,
        }
    }

    #[test]
    fn bad_network_printer_arguments_are_refused_by_name() {
        assert_eq!(field(network_printer("".into(), 9100, None, None, 5000)), Some("host".into()));
        assert_eq!(
            field(network_printer("a b".into(), 9100, None, None, 5000)),
            Some("host".into())
        );
        assert_eq!(field(network_printer("h".into(), 0, None, None, 5000)), Some("port".into()));
        assert_eq!(
            field(network_printer("h".into(), 70000, None, None, 5000)),
            Some("port".into())
        );
        assert_eq!(
            field(network_printer("h".into(), 9100, None, None, -1)),
            Some("timeout_ms".into())
        );
        assert!(network_printer("::1".into(), 9100, None, None, 5000).is_ok());
    }

    #[test]
    fn a_refused_connection_is_an_offline_printer() {
        // A port nothing listens on: bind one, note it, close it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| i32::from(a.port()))
            .expect("port");
        let printer = network_printer("127.0.0.1".into(), port, None, None, 2000).expect("printer");
        let mut doc = Document::new();
        doc.text("x", tillkit_core::document::Style::PLAIN);
        let job = Arc::new(PrintJob { document: doc });
        let result = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(printer.print(job.clone()));
        assert!(matches!(
            result,
            Err(TillKitError::Printer { fault: crate::error::PrinterFault::Offline, .. })
        ));
        assert_eq!(&job.esc_pos(None, None)[..2], b"\x1b@");
        assert!(job.text(Some(Paper::Mm58)).contains('x'));
        assert_eq!(&job.png(None).expect("png")[..4], b"\x89PNG");
    }
}
