//! `tillkit report --format/--locale/--paper/--out/--printer`: the shift report as a printed
//! document (text at a paper's width, ESC/POS bytes or a PNG image), to a file, standard output
//! or a network printer, with the same conventions as `tillkit receipt`.

use std::path::Path;

use clap::Args;
use tillkit_core::document::Paper;
use tillkit_core::engine::Cashier;
use tillkit_core::receipt::Locale;
use tillkit_core::report::{report_document, ShiftReport};

use crate::exit;
use crate::out::{self, CliError};
use crate::receipt_cmd::{print_and_render, Destination, Format, OutputArgs, PaperArg, Wrote};

/// How `report` is rendered and where it goes.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// What to make: text (default: the plain report as before, or with --locale/--paper the
    /// printed layout as text), escpos (printer bytes) or png (an image).
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Language of the printed layout: en, zh-Hans or zh-Hant (another tag falls back to
    /// English with a warning); default: the configured receipt locale.
    #[arg(long)]
    locale: Option<String>,
    /// Paper width, in millimetres (default 80).
    #[arg(long, value_enum)]
    paper: Option<PaperArg>,
    #[command(flatten)]
    output: OutputArgs,
}

impl RenderArgs {
    /// Whether the report is shown as before (plain English text or JSON on standard output).
    pub fn is_plain(&self) -> bool {
        self.format == Format::Text
            && self.locale.is_none()
            && self.paper.is_none()
            && self.output.out.is_none()
            && self.output.printer.is_none()
    }

    /// Where the rendering goes.
    fn destination(&self) -> Destination<'_> {
        Destination {
            format: self.format,
            out: self.output.out.as_deref(),
            printer: self.output.printer.as_deref(),
        }
    }

    /// Refuses bytes for a terminal before anything is done (a shift is not closed for a
    /// rendering that cannot be shown).
    pub fn check(&self) -> Result<(), CliError> {
        self.destination().check()
    }
}

/// Renders the report as asked, prints it when a printer is given, and writes the rendering.
pub async fn emit(
    cashier: &Cashier,
    report: &ShiftReport,
    args: &RenderArgs,
    offset: i32,
    json: bool,
    csv: Option<(u64, &Path)>,
) -> Result<u8, CliError> {
    let locale = args.locale.as_deref().map_or_else(|| cashier.receipt_locale(), Locale::from_tag);
    let doc = report_document(report, locale, offset);
    let paper = match args.paper {
        Some(PaperArg::Mm58) => Paper::Mm58,
        Some(PaperArg::Mm80) | None => Paper::Mm80,
    };
    let bytes = print_and_render(
        &doc,
        args.format,
        paper,
        args.output.charset,
        args.output.printer.as_deref(),
    )
    .await?;
    // `execute` has run `check` before the report was made.
    match args.destination().write(&bytes)? {
        Wrote::File(path) => {
            let seq = report.closed.as_ref().map(|c| c.seq);
            if json {
                let mut line = serde_json::json!({
                    "closed_seq": seq, "file": path.display().to_string(),
                    "bytes": bytes.len(), "exit": exit::OK,
                });
                if let Some((rows, csv)) = csv {
                    line["csv"] =
                        serde_json::json!({"file": csv.display().to_string(), "rows": rows});
                }
                out::line(line);
            } else if let Some((rows, csv)) = csv {
                out::line(format!("CSV: {rows} rows written to {}", csv.display()));
            }
        }
        // A printer was the destination: nothing more unless asked.
        Wrote::Printer => {}
        Wrote::Stdout => {
            if let Some((rows, csv)) = csv {
                eprintln!("CSV: {rows} rows written to {}", csv.display());
            }
        }
    }
    Ok(exit::OK)
}
