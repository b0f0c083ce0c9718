//! `tillkit receipt SALE_ID`: a sale's or refund's receipt from the store, as text, ESC/POS
//! bytes or a PNG image, to standard output, a file, or a network printer.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, ValueEnum};
use tillkit_core::document::escpos::{render_escpos, Charset, EscPosOptions};
use tillkit_core::document::png::{render_png, PngOptions};
use tillkit_core::document::{render_text, Document, Paper};
use tillkit_core::printer::{EscPosPrinter, PrinterError, ReceiptPrinter, TcpTransport};
use tillkit_core::receipt::{Locale, ReceiptCopy};

use crate::connect::Connected;
use crate::exit;
use crate::out::{self, CliError};

/// What to make of the receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Plain text.
    Text,
    /// ESC/POS printer bytes.
    Escpos,
    /// A PNG image.
    Png,
}

/// Whose copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CopyArg {
    /// The customer's.
    Customer,
    /// The merchant's (signature line for card sales).
    Merchant,
}

/// The paper width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PaperArg {
    /// 58 mm, 32 columns.
    #[value(name = "58")]
    Mm58,
    /// 80 mm, 48 columns.
    #[value(name = "80")]
    Mm80,
}

/// The printer's character set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CharsetArg {
    /// GB18030 (mainland Chinese printers, Sunmi, PAX).
    Gb18030,
    /// Big5 (Hong Kong, Taiwan).
    Big5,
    /// ASCII only.
    Ascii,
}

/// Where a printed document goes, and the printer's character set (`receipt` and `report`).
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// The printer's character set (ESC/POS).
    #[arg(long, value_enum, default_value = "gb18030")]
    pub charset: CharsetArg,
    /// Write to this file instead of standard output (required for escpos and png on a
    /// terminal).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print on an ESC/POS network printer at HOST:PORT (raw TCP, usually port 9100).
    #[arg(long, value_name = "HOST:PORT")]
    pub printer: Option<String>,
}

/// Options of `receipt`.
#[derive(Debug, Args)]
pub struct ReceiptArgs {
    /// The sale.
    sale: String,
    /// A refund of the sale: its own receipt, referring to the sale.
    #[arg(long)]
    refund: Option<String>,
    /// What to make.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Language: en, zh-Hans or zh-Hant (another tag falls back to English with a warning).
    #[arg(long)]
    locale: Option<String>,
    /// Whose copy.
    #[arg(long = "copy", value_enum, default_value = "customer")]
    copy: CopyArg,
    /// Paper width, in millimetres.
    #[arg(long, value_enum, default_value = "80")]
    paper: PaperArg,
    #[command(flatten)]
    output: OutputArgs,
    #[command(flatten)]
    pub conn: crate::connect::ConnectArgs,
}

/// A printer error as the CLI shows it (shared with `report --printer`).
pub(crate) fn printer_error(e: PrinterError) -> CliError {
    let kind = match e {
        PrinterError::PaperOut => "printer_paper_out",
        PrinterError::CoverOpen => "printer_cover_open",
        PrinterError::Offline(_) => "printer_offline",
        PrinterError::Failed(_) => "printer_failed",
    };
    CliError { exit: exit::INTERNAL, kind, message: e.to_string() }
}

/// Prints `doc` on the network printer at `printer` (when given), then renders it as `format`
/// for a file or standard output: one path for receipts and reports.
pub(crate) async fn print_and_render(
    doc: &Document,
    format: Format,
    paper: Paper,
    charset: CharsetArg,
    printer: Option<&str>,
) -> Result<Vec<u8>, CliError> {
    let charset = match charset {
        CharsetArg::Gb18030 => Charset::Gb18030,
        CharsetArg::Big5 => Charset::Big5,
        CharsetArg::Ascii => Charset::Ascii,
    };
    let escpos = EscPosOptions { paper, charset, ..EscPosOptions::default() };
    if let Some(addr) = printer {
        let transport = TcpTransport::new(addr.to_string(), Duration::from_secs(5));
        let printer = EscPosPrinter::new(Box::new(transport), escpos, Duration::from_secs(2));
        printer.print(doc).await.map_err(printer_error)?;
        eprintln!("printed on {addr}");
    }
    Ok(match format {
        Format::Text => render_text(doc, paper.columns()).into_bytes(),
        Format::Escpos => render_escpos(doc, &escpos),
        Format::Png => {
            let options = PngOptions { paper, ..PngOptions::default() };
            render_png(doc, &options).map_err(|e| CliError::internal(e.to_string()))?.0
        }
    })
}

/// Where a rendering goes, as asked on the command line: one path for receipts and reports.
pub(crate) struct Destination<'a> {
    /// What is rendered.
    pub format: Format,
    /// `--out`.
    pub out: Option<&'a Path>,
    /// `--printer`.
    pub printer: Option<&'a str>,
}

/// Where a rendering went.
pub(crate) enum Wrote<'a> {
    /// To this file.
    File(&'a Path),
    /// Only to the printer (text asked with `--printer` and no `--out`).
    Printer,
    /// To standard output.
    Stdout,
}

impl Destination<'_> {
    /// Refuses bytes for a terminal before anything is done (nothing printed, no shift
    /// closed, for a rendering that cannot be shown).
    pub fn check(&self) -> Result<(), CliError> {
        if self.format != Format::Text && self.to_stdout() && std::io::stdout().is_terminal() {
            return Err(CliError::bad_input(
                "binary_to_terminal",
                "escpos and png are bytes: give --out FILE or redirect standard output",
            ));
        }
        Ok(())
    }

    fn to_stdout(&self) -> bool {
        self.out.is_none() && !(self.printer.is_some() && self.format == Format::Text)
    }

    /// Writes the rendering to the file, or to standard output unless the printer was the
    /// destination (`check` has already refused bytes for a terminal).
    pub fn write(&self, bytes: &[u8]) -> Result<Wrote<'_>, CliError> {
        if let Some(path) = self.out {
            std::fs::write(path, bytes).map_err(|e| {
                CliError::bad_input("output", format!("cannot write {}: {e}", path.display()))
            })?;
            return Ok(Wrote::File(path));
        }
        if !self.to_stdout() {
            return Ok(Wrote::Printer);
        }
        let mut stdout = std::io::stdout();
        stdout
            .write_all(bytes)
            .and_then(|()| stdout.flush())
            .map_err(|e| CliError::internal(format!("standard output: {e}")))?;
        Ok(Wrote::Stdout)
    }
}

/// Makes, writes and optionally prints the receipt.
pub async fn run(connected: &Connected, args: ReceiptArgs, json: bool) -> Result<u8, CliError> {
    let locale = args.locale.as_deref().map(Locale::from_tag);
    let copy = match args.copy {
        CopyArg::Customer => ReceiptCopy::Customer,
        CopyArg::Merchant => ReceiptCopy::Merchant,
    };
    let to = Destination {
        format: args.format,
        out: args.output.out.as_deref(),
        printer: args.output.printer.as_deref(),
    };
    to.check()?;
    let receipt = connected.cashier.receipt(&args.sale, args.refund.as_deref(), copy, locale)?;
    let doc = receipt.document();
    let paper = match args.paper {
        PaperArg::Mm58 => Paper::Mm58,
        PaperArg::Mm80 => Paper::Mm80,
    };
    let bytes = print_and_render(&doc, args.format, paper, args.output.charset, to.printer).await?;
    if let (Wrote::File(path), true) = (to.write(&bytes)?, json) {
        out::line(serde_json::json!({
            "sale": args.sale, "refund": args.refund, "file": path.display().to_string(),
            "bytes": bytes.len(), "exit": exit::OK,
        }));
    }
    Ok(exit::OK)
}
