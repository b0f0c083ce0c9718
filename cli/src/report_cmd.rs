//! `tillkit report`: the shift report (text or JSON), closing the shift, the CSV export; and
//! the time options `history` shares with it.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use tillkit_core::engine::Cashier;
use tillkit_core::order::Millis;
use tillkit_core::report::{self, time, CloseRequest, ReportError, ReportRequest, ShiftReport};

use crate::exit;
use crate::out::{self, CliError};

/// Options of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Sales and refunds taken at or after TIME (RFC 3339, or YYYY-MM-DD for that day's
    /// midnight at --utc-offset). Default: since the last close.
    #[arg(long, value_name = "TIME")]
    since: Option<String>,
    /// Taken before TIME (RFC 3339 or YYYY-MM-DD). Default: now.
    #[arg(long, value_name = "TIME")]
    until: Option<String>,
    /// Close the shift: record this report (everything since the last close) in the store;
    /// the next report starts here.
    #[arg(long, conflicts_with_all = ["since", "until", "reprint"])]
    close: bool,
    /// Who closes (printed on the report), with --close.
    #[arg(long, requires = "close", value_name = "NAME")]
    operator: Option<String>,
    /// Also write one CSV row per sale and refund of the report to FILE (with --close: exactly
    /// the closed rows).
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// Print closed shift SEQ again, exactly as it was closed.
    #[arg(long, value_name = "SEQ", conflicts_with_all = ["since", "until", "csv"])]
    reprint: Option<u64>,
    /// The merchant's offset from UTC for shown times and dates (+08:00); default UTC.
    #[arg(long, value_name = "±HH:MM", default_value = "Z", allow_hyphen_values = true)]
    utc_offset: String,
    #[command(flatten)]
    render: crate::report_out::RenderArgs,
    #[command(flatten)]
    pub conn: crate::connect::ConnectArgs,
}

/// A `--since`/`--until` value, with the flag named in the error.
pub fn parse_time_flag(flag: &str, value: &str, offset: i32) -> Result<Millis, CliError> {
    time::parse_time(value, offset)
        .map_err(|e| CliError::bad_input("invalid_time", format!("--{flag}: {e}")))
}

/// The `--utc-offset` value.
pub fn parse_offset_flag(value: &str) -> Result<i32, CliError> {
    time::parse_offset(value)
        .map_err(|e| CliError::bad_input("invalid_time", format!("--utc-offset: {e}")))
}

impl From<ReportError> for CliError {
    fn from(e: ReportError) -> Self {
        let (code, kind) = match &e {
            ReportError::InvalidRange { .. } => (exit::BAD_INPUT, "invalid_input"),
            ReportError::UnknownClose(_) => (exit::BAD_INPUT, "unknown_close"),
            // Another process closed first: nothing was closed here.
            ReportError::AlreadyClosed { .. } => (exit::STORE_IN_USE, "already_closed"),
            ReportError::Store(_) => (exit::INTERNAL, "store"),
            ReportError::Write(_) => (exit::INTERNAL, "write"),
            ReportError::Closed => (exit::INTERNAL, "closed"),
        };
        CliError { exit: code, kind, message: e.to_string() }
    }
}

/// Writes `path` through a file created beside it and renamed into place once `write` has
/// succeeded, so a failed export never leaves a half file under the asked name.
fn export<T>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<T, ReportError>,
) -> Result<T, CliError> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".part");
    let tmp = PathBuf::from(tmp);
    let file = std::fs::File::create(&tmp).map_err(|e| {
        CliError::bad_input("invalid_input", format!("--csv: cannot create {}: {e}", tmp.display()))
    })?;
    let mut file = BufWriter::new(file);
    match write(&mut file) {
        Ok(v) => {
            let failed = |e: std::io::Error| CliError::internal(format!("--csv: {e}"));
            file.flush().map_err(failed)?;
            file.get_ref().sync_all().map_err(failed)?;
            std::fs::rename(&tmp, path).map_err(failed)?;
            Ok(v)
        }
        Err(e) => {
            drop(file);
            let _ = std::fs::remove_file(&tmp);
            Err(e.into())
        }
    }
}

fn show(report: &ShiftReport, json: bool, offset: i32, csv_rows: Option<(u64, &Path)>) {
    if json {
        let mut value = serde_json::to_value(report).unwrap_or_default();
        if let Some((rows, path)) = csv_rows {
            value["csv"] = serde_json::json!({"file": path.display().to_string(), "rows": rows});
        }
        out::line(value);
    } else {
        for line in report::render_text(report, offset).lines() {
            out::line(line);
        }
        if let Some((rows, path)) = csv_rows {
            out::line(format!("\nCSV: {rows} rows written to {}", path.display()));
        }
    }
}

/// Runs `report`: the report (or the close, or a reprint), then shown as before or rendered.
pub async fn execute(cashier: &Cashier, json: bool, args: ReportArgs) -> Result<u8, CliError> {
    let offset = parse_offset_flag(&args.utc_offset)?;
    args.render.check()?;
    let (report, csv) = make(cashier, &args, offset)?;
    let csv = csv.as_ref().map(|(rows, path)| (*rows, path.as_path()));
    if args.render.is_plain() {
        show(&report, json, offset, csv);
        return Ok(exit::OK);
    }
    crate::report_out::emit(cashier, &report, &args.render, offset, json, csv).await
}

/// The report asked for, with the CSV rows written and where.
type Made = (ShiftReport, Option<(u64, PathBuf)>);

fn make(cashier: &Cashier, args: &ReportArgs, offset: i32) -> Result<Made, CliError> {
    if let Some(seq) = args.reprint {
        return Ok((cashier.closed_report(seq)?, None));
    }
    let req = ReportRequest {
        since: args.since.as_deref().map(|v| parse_time_flag("since", v, offset)).transpose()?,
        until: args.until.as_deref().map(|v| parse_time_flag("until", v, offset)).transpose()?,
    };
    if args.close {
        let close = CloseRequest { operator: args.operator.clone(), expected: None };
        let report = match &args.csv {
            Some(path) => export(path, |w| cashier.close_shift_exporting(&close, w, offset))?,
            None => cashier.close_shift(&close)?,
        };
        let rows = args.csv.clone().map(|p| (csv_rows(&report), p));
        return Ok((report, rows));
    }
    let report = cashier.shift_report(&req)?;
    let rows = match &args.csv {
        Some(path) => Some((export(path, |w| cashier.export_csv(&req, offset, w))?, path.clone())),
        None => None,
    };
    Ok((report, rows))
}

/// The rows a closed shift's export holds: one per sale and refund of its range.
fn csv_rows(r: &ShiftReport) -> u64 {
    r.sales_by_status.iter().chain(&r.refunds_by_state).map(|s| s.count).sum()
}
